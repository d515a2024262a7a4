import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("Members, invitations and the solo banner, in process") struct MembersWebTests {
    let members = "/orgs/acme/settings/members"

    /// What a refused post must leave unchanged.
    struct People: Equatable {
        var memberships: [String]
        var invitations: [String]
        var outbox: Int
        var audit: Int
        var teams: [String]
        var grants: Int
        var workspaces: [String]
    }

    func people(_ t: TestApp) throws -> People {
        try t.database.read { db in
            People(
                memberships: try String.fetchAll(db, sql: "SELECT userId || ':' || role || ':' || version FROM membership ORDER BY 1"),
                invitations: try String.fetchAll(db, sql: "SELECT email || ':' || status || ':' || version FROM invitation ORDER BY 1"),
                outbox: try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox")!,
                audit: try Int.fetchOne(db, sql: "SELECT count(*) FROM auditEvent")!,
                teams: try String.fetchAll(db, sql: "SELECT name || ':' || version FROM team ORDER BY 1"),
                grants: try Int.fetchOne(db, sql: "SELECT count(*) FROM workspaceAccess")!,
                workspaces: try String.fetchAll(db, sql: "SELECT key FROM workspace ORDER BY 1"))
        }
    }

    @Test func theOwnerOfASoloOrgSeesTheBannerInvitesAndTheBannerGoes() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "out@other.test")
        let general = client.get("/orgs/other/settings/general")
        #expect(general.contains("Invite team"))
        #expect(general.contains("href=\"/orgs/other/settings/members?invite=1\""))
        let form = client.get("/orgs/other/settings/members?invite=1")
        #expect(form.contains("id=\"invite\""))
        #expect(form.contains("name=\"emails\" rows=\"3\" aria-describedby=\"emails-hint\" autofocus"))
        let sent = client.post(
            "/orgs/other/settings/members/invite", [("_csrf", form.csrf), ("emails", "friend@other.test"), ("role", "member")])
        #expect(sent.status == 303)
        let after = client.get("/orgs/other/settings/members")
        #expect(after.contains("Invitation sent to friend@other.test."))
        #expect(!after.contains("Invite team"), "a pending invitation ends the solo state")
        #expect(after.contains("/invitations/"), "the admin can copy the link")
        // Members who cannot invite never see the banner
        let memberView = try t.client(signedInAs: "member@acme.test").get("/orgs/acme/settings/general")
        #expect(!memberView.contains("Invite team"))
    }

    @Test func aMixedInviteReportsEachRefusedAddressAndKeepsThem() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "admin@acme.test")
        let page = client.get(members)
        let response = client.post(
            members + "/invite",
            [
                ("_csrf", page.csrf), ("emails", "ok@acme.test, bad-address\nmember@acme.test"),
                ("role", "admin"),
            ])
        #expect(response.status == 422)
        #expect(response.contains("Invited: ok@acme.test."))
        #expect(response.contains("bad-address is not a valid email address."))
        #expect(response.contains("member@acme.test is already a member."))
        #expect(response.contains(">bad-address\nmember@acme.test</textarea>"), "only the refused addresses come back")
        #expect(response.contains("<option value=\"admin\" selected>"), "the chosen role is kept")
        #expect(try people(t).invitations == ["ok@acme.test:pending:1"])
    }

    static let badInvites: [(String, [(String, String)], Int)] = [
        ("no address", [("emails", "  \n "), ("role", "member")], 422),
        ("51 addresses", [("emails", (1...51).map { "p\($0)@acme.test" }.joined(separator: ",")), ("role", "member")], 422),
        ("owner role", [("emails", "a@acme.test"), ("role", "owner")], 422),
        ("unknown role", [("emails", "a@acme.test"), ("role", "root")], 422),
        ("unknown field", [("emails", "a@acme.test"), ("role", "member"), ("admin", "1")], 422),
        ("header injection", [("emails", "a@acme.test\r\nBcc: evil@x.test"), ("role", "member")], 422),
        ("control characters", [("emails", "a\u{7}b@acme.test"), ("role", "member")], 422),
        ("huge text", [("emails", String(repeating: "a", count: 30_000)), ("role", "member")], 422),
    ]

    @Test(arguments: 0..<badInvites.count)
    func badInviteInputChangesNothing(_ index: Int) throws {
        let (label, fields, status) = Self.badInvites[index]
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get(members)
        let before = try people(t)
        let response = client.post(members + "/invite", [("_csrf", page.csrf)] + fields)
        #expect(response.status == status, "\(label): \(response)")
        let after = try people(t)
        // A header-injection attempt is split into lines: "Bcc: evil@x.test" alone is malformed,
        // "a@acme.test" alone is valid and may be invited; nothing else may change.
        if label == "header injection" {
            #expect(after.invitations.allSatisfy { $0.hasPrefix("a@acme.test") }, "\(label)")
        } else {
            #expect(after == before, "\(label)")
        }
    }

    @Test func controlCharactersAreNeverEchoedRaw() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get(members)
        let refused = client.post(members + "/invite", [("_csrf", page.csrf), ("emails", "c\u{1}tl@x.test"), ("role", "member")])
        #expect(refused.status == 422)
        #expect(!refused.html.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" })
        #expect(refused.contains("c\u{FFFD}tl@x.test is not a valid email address."))
        let search = client.get(members + "?q=%00x")
        #expect(!search.html.unicodeScalars.contains { $0.value == 0 })
    }

    @Test func oddListQueriesStillAnswer() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        for query in [
            "page=9223372036854775807", "page=-3", "sort=drop%20table", "q=%FF%FE", "q=" + String(repeating: "a", count: 500),
            "q=%25", "page=abc&sort=role",
        ] {
            let response = client.get(members + "?" + query)
            #expect(response.status == 200, "\(query)")
        }
        #expect(!client.get(members).contains("Send invitations"), "a Member sees no invite form")
    }

    @Test func forgedOrMissingCSRFChangesNothing() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let before = try people(t)
        #expect(client.post(members + "/invite", [("emails", "a@acme.test"), ("role", "member")]).status == 403)
        #expect(client.post(members + "/invite", [("_csrf", "forged"), ("emails", "a@acme.test"), ("role", "member")]).status == 403)
        #expect(client.post(members + "/\(t.member.id!)/remove", [("_csrf", "forged"), ("version", "1")]).status == 403)
        #expect(try people(t) == before)
    }

    @Test func ruleViolationsAreShownNextToTheirControl() throws {
        let t = try TestApp()
        let admin = try t.client(signedInAs: "admin@acme.test")
        let page = admin.get(members)
        #expect(!page.contains("/members/\(t.owner.id!)/role"), "an Admin gets no controls on an Owner")
        #expect(!page.contains("<option value=\"owner\""), "an Admin cannot grant Owner")
        let before = try people(t)
        let forged = admin.post(members + "/\(t.member.id!)/role", [("_csrf", page.csrf), ("version", "1"), ("role", "owner")])
        #expect(forged.status == 422)
        #expect(forged.contains("Only an Owner can make someone an Owner."))
        let owner = try t.client(signedInAs: "owner@acme.test")
        let ownerPage = owner.get(members)
        let leave = owner.post(members + "/leave", [("_csrf", ownerPage.csrf)])
        #expect(leave.status == 422)
        #expect(leave.contains("The last Owner cannot be removed, demoted or leave."))
        let transfer = owner.post(members + "/transfer", [("_csrf", ownerPage.csrf), ("user", "\(t.member.id!)"), ("confirm", "wrong")])
        #expect(transfer.status == 422)
        #expect(transfer.contains("id=\"transfer-error\""))
        #expect(transfer.contains("<option value=\"\(t.member.id!)\" selected>"), "the chosen member stays chosen")
        let toSelf = owner.post(members + "/transfer", [("_csrf", ownerPage.csrf), ("user", "\(t.owner.id!)"), ("confirm", "acme")])
        #expect(toSelf.contains("You are already the Owner"))
        // A refused row action keeps the list's search, so the row and its message stay in view
        let searched = owner.post(
            members + "/\(t.member.id!)/role?q=max", [("_csrf", ownerPage.csrf), ("version", "9"), ("role", "admin")])
        #expect(searched.status == 409)
        #expect(searched.contains("value=\"max\""))
        #expect(searched.contains("This row changed since you loaded the page"))
        #expect(owner.get(members + "/\(t.member.id!)/role").status == 405)
        let stale = owner.post(members + "/\(t.member.id!)/role", [("_csrf", ownerPage.csrf), ("version", "7"), ("role", "admin")])
        #expect(stale.status == 409)
        #expect(try people(t) == before)
    }

    @Test func aRoleChangeIsSavedWithAFlashAndAnAuditEntry() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let page = owner.get(members)
        #expect(owner.post(members + "/\(t.member.id!)/role", [("_csrf", page.csrf), ("version", "1"), ("role", "admin")]).status == 303)
        #expect(owner.get(members).contains("Role changed to Admin."))
        #expect(try t.database.access(orgKey: "acme", userId: t.member.id!).role == .admin)
        #expect(try t.database.auditEvents(orgId: t.org.id!).last?.action == .memberRole)
    }

    @Test func anInvitedPersonAcceptsThroughTheLink() throws {
        let t = try TestApp()
        _ = try t.database.invite(
            orgKey: "acme", addresses: ["nina@acme.test"], role: .member,
            by: Actor(user: t.owner, address: "test"))
        let token = try #require(try t.database.membersPage(orgId: t.org.id!, MembersQuery()).entries.compactMap(\.linkToken).first)
        let visitor = t.client()
        let page = visitor.get("/invitations/\(token)")
        #expect(page.status == 200)
        #expect(page.contains("Create account and join"))
        let bad = visitor.post("/invitations/\(token)", [("_csrf", page.csrf), ("name", "Nina\u{0}"), ("password", "short")])
        #expect(bad.status == 422)
        #expect(bad.contains("value=\"Nina\u{0}\"") || bad.contains("Name"), "the typed name comes back")
        #expect(try t.database.invitation(token: token)?.state == .pending)
        let spaces = visitor.post(
            "/invitations/\(token)", [("_csrf", page.csrf), ("name", "Nina"), ("password", String(repeating: " ", count: 10))])
        #expect(spaces.status == 422, "ten spaces are not a password")
        let created = visitor.post(
            "/invitations/\(token)", [("_csrf", page.csrf), ("name", "Nina New"), ("password", "a long enough password")])
        #expect(created.status == 200)
        #expect(created.contains("Check your email"))
        #expect(visitor.cookies["wh_session"] == nil, "no session before the address is confirmed")
        // The mailed confirmation link, with the password, signs in and joins
        let mail = try #require(
            try t.database.claimDueMail(baseURL: "http://127.0.0.1:8080", limit: 10).first { $0.subject.contains("Confirm") })
        let link = try #require(mail.body.split(separator: "\n").first { $0.contains("/confirm/") }).split(separator: "8080").last.map(
            String.init)!
        let confirm = visitor.get(link)
        #expect(confirm.status == 200)
        #expect(visitor.post(link, [("_csrf", confirm.csrf), ("password", "wrong password here"), ("action", "confirm")]).status == 422)
        let joined = visitor.post(link, [("_csrf", confirm.csrf), ("password", "a long enough password"), ("action", "confirm")])
        #expect(joined.status == 303)
        #expect(joined.location == "/orgs/acme/settings/general")
        #expect(visitor.get("/orgs/acme/settings/general").contains("Email address confirmed."))
        // Again: harmless for the same person, a clear page for anyone else
        #expect(visitor.get("/invitations/\(token)").contains("You have already joined."))
        let stranger = t.client()
        let used = stranger.get("/invitations/\(token)")
        #expect(used.status == 410)
        #expect(used.contains("already been used"))
    }

    @Test func aSignedInPersonAcceptsWithOneClickAndOthersAreToldWhichAccount() throws {
        let t = try TestApp()
        _ = try t.database.invite(
            orgKey: "other", addresses: ["member@acme.test"], role: .admin, by: Actor(user: t.outsider, address: "test"))
        let token = try #require(
            try t.database.membersPage(
                orgId: t.database.access(orgKey: "other", userId: t.outsider.id!).org.id!,
                MembersQuery()
            ).entries.compactMap(\.linkToken).first)
        let wrong = try t.client(signedInAs: "admin@acme.test").get("/invitations/\(token)")
        #expect(wrong.status == 403)
        #expect(wrong.contains("This invitation is for another account"))
        let anonymous = t.client().get("/invitations/\(token)")
        #expect(anonymous.contains("Sign in to accept"))
        let client = try t.client(signedInAs: "member@acme.test")
        let page = client.get("/invitations/\(token)")
        #expect(page.contains("Accept and join"))
        #expect(client.post("/invitations/\(token)", [("_csrf", page.csrf)]).status == 303)
        #expect(try t.database.access(orgKey: "other", userId: t.member.id!).role == .admin)
        #expect(client.post("/invitations/\(token)", [("_csrf", page.csrf)]).status == 303, "accepting twice is harmless")
    }
}
