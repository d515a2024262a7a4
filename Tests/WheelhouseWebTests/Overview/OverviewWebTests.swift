import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// `/orgs/{org}`, the overview, in process: widgets per role, moving and hiding them with plain
/// forms, the readiness checklist and the tutorial.
@Suite("Organization overview, in process") struct OverviewWebTests {
    func order(_ page: TestResponse) -> [String] {
        let html = page.html
        let found: [(String, String.Index)] = DashboardWidget.allCases.compactMap { widget in
            html.range(of: "id=\"widget-\(widget.rawValue)\"").map { (widget.rawValue, $0.lowerBound) }
        }
        return found.sorted { $0.1 < $1.1 }.map(\.0)
    }

    @Test func eachRoleSeesOnlyTheWidgetsItsTabsOpen() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test").get("/orgs/acme")
        #expect(owner.status == 200 && order(owner) == ["usage", "plan", "members", "providers", "audit"])
        #expect(owner.contains("<a href=\"/orgs/acme\" aria-current=\"page\">Overview</a>"))
        #expect(owner.contains("pending invitations"))
        let member = try t.client(signedInAs: "member@acme.test").get("/orgs/acme")
        #expect(member.status == 200 && order(member) == ["members"])
        #expect(!member.contains("Recent audit entries") && !member.contains("pending invitations"))
        #expect(!member.contains("Tokens only where needed") && member.contains("Profile complete"))
        #expect(!member.contains("id=\"tutorial-heading\""), "the tutorial is the Owners'")
        let enterprise = try TestApp(mode: .enterprise).client(signedInAs: "owner@acme.test").get("/orgs/acme")
        #expect(order(enterprise) == ["usage", "members", "providers", "audit"] && !enterprise.contains("Credits understood"))
    }

    @Test func widgetsMoveAndHideWithPlainForms() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "admin@acme.test")
        let page = client.get("/orgs/acme")
        #expect(page.contains("action=\"/orgs/acme/overview/widgets/members/up\""))
        #expect(!page.contains("action=\"/orgs/acme/overview/widgets/usage/up\""), "the first has no Move up")
        let moved = client.post("/orgs/acme/overview/widgets/members/up", [("_csrf", page.csrf)])
        #expect(moved.status == 303 && moved.location == "/orgs/acme")
        let after = client.get("/orgs/acme")
        #expect(after.contains("Members moved up.") && order(after) == ["usage", "members", "plan", "providers", "audit"])
        #expect(client.post("/orgs/acme/overview/widgets/audit/hide", [("_csrf", page.csrf)]).status == 303)
        let hidden = client.get("/orgs/acme")
        #expect(!order(hidden).contains("audit") && hidden.contains("action=\"/orgs/acme/overview/widgets/audit/show\""))
        #expect(order(try t.client(signedInAs: "owner@acme.test").get("/orgs/acme")).contains("audit"), "the Owner's layout is their own")
        #expect(client.post("/orgs/acme/overview/widgets/audit/show", []).status == 403)
        #expect(client.post("/orgs/acme/overview/widgets/nope/hide", [("_csrf", page.csrf)]).status == 404)
        #expect(client.get("/orgs/acme/overview/widgets/audit/show").status == 405)
    }

    @Test func checklistItemsLinkToTheirFixAndCanBeMarkedReviewed() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get("/orgs/acme")
        #expect(page.contains("href=\"/account/security/two-factor\"") && page.contains("href=\"/orgs/acme/settings/api-keys\""))
        #expect(page.contains("2 of 5 ready"), "sessions and tokens are done in the fixture")
        let reviewed = client.post("/orgs/acme/overview/checklist/credits/review", [("_csrf", page.csrf)])
        #expect(reviewed.status == 303)
        let after = client.get("/orgs/acme")
        #expect(after.contains("3 of 5 ready") && after.contains("is marked reviewed for 90 days"))
        let member = try t.client(signedInAs: "member@acme.test")
        #expect(member.post("/orgs/acme/overview/checklist/tokens/review", [("_csrf", member.get("/orgs/acme").csrf)]).status == 404)
        let outsider = try t.client(signedInAs: "out@other.test")
        #expect(outsider.post("/orgs/acme/overview/checklist/sessions/review", [("_csrf", outsider.get("/orgs/other").csrf)]).status == 404)
        #expect(outsider.get("/orgs/acme").status == 404)
    }

    @Test func theTutorialShowsItsStepsFromTheStateAndIsDismissed() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get("/orgs/acme")
        #expect(page.contains("id=\"tutorial-heading\"") && page.contains("1 of 5 done"))
        #expect(
            page.contains("<a href=\"/orgs/acme/settings/members\">Invite the team</a> <span class=\"status status-connected\">Done</span>")
        )
        let dismissed = client.post("/orgs/acme/overview/tutorial/dismiss", [("_csrf", page.csrf)])
        #expect(dismissed.status == 303)
        #expect(!client.get("/orgs/acme").contains("id=\"tutorial-heading\""))
        #expect(try t.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tutorialDismissal")! } == 1)
    }
}
