import Foundation
import WheelhouseCore
import GRDB

extension Demo {
    /// The demo org's billing: the test Visa (4242) saved through the test gateway, German
    /// billing details, auto-refill on (below €10 → €50, cap €200) — switched on at a zero
    /// balance, so it refills once at once — then three paid purchases (€10, €25, €50), each with
    /// its invoice. Olivia's Lab gets no card. Seeded before usage, so usage debits come after.
    static func seedPayments(_ database: AppDatabase, owner: User, orgKey: String, environment: [String: String]) throws {
        let actor = Actor(user: owner, address: "demo")
        let setup = BillingSetup(
            seller: Seller.from(environment: environment), currency: database.currency, gateway: TestModeGateway(database: database))
        let card = try setup.gateway.tokenize(
            CardDetails(
                number: "4242424242424242", expiryMonth: 12, expiryYear: 2030, cvc: "424", holderName: "Olivia Owner", country: "DE"))
        try database.saveCard(orgKey: orgKey, card, expectedVersion: 0, by: actor)
        try database.saveBillingDetails(
            orgKey: orgKey,
            BillingDetails(
                legalName: "Demo Robotics GmbH", address: "Torstraße 49\n10119 Berlin", country: "DE", email: "billing@demo.test", vatId: ""
            ),
            expectedVersion: 0, by: actor)
        try database.setAutoRefill(
            orgKey: orgKey, enabled: true, thresholdMinor: 1_000, targetMinor: 5_000, capMinor: 20_000, expectedVersion: 0, currency: .eur,
            by: actor)
        let orgId = try database.access(orgKey: orgKey, userId: owner.id!).org.id!
        try database.refillIfNeeded(orgId: orgId, setup: setup)
        // Its "auto-refill added credits" notice, read already: the demo's unread count stays as documented.
        for id in try database.read({ db in
            try Int64.fetchAll(
                db, sql: "SELECT id FROM notification WHERE userId = ? AND kind = 'billing.auto-refill-done'", arguments: [owner.id!])
        }) {
            _ = try database.markNotificationRead(id: id, userId: owner.id!)
        }
        for (i, amount) in [Int64(1_000), 2_500, 5_000].enumerated() {
            _ = try database.buyCredits(
                orgKey: orgKey, creditsMinor: amount, idempotencyKey: "demo-purchase-\(i)-0000000000", setup: setup, by: actor)
            // Charged now, as the payment worker of `serve` would: usage is seeded after, on top.
            try database.runQueuedPayments(setup: setup)
        }
    }
}
