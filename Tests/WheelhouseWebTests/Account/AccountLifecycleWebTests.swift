import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// New organization and Delete my account in process.
@Suite("New organization and Delete my account, in process") struct AccountLifecycleWebTests {
    @Test func aPersonFoundsAnOrganizationAndBecomesItsOwner() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        #expect(client.get("/orgs/acme/settings/general").contains("<a href=\"/account/organizations/new\">New organization…</a>"))
        let form = client.get("/account/organizations/new")
        #expect(form.status == 200 && form.contains("can never be changed"))
        let made = client.post("/account/organizations/new", [("_csrf", form.csrf), ("org_name", " Max Labs "), ("org_key", "max-labs")])
        #expect(made.status == 303 && made.location == "/orgs/max-labs")
        let access = try t.database.access(orgKey: "max-labs", userId: t.member.id!)
        #expect(access.role == .owner && access.org.displayName == "Max Labs")
        #expect(try t.database.planUsage(orgId: access.org.id!).plan == .free)
        let log = try t.database.auditEvents(orgId: access.org.id!)
        #expect(log.map(\.action) == [.organizationCreate] && log.first?.actorUserId == t.member.id)
        // The same key again, from anyone, is a field error with the typed values kept.
        let again = client.post("/account/organizations/new", [("_csrf", form.csrf), ("org_name", "Copy"), ("org_key", "max-labs")])
        #expect(again.status == 422 && again.contains("already taken") && again.contains("value=\"Copy\""))
    }

    static let badOrganizations: [(String, [(String, String)])] = [
        ("empty", [("org_name", ""), ("org_key", "")]),
        ("bad key", [("org_name", "Nice"), ("org_key", "no spaces!")]),
        ("one letter", [("org_name", "Nice"), ("org_key", "a")]),
        ("taken", [("org_name", "Nice"), ("org_key", "other")]),
        ("long name", [("org_name", String(repeating: "n", count: 101)), ("org_key", "nice")]),
        ("control", [("org_name", "Nice\u{0}"), ("org_key", "nice")]),
        ("unknown field", [("org_name", "Nice"), ("org_key", "nice"), ("plan", "business")]),
    ]

    @Test func badOrganizationsChangeNothing() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let csrf = client.get("/account/organizations/new").csrf
        let count = { try t.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM organization")! } }
        let before = try count()
        for (label, fields) in Self.badOrganizations {
            let response = client.post("/account/organizations/new", [("_csrf", csrf)] + fields)
            #expect(response.status == 422 && response.contains("error-summary"), "\(label): \(response)")
        }
        #expect(client.post("/account/organizations/new", [("org_name", "Nice"), ("org_key", "nice")]).status == 403)
        #expect(try count() == before)
    }

    @Test func foundingIsLimitedPerDay() throws {
        let t = try TestApp()
        let actor = Actor(user: t.member, address: "127.0.0.1")
        for n in 0..<NewOrganizationRules.perPerson { try t.database.createOrganization(name: "Org \(n)", key: "org-\(n)", by: actor) }
        #expect(throws: DomainError.self) { try t.database.createOrganization(name: "One more", key: "one-more", by: actor) }
    }

    @Test func theLastOwnerIsToldWhyAndNothingIsDeleted() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get("/account/delete")
        #expect(page.status == 200 && page.contains("You are the last Owner of these organizations") && !page.contains("type=\"password\""))
        let refused = client.post("/account/delete", [("_csrf", client.get("/account").csrf), ("password", TestApp.password)])
        #expect(refused.status == 422 && refused.contains("You are the last Owner of “Acme”"))
        #expect(try t.database.profile(userId: t.owner.id!).email == "owner@acme.test")
    }

    @Test func aMemberDeletesTheirAccountWithThePasswordAndEachOrganizationIsTold() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let csrf = client.get("/account/delete").csrf
        let wrong = client.post("/account/delete", [("_csrf", csrf), ("password", "not my password")])
        #expect(wrong.status == 422 && wrong.contains("That is not your password."))
        let done = client.post("/account/delete", [("_csrf", csrf), ("password", TestApp.password)])
        #expect(done.status == 303 && done.location == "/login?deleted=1")
        #expect(done.raw.headers.contains { $0.0 == "Set-Cookie" && $0.1.contains("Max-Age=0") })
        #expect(throws: DomainError.self) { try t.database.profile(userId: t.member.id!) }
        let log = try t.database.auditEvents(orgId: t.org.id!)
        #expect(log.last?.action == .memberAccountDelete && log.last?.summary.contains("member@acme.test") == true)
        #expect(client.get("/account").status == 303)  // the session went with the account
        #expect(
            try t.database.reader.read { db in try String.fetchOne(db, sql: "SELECT subject FROM outbox ORDER BY id DESC") }
                == "Your Wheelhouse account was deleted")
        #expect(try t.database.profile(userId: t.admin.id!).email == "admin@acme.test")
    }
}
