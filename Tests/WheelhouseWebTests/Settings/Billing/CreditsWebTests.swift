import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// The Credits section: balance in the currency, owed, the bar, lots, the Owner's threshold form
/// (bad input changes nothing), the banners per role, the API's entitlement and ingestion.
@Suite("Billing credits, in process") struct CreditsWebTests {
    static let credits = "/orgs/acme/settings/billing/credits"
    static let warning = credits + "/warning"

    static func grant(_ t: TestApp, _ micros: Int64, expiresIn days: Double? = nil) throws {
        try t.database.grantPromotionalCredits(
            orgId: t.org.id!, micros: micros, expiresAt: days.map { Date().addingTimeInterval($0 * 86_400) }, reference: "t")
    }

    /// The threshold field's value (the field partial writes its type between name and value).
    static func threshold(_ page: TestResponse) -> String? {
        guard let range = page.html.range(of: "name=\"threshold\" type=\"text\" value=\"") else { return nil }
        return String(page.html[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test func theOwnerSeesTheBalanceWithSymbolAndCodeTheLotsSoonestFirstAndTheBuyingPlace() throws {
        let t = try TestApp()
        try t.database.seedCreditLot(orgId: t.org.id!, kind: .purchase, micros: 30_000_000, reference: "p", at: Date())
        try Self.grant(t, 7_500_000, expiresIn: 20)
        let page = try t.client(signedInAs: "owner@acme.test").get(Self.credits)
        #expect(page.status == 200)
        #expect(page.contains("<strong>€37.50 EUR</strong>"))
        #expect(page.contains("aria-current=\"page\">Credits</a>") && page.contains("Test mode:"))
        let promo = try #require(page.html.range(of: "<td>Promotional credits</td>"))
        let purchase = try #require(page.html.range(of: "<td>Purchase</td>"))
        #expect(promo.lowerBound < purchase.lowerBound, "soonest-expiring first")
        #expect(page.contains("<td>Never</td>"))
        #expect(page.contains("<meter id=\"credits-meter\""))
        #expect(Self.threshold(page) == "0.00" && page.inputValue("version") == "0")
        #expect(!page.contains("credits-purchase"), "buying arrives with the payments work")
    }

    @Test func aNegativeBalanceIsShownAsOwedAndTheBannerSaysExhaustedWithTheFix() throws {
        let t = try TestApp()
        try Self.grant(t, 1_000_000)
        try TransactionsWebTests.spend(t, [(Date(), 4_200_000)])
        let page = try t.client(signedInAs: "owner@acme.test").get(Self.credits)
        #expect(page.contains("You owe €3.20 EUR: it is settled by your next purchase."))
        #expect(page.contains("AI credits are used up.") && page.contains("models on your own provider keys (BYOK) still work"))
        #expect(page.contains("<a class=\"button\" href=\"/orgs/acme/settings/billing/credits\">Open Credits</a>"))
        #expect(!page.contains("credit limit"))
    }

    @Test func bannersShowForOwnersAndAdminsOnlyWithTheirTrueCause() throws {
        let t = try TestApp()
        // No credit ever: said as such, not as "used up".
        let owner = try t.client(signedInAs: "owner@acme.test")
        let never = owner.get("/orgs/acme/settings/general")
        #expect(never.contains("This organization has no AI credits.") && never.contains("banner banner-info"))
        #expect(never.contains("<a class=\"button\" href=\"/orgs/acme/settings/billing/credits/buy\">Buy credits</a>"))
        try Self.grant(t, 4_000_000)
        try t.database.setCreditWarning(
            orgKey: "acme", typed: "5", currency: .eur, expectedVersion: 0, by: Actor(user: t.owner, address: "t"))
        let low = owner.get("/orgs/acme/settings/members")
        #expect(low.contains("AI credits are low.") && low.contains("below your warning threshold of €5.00 EUR"))
        #expect(low.contains("banner-warning") && !low.contains("no AI credits"))
        #expect(try t.client(signedInAs: "admin@acme.test").get("/orgs/acme/settings/general").contains("AI credits are low."))
        #expect(!(try t.client(signedInAs: "member@acme.test").get("/orgs/acme/settings/general").contains("AI credits")))
        try Self.grant(t, 10_000_000)
        #expect(!owner.get("/orgs/acme/settings/general").contains("AI credits are low."), "fixed: the banner goes")
    }

    @Test func theOwnerSetsTheWarningThresholdWithAFlashAndAnAuditEntry() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get(Self.credits)
        let saved = client.post(Self.warning, [("_csrf", page.csrf), ("version", "0"), ("threshold", "12.5")])
        #expect(saved.status == 303 && saved.location == Self.credits)
        #expect(try t.database.creditWarning(orgId: t.org.id!) == CreditWarningSetting(thresholdMicros: 12_500_000, version: 1))
        let after = client.get(Self.credits)
        #expect(after.contains("You will be warned when the balance falls below €12.50 EUR."))
        #expect(Self.threshold(after) == "12.50" && after.inputValue("version") == "1")
        #expect(client.get("/orgs/acme/settings/audit").contains("Credit warning threshold changed"))
    }

    @Test(arguments: [
        ("-5", "zero or more"), ("five", "such as 10"), ("1.999", "at most 2 decimals"), ("12345678901234", "at most"),
        ("1e9", "such as 10"), (String(repeating: "9", count: 41), "at most 40 characters"), ("\u{1}3", "such as 10"),
    ])
    func aBadThresholdIs422BesideTheFieldAndChangesNothing(typed: String, message: String) throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let csrf = client.get(Self.credits).csrf
        let auditBefore = try t.snapshot().auditCount
        let refused = client.post(Self.warning, [("_csrf", csrf), ("version", "0"), ("threshold", typed)])
        #expect(refused.status == 422)
        #expect(refused.contains(message), "\(typed)")
        #expect(refused.contains("id=\"error-summary\"") && refused.contains("aria-invalid=\"true\""))
        #expect(try t.database.creditWarning(orgId: t.org.id!) == CreditWarningSetting(thresholdMicros: 0, version: 0))
        #expect(try t.snapshot().auditCount == auditBefore)
    }

    @Test func aStaleMissingCSRFOrAdminPostChangesNothing() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let csrf = client.get(Self.credits).csrf
        #expect(client.post(Self.warning, [("_csrf", csrf), ("version", "0"), ("threshold", "8")]).status == 303)
        let stale = client.post(Self.warning, [("_csrf", csrf), ("version", "0"), ("threshold", "9")])
        #expect(stale.status == 409 && stale.contains("Someone changed the warning threshold"))
        #expect(Self.threshold(stale) == "9" && stale.inputValue("version") == "1", "kept, to save again knowingly")
        #expect(client.post(Self.warning, [("version", "1"), ("threshold", "9")]).status == 403)
        let admin = try t.client(signedInAs: "admin@acme.test")
        let adminPage = admin.get(Self.credits)
        #expect(
            adminPage.status == 200 && adminPage.contains("Only an Owner can change the threshold.")
                && !adminPage.contains("name=\"threshold\""))
        #expect(admin.post(Self.warning, [("_csrf", adminPage.csrf), ("version", "1"), ("threshold", "1")]).status == 403)
        #expect(try t.database.creditWarning(orgId: t.org.id!).thresholdMicros == 8_000_000)
    }

    @Test func enterpriseModeAnswersTheNoticeOnEveryBillingRouteAndDebitsNothing() throws {
        let t = try TestApp(mode: .enterprise)
        let client = try t.client(signedInAs: "owner@acme.test")
        for path in ["", "/credits", "/transactions", "/transactions.csv?kind=usage"] {
            let page = client.get("/orgs/acme/settings/billing" + path)
            #expect(page.status == 200 && page.contains("Billing runs through your enterprise agreement."), "\(path)")
        }
        let csrf = client.get("/orgs/acme/settings/billing").csrf
        let post = client.post(Self.warning, [("_csrf", csrf), ("version", "0"), ("threshold", "5")])
        #expect(post.status == 200 && post.contains("Billing runs through your enterprise agreement."))
        #expect(try t.database.creditWarning(orgId: t.org.id!).version == 0)
        #expect(!client.get("/orgs/acme/settings/general").contains("AI credits"))
    }

    @Test func apiIngestionDebitsCreditsAndTheEntitlementAnswersFromTheBalance() throws {
        let w = try APIWorld()
        try w.database.createWorkspace(orgId: w.t.org.id!, key: "example", name: "Example", shared: true)
        let key = try w.key(["usage:write", "org:read"]).secret
        let before = APIWorld.json(w.call("GET", "entitlements", key: key))["usePaidAI"] as? [String: Any]
        #expect(before?["allowed"] as? Bool == false && before?["code"] as? String == "credits_exhausted")
        try w.database.grantPromotionalCredits(orgId: w.t.org.id!, micros: 2_000, expiresAt: nil, reference: "t")
        #expect((APIWorld.json(w.call("GET", "entitlements", key: key))["usePaidAI"] as? [String: Any])?["allowed"] as? Bool == true)
        let batch = APIWorld.events([APIWorld.event("a", cost: 1_200), APIWorld.event("b", cost: 800)])
        #expect(w.call("POST", "usage/events", key: key, json: batch).status == 200)
        #expect(w.call("POST", "usage/events", key: key, json: batch).status == 200, "a replay is all duplicates")
        #expect(try w.database.creditBalance(orgId: w.t.org.id!).balanceMicros == 0)
        let after = try #require(APIWorld.json(w.call("GET", "entitlements", key: key))["usePaidAI"] as? [String: Any])
        #expect(after["allowed"] as? Bool == false && (after["reason"] as? String)?.contains("used up") == true)
    }
}
