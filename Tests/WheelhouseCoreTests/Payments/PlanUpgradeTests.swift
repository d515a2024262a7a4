import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Upgrades: the charge is the preview's prorated amount plus VAT to the cent, the plan moves
/// only with the payment's success and its invoice, a double submit charges once, a declined
/// card changes nothing.
@Suite("Plan upgrades") struct PlanUpgradeTests {
    func key() -> String { "k" + UUID().uuidString.replacingOccurrences(of: "-", with: "") }

    @Test func theChargeEqualsThePreviewAndThePlanMovesWithItsInvoice() throws {
        let world = try BillingWorld()
        let org = try world.database.access(orgKey: "acme", userId: world.fixture.owner.id!).org
        let quote = try #require(
            UpgradeQuote.quote(from: .pro, to: .business, now: world.clock.now, timeZone: TimeZone(identifier: org.timeZone)!))
        let k = key()
        let payment = try #require(
            try world.database.upgradePlanAndCharge(orgKey: "acme", to: .business, idempotencyKey: k, setup: world.setup(), by: world.owner)
        )
        #expect(payment.status == .succeeded && payment.kind == .upgrade)
        #expect(payment.creditsMinor == quote.amountMinor, "the net is the preview's amount")
        #expect(
            payment.totalMinor == quote.amountMinor
                + VATTreatment.of(buyerCountry: "DE", buyerVATId: "", sellerCountry: "DE").vat(onNet: quote.amountMinor))
        #expect(try world.database.planUsage(orgId: world.orgId).plan == .business)
        #expect(try world.balance() == 0, "an upgrade buys no credits")
        let line = try world.database.read { db in try String.fetchOne(db, sql: "SELECT description FROM invoiceLine")! }
        #expect(line.contains("Business"))
        // The same form again: the first payment, no second charge.
        let again = try world.database.upgradePlanAndCharge(
            orgKey: "acme", to: .business, idempotencyKey: k, setup: world.setup(), by: world.owner)
        #expect(again?.id == payment.id)
        #expect(try world.count("SELECT COUNT(*) FROM testGatewayCharge") == 1)
    }

    @Test func aDeclinedCardLeavesThePlanAndTakesNoInvoiceNumber() throws {
        let world = try BillingWorld(card: "4000000000000002")
        let payment = try world.database.upgradePlanAndCharge(
            orgKey: "acme", to: .business, idempotencyKey: key(), setup: world.setup(), by: world.owner)
        #expect(payment?.status == .failed)
        #expect(try world.database.planUsage(orgId: world.orgId).plan == .pro)
        #expect(try world.count("SELECT lastNumber FROM invoiceCounter") == 0)
    }

    @Test func onlyHigherSelfServePlansAndOnlyOwners() throws {
        let world = try BillingWorld()
        #expect(throws: DomainError.notFound) {
            try world.database.upgradePlanAndCharge(
                orgKey: "acme", to: .starter, idempotencyKey: key(), setup: world.setup(), by: world.owner)
        }
        #expect(throws: DomainError.notFound) {
            try world.database.upgradePlanAndCharge(
                orgKey: "acme", to: .enterprise, idempotencyKey: key(), setup: world.setup(), by: world.owner)
        }
        let admin = Actor(user: world.fixture.admin, address: "test")
        #expect(throws: DomainError.self) {
            try world.database.upgradePlanAndCharge(orgKey: "acme", to: .business, idempotencyKey: key(), setup: world.setup(), by: admin)
        }
        #expect(try world.database.planUsage(orgId: world.orgId).plan == .pro)
    }
}
