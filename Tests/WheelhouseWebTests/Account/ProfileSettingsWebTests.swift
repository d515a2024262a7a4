import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// The profile page's picture, email and default-organization forms in process: PRG with a
/// flash, 422/409 with nothing changed, the link mailed to the new address, and nobody else's
/// account.
@Suite("Picture, email change and default organization, in process") struct ProfileSettingsWebTests {
    /// The link of the newest email-change mail in the outbox, if any.
    static func emailLink(_ t: TestApp) throws -> String? {
        let mail = try t.database.claimDueMail(baseURL: "http://127.0.0.1:8080", limit: 50).last { $0.subject.contains("Confirm") }
        guard let line = mail?.body.split(separator: "\n").first(where: { $0.contains("/email/confirm/") }),
            let start = line.range(of: "/email/confirm/")?.lowerBound
        else { return nil }
        return String(line[start...])
    }

    static func upload(_ client: TestClient, _ csrf: String, version: String = "1", file: [UInt8]?, remove: Bool = false) -> TestResponse {
        var fields: [(String, [UInt8])] = [("_csrf", Array(csrf.utf8)), ("version", Array(version.utf8))]
        if remove { fields.append(("remove_avatar", Array("1".utf8))) }
        return client.postMultipart("/account/avatar", fields, files: file.map { [("avatar", "me.png", $0)] } ?? [])
    }

    @Test func aPictureIsCheckedLikeALogoServedOnlyToItsOwnerAndRemovable() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let csrf = client.get("/account").csrf
        let fake = Self.upload(client, csrf, file: Array("GIF89a but not really an image".utf8))
        #expect(fake.status == 422 && fake.contains("The picture could not be read") && fake.contains("error-summary"))
        #expect(try t.database.profile(userId: t.member.id!).avatarFile == nil)
        let saved = Self.upload(client, csrf, file: LogoFiles.png)
        #expect(saved.status == 303 && saved.location == "/account")
        let page = client.get("/account")
        #expect(page.contains("Your picture is saved."))
        let file = try #require(try t.database.profile(userId: t.member.id!).avatarFile)
        let image = client.get("/account/avatar/\(file)")
        #expect(
            image.status == 200 && image.raw.header("Content-Type") == "image/png"
                && Array(image.raw.body.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        // Another person cannot fetch it by its name, and nobody signed out can.
        #expect(try t.client(signedInAs: "admin@acme.test").get("/account/avatar/\(file)").status == 404)
        #expect(t.client().get("/account/avatar/\(file)").status == 303)
        // A form loaded before the upload is stale now; the stored picture stays.
        let stale = Self.upload(client, csrf, version: "1", file: nil, remove: true)
        #expect(stale.status == 409 && stale.contains("another tab"))
        let removed = Self.upload(client, csrf, version: "2", file: nil, remove: true)
        #expect(removed.status == 303)
        #expect(try t.database.profile(userId: t.member.id!).avatarFile == nil)
        #expect(client.get("/account/avatar/\(file)").status == 404)
        #expect(!FileManager.default.fileExists(atPath: t.logos.directory.appendingPathComponent("avatars/\(file)").path))
        // Neither a file nor "remove": told what to do.
        let empty = Self.upload(client, csrf, version: "3", file: nil)
        #expect(empty.status == 422 && empty.contains("Choose a picture to upload"))
    }

    @Test func anEmailChangeTakesEffectOnlyThroughTheLinkAndTellsTheOldAddress() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let csrf = client.get("/account").csrf
        let wrong = client.post("/account/email", [("_csrf", csrf), ("new_email", "max@new.test"), ("password", "not it")])
        #expect(wrong.status == 422 && wrong.contains("That is not your password.") && wrong.contains("value=\"max@new.test\""))
        let asked = client.post("/account/email", [("_csrf", csrf), ("new_email", "Max@New.test"), ("password", TestApp.password)])
        #expect(asked.status == 303)
        #expect(client.get("/account").contains("A link was sent to <strong>max@new.test</strong>"))
        #expect(try t.database.profile(userId: t.member.id!).email == "member@acme.test")
        let told = try t.database.reader.read { db in
            try String.fetchAll(db, sql: "SELECT recipient FROM outbox WHERE kind IN ('notice', 'emailChange') ORDER BY id")
        }
        #expect(told == ["max@new.test", "member@acme.test"])
        let link = try #require(try Self.emailLink(t))
        // Opening the link changes nothing; the button does, once.
        let anonymous = t.client()
        let confirm = anonymous.get(link)
        #expect(confirm.status == 200 && confirm.contains("member@acme.test") && confirm.contains("max@new.test"))
        #expect(try t.database.profile(userId: t.member.id!).email == "member@acme.test")
        let done = anonymous.post(link, [("_csrf", confirm.csrf)])
        #expect(done.status == 303 && done.location == "/login?email_changed=1")
        #expect(try t.database.profile(userId: t.member.id!).email == "max@new.test")
        #expect(anonymous.post(link, [("_csrf", confirm.csrf)]).status == 410)
        let notices = try t.database.reader.read { db in
            try String.fetchAll(db, sql: "SELECT recipient FROM outbox WHERE kind = 'notice' ORDER BY id")
        }
        #expect(notices.last == "member@acme.test")
        // The session stays; the new address signs in.
        #expect(client.get("/account").contains("max@new.test"))
        #expect(throws: Never.self) { try t.client().signIn(email: "max@new.test", password: TestApp.password) }
    }

    @Test func anAddressAlreadyInUseGetsTheSameAnswerAndANoteInsteadOfALink() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let csrf = client.get("/account").csrf
        let asked = client.post("/account/email", [("_csrf", csrf), ("new_email", "admin@acme.test"), ("password", TestApp.password)])
        #expect(asked.status == 303)
        #expect(try Self.emailLink(t) == nil)
        #expect(try t.database.pendingEmailChange(userId: t.member.id!) == nil)
        let subjects = try t.database.reader.read { db in
            try String.fetchAll(db, sql: "SELECT recipient FROM outbox WHERE kind = 'notice' ORDER BY id")
        }
        #expect(subjects == ["admin@acme.test", "member@acme.test"])
    }

    static let badEmails: [(String, [(String, String)], Int)] = [
        ("empty", [("new_email", ""), ("password", TestApp.password)], 422),
        ("not an address", [("new_email", "max at new"), ("password", TestApp.password)], 422),
        ("same", [("new_email", "MEMBER@acme.test"), ("password", TestApp.password)], 422),
        ("too long", [("new_email", String(repeating: "m", count: 250) + "@x.test"), ("password", TestApp.password)], 422),
        ("control", [("new_email", "max\u{7}@new.test"), ("password", TestApp.password)], 422),
        ("no password", [("new_email", "max@new.test"), ("password", "")], 422),
        ("unknown field", [("new_email", "max@new.test"), ("password", TestApp.password), ("userId", "1")], 422),
    ]

    @Test func badEmailChangesChangeNothing() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let csrf = client.get("/account").csrf
        let before = try AccountWebTests.state(t)
        for (label, fields, status) in Self.badEmails {
            let response = client.post("/account/email", [("_csrf", csrf)] + fields)
            #expect(response.status == status && response.contains("error-summary"), "\(label): \(response)")
            #expect(try AccountWebTests.state(t) == before, "\(label)")
        }
        #expect(
            client.post("/account/email", [("_csrf", "forged"), ("new_email", "max@new.test"), ("password", TestApp.password)]).status
                == 403)
        #expect(try AccountWebTests.state(t) == before)
    }

    @Test func theDefaultOrganizationIsWhereTheHomeAddressLands() throws {
        let t = try TestApp()
        let second = try t.database.createOrganization(name: "Zeta Labs", key: "zeta", by: Actor(user: t.owner, address: "127.0.0.1"))
        let client = try t.client(signedInAs: "owner@acme.test")
        #expect(client.get("/").location == "/orgs/acme")
        let form = client.get("/account")
        #expect(form.contains("<option value=\"zeta\">Zeta Labs (zeta)</option>"))
        let saved = client.post("/account/default-organization", [("_csrf", form.csrf), ("version", "1"), ("default_org", second.key)])
        #expect(saved.status == 303)
        #expect(client.get("/").location == "/orgs/zeta")
        // Another organization's key, or one that does not exist, is the same field error.
        for key in ["other", "nope"] {
            let refused = client.post("/account/default-organization", [("_csrf", form.csrf), ("version", "2"), ("default_org", key)])
            #expect(refused.status == 422 && refused.contains("Choose one of your organizations."), "\(key)")
        }
        let stale = client.post("/account/default-organization", [("_csrf", form.csrf), ("version", "1"), ("default_org", "")])
        #expect(stale.status == 409)
        #expect(try t.database.profile(userId: t.owner.id!).defaultOrgKey == "zeta")
    }
}
