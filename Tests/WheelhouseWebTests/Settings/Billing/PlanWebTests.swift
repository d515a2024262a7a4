import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// The Billing tab's Plan section in process: meters and catalog, the change previews, a
/// downgrade scheduled and cancelled by the Owner only, enterprise mode's notice.
@Suite("Billing: plan, in process") struct PlanWebTests {
    static let plan = "/orgs/acme/settings/billing"

    @Test func theOwnerSeesMetersAndTheCatalogWithTheCurrentPlanMarked() throws {
        let t = try TestApp()
        let page = try t.client(signedInAs: "owner@acme.test").get(Self.plan)
        #expect(page.status == 200 && page.contains("<h2 id=\"plan-heading\">Pro plan</h2>"))
        #expect(page.contains("<meter id=\"meter-seats\" min=\"0\" max=\"25\" value=\"3\">"))
        #expect(page.contains("<tr class=\"current-plan\" aria-current=\"true\">"))
        #expect(page.contains("href=\"/orgs/acme/settings/billing/plans/business\">Upgrade to Business…</a>"))
        #expect(page.contains("href=\"/orgs/acme/settings/billing/plans/free\">Downgrade to Free…</a>"))
        #expect(page.contains("<td>€49.00 / month</td>") && page.contains("Custom"))
    }

    @Test func previewsSayWhatAChangeMeans() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let upgrade = client.get(Self.plan + "/plans/business")
        #expect(upgrade.status == 200 && upgrade.contains("EUR</strong>"))
        let downgrade = client.get(Self.plan + "/plans/free")
        #expect(downgrade.status == 200 && downgrade.contains("Schedule the downgrade"))
        #expect(client.get(Self.plan + "/plans/gold").status == 404)
        #expect(client.get(Self.plan + "/plans/team").status == 404, "only the catalog's ids")
        #expect(client.get(Self.plan + "/plans/pro").location == Self.plan)
    }

    @Test func theOwnerSchedulesAndCancelsADowngradeAndTheAdminCannot() throws {
        let t = try TestApp()
        let admin = try t.client(signedInAs: "admin@acme.test")
        let adminPage = admin.get(Self.plan + "/plans/starter")
        #expect(adminPage.status == 200 && !adminPage.contains("Schedule the downgrade") && adminPage.contains("Only Owners"))
        #expect(admin.post(Self.plan + "/plans/starter/downgrade", [("_csrf", adminPage.csrf)]).status == 403)
        let owner = try t.client(signedInAs: "owner@acme.test")
        let form = owner.get(Self.plan + "/plans/starter")
        #expect(owner.post(Self.plan + "/plans/starter/downgrade", [("_csrf", "forged")]).status == 403)
        let done = owner.post(Self.plan + "/plans/starter/downgrade", [("_csrf", form.csrf)])
        #expect(done.status == 303)
        let page = owner.get(Self.plan)
        #expect(page.contains("The move to Starter is scheduled") && page.contains("Keep the current plan"))
        let stale = owner.post(Self.plan + "/plans/cancel-downgrade", [("_csrf", form.csrf), ("version", "7")])
        #expect(stale.status == 409 && stale.contains("another tab"))
        let kept = owner.post(Self.plan + "/plans/cancel-downgrade", [("_csrf", form.csrf), ("version", "1")])
        #expect(kept.status == 303)
        #expect(owner.get(Self.plan).contains("The scheduled downgrade is cancelled."))
        #expect(owner.post(Self.plan + "/plans/cancel-downgrade", [("_csrf", form.csrf), ("version", "1")]).status == 404)
        #expect(try t.database.planUsage(orgId: t.org.id!).plan == .pro)
    }

    @Test func invitingPastThePlansSeatsIsRefusedBesideTheFieldInSaaSOnly() throws {
        for mode in [DeploymentMode.saas, .enterprise] {
            let t = try TestApp(mode: mode)
            try t.database.changePlan(orgId: t.org.id!, to: .free, actor: nil)  // 3 seats: all taken by the fixture's members
            let client = try t.client(signedInAs: "owner@acme.test")
            let form = client.get("/orgs/acme/settings/members")
            let refused = client.post(
                "/orgs/acme/settings/members/invite",
                [("_csrf", form.csrf), ("emails", "fourth@acme.test"), ("role", "member"), ("message", "")])
            if mode == .saas {
                #expect(refused.status == 422 && refused.contains("the Free plan’s 3 seats are taken"), "\(refused)")
            } else {
                #expect(refused.status == 303, "no plan limits in enterprise mode")
            }
        }
    }

    @Test func theOwnerUpgradesFromThePreviewAndPaysWhatItShowed() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        #expect(client.get(Self.plan + "/plans/business").contains("Save a card and the billing details"))
        try BillingWebSupport.prepare(t)
        let preview = client.get(Self.plan + "/plans/business")
        let total = try #require(
            preview.html.range(of: "Upgrade and pay ").map { String(preview.html[$0.upperBound...].prefix { $0 != "<" }) })
        let fields = [("_csrf", preview.csrf), ("key", preview.inputValue("key") ?? "")]
        let done = client.post(Self.plan + "/plans/business/upgrade", fields)
        #expect(done.status == 303, "\(done)")
        try BillingWebSupport.runPaymentWorker(t)
        #expect(try t.database.planUsage(orgId: t.org.id!).plan == .business)
        let paid = try t.database.read { db in try Int64.fetchOne(db, sql: "SELECT totalMinor FROM payment WHERE kind = 'upgrade'")! }
        #expect(total == Currency.eur.format(minor: paid, withCode: true), "the button's total is the charge")
        #expect(client.post(Self.plan + "/plans/business/upgrade", fields).status == 303, "a double submit finds the first payment")
        #expect(try t.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM payment WHERE kind = 'upgrade'")! } == 1)
        let admin = try t.client(signedInAs: "admin@acme.test")
        #expect(
            admin.post(Self.plan + "/plans/business/upgrade", [("_csrf", admin.get(Self.plan).csrf), ("key", "k0123456789abcdefgh")]).status
                == 403)
    }

    @Test func enterpriseModeShowsTheNoticeOnEveryBillingAddress() throws {
        let t = try TestApp(mode: .enterprise)
        let client = try t.client(signedInAs: "owner@acme.test")
        for path in [Self.plan, Self.plan + "/plans/free"] {
            let page = client.get(path)
            #expect(page.status == 200 && page.contains("Billing runs through your enterprise agreement"), "\(path)")
        }
        let csrf = client.get(Self.plan).csrf
        let post = client.post(Self.plan + "/plans/free/downgrade", [("_csrf", csrf)])
        #expect(post.status == 200 && post.contains("Billing runs through your enterprise agreement"))
        #expect(try t.database.planStatus(org: t.database.access(orgKey: "acme", userId: t.owner.id!).org).scheduled == nil)
    }
}
