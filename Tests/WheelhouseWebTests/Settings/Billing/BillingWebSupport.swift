import Foundation
import WheelhouseTestSupport
import GRDB
import WheelhouseCore
@testable import WheelhouseWeb

/// Billing's test setup: a card saved through the test gateway and German consumer details for
/// acme, the way the Payment method page saves them.
enum BillingWebSupport {
    static let base = "/orgs/acme/settings/billing"

    static func prepare(_ t: TestApp, card: String = "4242424242424242", country: String = "DE") throws {
        let owner = WheelhouseCore.Actor(user: t.owner, address: "test")
        let saved = try TestModeGateway(database: t.database).tokenize(
            CardDetails(number: card, expiryMonth: 12, expiryYear: 2040, cvc: "123", holderName: "Olga Owner", country: country))
        try t.database.saveCard(
            orgKey: "acme", saved, expectedVersion: try t.database.billingProfile(orgId: t.org.id!).cardVersion, by: owner)
        try t.database.saveBillingDetails(
            orgKey: "acme",
            BillingDetails(
                legalName: "Acme GmbH", address: "Hauptstraße 5\n10115 Berlin", country: country, email: "billing@acme.test", vatId: ""),
            expectedVersion: try t.database.billingProfile(orgId: t.org.id!).details?.version ?? 0, by: owner)
    }

    /// The confirmation step's form for `amount` (in units), as the browser would post it.
    static func confirmationFields(_ client: TestClient, amount: String) -> [(String, String)] {
        let page = client.get(base + "/credits/buy?amount=\(amount)")
        return [("_csrf", page.csrf), ("amount", page.inputValue("amount") ?? ""), ("key", page.inputValue("key") ?? "")]
    }

    /// What `serve`'s payment worker does after a request queued a charge, at once.
    static func runPaymentWorker(_ t: TestApp) throws {
        try t.database.runQueuedPayments(setup: BillingSetup(seller: .demo, currency: .eur, gateway: TestModeGateway(database: t.database)))
    }

    /// The fixture organization's renewal declined once: the first run starts its subscription in
    /// this month, the second, forty days on, charges the next month's and fails (with a card that
    /// fails every charge) or has no card to charge.
    static func makePastDue(_ t: TestApp) throws {
        let setup = BillingSetup(seller: .demo, currency: .eur, gateway: TestModeGateway(database: t.database))
        try t.database.runDueRenewals(at: t.database.now(), setup: setup)
        try t.database.runDueRenewals(at: t.database.now().addingTimeInterval(40 * 86_400), setup: setup)
        guard try t.database.subscriptionState(orgId: t.org.id!)?.pastDue != nil else { throw TestFailure("no renewal past due") }
    }

    static func balance(_ t: TestApp) throws -> Int64 { try t.database.creditBalance(orgId: t.org.id!).balanceMicros }

    static func challengeId(_ t: TestApp) throws -> String {
        try t.database.read { db in
            try String.fetchOne(db, sql: "SELECT challengeId FROM payment WHERE challengeId IS NOT NULL ORDER BY id DESC")!
        }
    }
}
