import Foundation
import GRDB
import Testing
import WheelhouseCore
import WheelhouseTestSupport
@testable import WheelhouseWeb

/// The `payment failed` and `plan limit reached` states (PRODUCT.md §5) as operators meet them:
/// a banner on every organization page for Owners and Admins with its true cause and the one
/// action that fixes it, and the retry on Payment method.
@Suite("Recovery banners: payment failed and plan limit reached") struct RecoveryBannerWebTests {
    let base = BillingWebSupport.base

    @Test func aFailedRenewalShowsItsCauseEverywhereAndARetryWithAWorkingCardEndsIt() throws {
        let t = try TestApp()
        try t.database.changePlan(orgId: t.org.id!, to: .pro, actor: nil)
        try BillingWebSupport.prepare(t, card: "4000000000000341")
        try BillingWebSupport.makePastDue(t)
        let owner = try t.client(signedInAs: "owner@acme.test")
        let general = owner.get("/orgs/acme/settings/general")
        #expect(general.contains("payment of €58.31 EUR failed") && general.contains("Update the card"))
        #expect(!general.contains("credit limit"), "a failed payment is never reported as a credit limit")
        #expect(general.contains("Paid AI usage is paused"))
        let paidAI = try t.database.entitlement(orgId: t.org.id!, for: .paidAI)
        #expect(!paidAI.allowed && paidAI.code == "payment_failed" && paidAI.reason?.contains("payment") == true)
        #expect(try t.client(signedInAs: "admin@acme.test").get("/orgs/acme/settings/members").contains("Open Payment method"))
        #expect(!(try t.client(signedInAs: "member@acme.test").get("/orgs/acme/settings/general").contains("payment of")))

        // Payment method: the cause, the dates and the retry; a stale version changes nothing.
        let page = owner.get(base + "/payment-method")
        #expect(page.contains("The card was declined") && page.contains("Retry the payment now"))
        let version = page.inputValue("version", after: "renewal/retry") ?? ""
        let stale = owner.post(base + "/renewal/retry", [("_csrf", page.csrf), ("version", "0")])
        #expect(stale.status == 303 && stale.location == base + "/payment-method")
        #expect(try t.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM payment WHERE queued = 1")! } == 0)

        try BillingWebSupport.prepare(t, card: "4242424242424242")
        let retried = owner.post(base + "/renewal/retry", [("_csrf", page.csrf), ("version", version)])
        #expect(retried.status == 303 && retried.location?.hasPrefix(base + "/payments/") == true)
        try BillingWebSupport.runPaymentWorker(t)
        #expect(owner.get(retried.location!).contains("The plan is paid for this month"))
        #expect(!owner.get("/orgs/acme/settings/general").contains("payment of €58.31 EUR failed"))
        #expect(try t.database.entitlement(orgId: t.org.id!, for: .paidAI).code != "payment_failed")
    }

    @Test func withoutACardTheRetryIsRefusedOnThePage() throws {
        let t = try TestApp()
        try t.database.changePlan(orgId: t.org.id!, to: .pro, actor: nil)
        try BillingWebSupport.makePastDue(t)
        let owner = try t.client(signedInAs: "owner@acme.test")
        let page = owner.get(base + "/payment-method")
        let refused = owner.post(
            base + "/renewal/retry", [("_csrf", page.csrf), ("version", page.inputValue("version", after: "renewal/retry") ?? "")])
        #expect(refused.status == 422 && refused.contains("Save a card on Payment method first"))
        #expect(try t.database.subscriptionState(orgId: t.org.id!)?.pastDue?.attempts == 1, "no attempt used")
    }

    @Test func aReachedLimitShowsWhatItBlocksWithUpgradeForOwnersOnly() throws {
        let t = try TestApp()
        try t.database.changePlan(orgId: t.org.id!, to: .free, actor: nil)  // 3 seats: all taken by the fixture's members
        let owner = try t.client(signedInAs: "owner@acme.test").get("/orgs/acme/settings/general")
        #expect(owner.contains("The Free plan’s limit is reached.") && owner.contains("new invitations are refused"))
        #expect(owner.contains("Upgrade the plan"))
        let admin = try t.client(signedInAs: "admin@acme.test").get("/orgs/acme/settings/general")
        #expect(admin.contains("The Free plan’s limit is reached.") && admin.contains("See the plan"))
        #expect(!(try t.client(signedInAs: "member@acme.test").get("/orgs/acme/settings/general").contains("limit is reached")))
    }
}
