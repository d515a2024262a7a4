import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// `/account` and `/account/security` in process: PRG with a flash, 422 and 409 with nothing
/// changed, the header's name, the sessions a password change ends, and nobody else's account.
@Suite("Profile and password, in process") struct AccountWebTests {
    static let newPassword = "zebra violin quartz 9081"

    /// What a refused form must leave as it was: every person's row and sessions, the outbox, the audit log.
    static func state(_ t: TestApp) throws -> [String] {
        try t.database.reader.read { db in
            try String.fetchAll(db, sql: "SELECT id || name || passwordHash || version FROM user ORDER BY id")
                + [String(try Int.fetchOne(db, sql: "SELECT count(*) FROM session")!)]
                + [String(try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox")!)]
                + [String(try Int.fetchOne(db, sql: "SELECT count(*) FROM auditEvent")!)]
        }
    }

    @Test func theNewNameIsInTheHeaderOfTheNextPage() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let form = client.get("/account")
        #expect(form.status == 200 && form.contains("value=\"Max Member\"") && form.contains("member@acme.test"))
        #expect(form.contains("<a class=\"account-link\" href=\"/account\" aria-current=\"page\">Account</a>"))
        let saved = client.post("/account", [("_csrf", form.csrf), ("version", "1"), ("name", "  Maxine Member  ")])
        #expect(saved.status == 303 && saved.location == "/account")
        let next = client.get(saved.location!)
        #expect(next.contains("Your name is saved.") && next.contains("Signed in as <strong>Maxine Member</strong>"))
        #expect(client.get("/orgs/acme/settings/general").contains("Signed in as <strong>Maxine Member</strong>"))
        #expect(try t.database.profile(userId: t.admin.id!).name == "Ada Admin")
    }

    static let badProfiles: [(String, [(String, String)], Int)] = [
        ("empty", [("version", "1"), ("name", "")], 422),
        ("blank", [("version", "1"), ("name", "   ")], 422),
        ("too long", [("version", "1"), ("name", String(repeating: "n", count: 101))], 422),
        ("control", [("version", "1"), ("name", "Max\u{1B}[31m")], 422),
        ("no version", [("name", "Max 2")], 422),
        ("bad version", [("version", "x"), ("name", "Max 2")], 422),
        ("unknown field", [("version", "1"), ("name", "Max 2"), ("email", "evil@x.test")], 422),
        ("stale", [("version", "7"), ("name", "Max 2")], 409),
    ]

    @Test func badProfileInputChangesNothingAndKeepsWhatWasTyped() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let csrf = client.get("/account").csrf
        let before = try Self.state(t)
        for (label, fields, status) in Self.badProfiles {
            let response = client.post("/account", [("_csrf", csrf)] + fields)
            #expect(response.status == status, "\(label): \(response)")
            #expect(response.contains("error-summary"), "\(label)")
            if label == "stale" { #expect(response.contains("value=\"Max 2\"") && response.contains("another tab")) }
            #expect(try Self.state(t) == before, "\(label)")
        }
        // Invalid UTF-8, a forged CSRF token and no session at all.
        let raw = client.send(
            "POST", "/account", contentType: "application/x-www-form-urlencoded", body: Array("_csrf=\(csrf)&version=1&name=%FF%FE".utf8))
        #expect(raw.status == 422)
        #expect(client.post("/account", [("_csrf", "forged"), ("version", "1"), ("name", "Max 2")]).status == 403)
        #expect(t.client().post("/account", [("_csrf", csrf), ("version", "1"), ("name", "Max 2")]).status == 403)
        #expect(try Self.state(t) == before)
    }

    static let badPasswords: [(String, [(String, String)], String)] = [
        ("no current", [("current_password", ""), ("new_password", newPassword)], "Enter your current password."),
        ("wrong current", [("current_password", "not my password at all"), ("new_password", newPassword)], "not your current password"),
        ("14 characters", [("current_password", TestApp.password), ("new_password", "qwzxvbnkqwzxvb")], "at least 15 characters"),
        ("common", [("current_password", TestApp.password), ("new_password", "iloveyou1234567890")], "common passwords"),
        ("email inside", [("current_password", TestApp.password), ("new_password", "my MEMBER@acme.test pass")], "email address or name"),
        ("too long", [("current_password", TestApp.password), ("new_password", String(repeating: "ab", count: 129))], "at most 256 bytes"),
        ("same", [("current_password", TestApp.password), ("new_password", TestApp.password)], "the one you have now"),
        ("control", [("current_password", TestApp.password), ("new_password", "line\nbreak passphrase")], "control characters"),
        ("unknown field", [("current_password", TestApp.password), ("new_password", newPassword), ("user", "1")], "does not take"),
    ]

    @Test func badPasswordInputChangesNothingAndSendsNoPasswordBack() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let csrf = client.get("/account/security").csrf
        let before = try Self.state(t)
        for (label, fields, message) in Self.badPasswords {
            let response = client.post("/account/security/password", [("_csrf", csrf)] + fields)
            #expect(response.status == 422, "\(label): \(response)")
            #expect(response.contains(message), "\(label)")
            #expect(!response.contains(TestApp.password) && !response.contains(Self.newPassword), "\(label)")
            #expect(try Self.state(t) == before, "\(label)")
        }
        #expect(client.post("/account/security/password", [("_csrf", "forged")] + Self.badPasswords[2].1).status == 403)
        #expect(try Self.state(t) == before)
    }

    @Test func changingThePasswordEndsTheOtherBrowsersSessionButNotThisOne() throws {
        let t = try TestApp()
        let here = try t.client(signedInAs: "member@acme.test"), there = try t.client(signedInAs: "member@acme.test")
        let admin = try t.client(signedInAs: "admin@acme.test")
        let csrf = here.get("/account/security").csrf
        let changed = here.post(
            "/account/security/password", [("_csrf", csrf), ("current_password", TestApp.password), ("new_password", Self.newPassword)])
        #expect(changed.status == 303 && changed.location == "/account/security")
        #expect(here.get("/account/security").contains("Every other browser signed in as you has been signed out."))
        #expect(there.get("/account").status == 303)
        #expect(admin.get("/account").status == 200)
        #expect(throws: Never.self) { try t.client().signIn(email: "member@acme.test", password: Self.newPassword) }
        let mail = try t.database.claimDueMail(baseURL: "http://127.0.0.1:8080", limit: 10)
        // The password change's email, then the new-browser email of the fresh client's sign-in.
        #expect(mail.map(\.recipient) == ["member@acme.test", "member@acme.test"])
        #expect(mail.map(\.subject) == ["Your Wheelhouse password was changed", "New sign-in to your Wheelhouse account"])
    }

    @Test func wrongCurrentPasswordsAreThrottledLikeSignIns() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let csrf = client.get("/account/security").csrf
        let fields = [("_csrf", csrf), ("current_password", "a wrong guess here"), ("new_password", Self.newPassword)]
        for _ in 0..<5 { #expect(client.post("/account/security/password", fields).status == 422) }
        let locked = client.post("/account/security/password", fields)
        #expect(locked.status == 429 && locked.raw.header("Retry-After") != nil && locked.contains("Too many wrong passwords"))
    }

    /// Nothing here names another person: every form acts on the signed-in person's own row, so
    /// another person's id or email in a post is an unknown field, never a target.
    @Test func nobodyCanTouchAnotherPersonsAccount() throws {
        let t = try TestApp()
        let member = try t.client(signedInAs: "member@acme.test")
        let csrf = member.get("/account").csrf
        let before = try Self.state(t)
        for extra in [("user_id", "\(t.admin.id!)"), ("email", "admin@acme.test"), ("id", "\(t.owner.id!)")] {
            #expect(member.post("/account", [("_csrf", csrf), ("version", "1"), ("name", "Hijack"), extra]).status == 422)
            let fields = [("_csrf", csrf), ("current_password", TestApp.password), ("new_password", Self.newPassword), extra]
            #expect(member.post("/account/security/password", fields).status == 422)
        }
        #expect(try Self.state(t) == before)
        // The owner's CSRF token is no use in the member's browser, and the reverse.
        let owner = try t.client(signedInAs: "owner@acme.test")
        #expect(member.post("/account", [("_csrf", owner.get("/account").csrf), ("version", "1"), ("name", "Hijack")]).status == 403)
        #expect(member.post("/account", [("_csrf", csrf), ("version", "1"), ("name", "Mine")]).status == 303)
        #expect(try t.database.profile(userId: t.owner.id!).name == "Olga Owner")
        #expect(try t.database.profile(userId: t.member.id!).name == "Mine")
    }
}
