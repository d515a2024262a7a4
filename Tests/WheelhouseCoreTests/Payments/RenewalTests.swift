import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Renewals at each period start and the dunning schedule (issue 12, "payment failed"), with
/// explicit times instead of waiting for months.
@Suite("Plan renewals and dunning") struct RenewalTests {
    static func day(_ text: String) -> Date {
        Date(timeIntervalSince1970: TimeInterval(RFC3339.seconds(Array("\(text)T12:00:00Z".utf8))!))
    }

    /// The fixture on Pro, its subscription started in September 2026 (the other organization on Free).
    static func onPro(card: String? = "4242424242424242") throws -> BillingWorld {
        let world = try BillingWorld(card: card)
        try world.database.writer.write { db in
            try db.execute(sql: "UPDATE organization SET plan = CASE key WHEN 'acme' THEN 'pro' ELSE 'free' END")
        }
        try world.database.runDueRenewals(at: day("2026-09-21"), setup: world.setup())
        return world
    }

    @Test func aPaidPlanIsChargedOnceAtEachPeriodStartWithItsInvoice() throws {
        let world = try Self.onPro()
        #expect(try world.database.subscriptionState(orgId: world.orgId)?.paidThrough.description == "2026-09")
        #expect(try world.database.runDueRenewals(at: Self.day("2026-09-30"), setup: world.setup()) == 0)
        #expect(try world.database.runDueRenewals(at: Self.day("2026-10-01"), setup: world.setup()) == 1)
        #expect(try world.database.runDueRenewals(at: Self.day("2026-10-02"), setup: world.setup()) == 0)
        let invoices = try world.database.invoices(orgId: world.orgId)
        #expect(invoices.count == 1)
        // €49 plus German VAT at 19 %.
        #expect(invoices.first?.totalMinor == 5_831 && invoices.first?.lines.first?.description == "The Pro plan for October 2026")
        #expect(try world.database.subscriptionState(orgId: world.orgId)?.paidThrough.description == "2026-10")
        #expect(try world.count("SELECT count(*) FROM auditEvent WHERE action = 'billing.renewal'") == 1)
        // Credits are not touched by a renewal.
        #expect(try world.balance() == 0)
    }

    @Test func twoProcessesRenewingAtOnceChargeOnce() throws {
        let world = try Self.onPro()
        let second = try world.secondInstance()
        let at = Self.day("2026-10-01")
        let group = DispatchGroup()
        for database in [world.database, second, world.database, second] {
            DispatchQueue.global().async(group: group) { _ = try? database.runDueRenewals(at: at, setup: world.setup(database)) }
        }
        group.wait()
        #expect(try world.count("SELECT count(*) FROM payment WHERE kind = 'renewal'") == 1)
        #expect(try world.count("SELECT count(*) FROM testGatewayCharge") == 1)
        #expect(try world.database.invoices(orgId: world.orgId).count == 1)
    }

    @Test func aDeclinedRenewalIsRetriedAfterOneThreeAndFiveDaysThenMovesToFree() throws {
        let world = try Self.onPro(card: "4000000000000341")
        let setup = world.setup()
        #expect(try world.database.runDueRenewals(at: Self.day("2026-10-01"), setup: setup) == 1)
        var due = try #require(try world.database.subscriptionState(orgId: world.orgId)?.pastDue)
        #expect(due.attempts == 1 && due.month.description == "2026-10" && due.nextRetryAt == Self.day("2026-10-02"))
        #expect(due.reason == DeclineCode.cardDeclined.message && due.movesToFreeAt == Self.day("2026-10-06"))
        // Not before its day.
        #expect(try world.database.runDueRenewals(at: Self.day("2026-10-01").addingTimeInterval(3600), setup: setup) == 0)
        for (day, attempts, next) in [("2026-10-02", 2, "2026-10-04"), ("2026-10-04", 3, "2026-10-06")] {
            #expect(try world.database.runDueRenewals(at: Self.day(day), setup: setup) == 1)
            due = try #require(try world.database.subscriptionState(orgId: world.orgId)?.pastDue)
            #expect(due.attempts == attempts && due.nextRetryAt == Self.day(next))
        }
        #expect(try world.database.planUsage(orgId: world.orgId).plan == .pro, "still Pro while retries remain")
        #expect(try world.database.runDueRenewals(at: Self.day("2026-10-06"), setup: setup) == 1)
        #expect(try world.database.planUsage(orgId: world.orgId).plan == .free)
        #expect(try world.database.subscriptionState(orgId: world.orgId)?.pastDue == nil)
        #expect(try world.count("SELECT count(*) FROM payment WHERE kind = 'renewal' AND status = 'failed'") == 4)
        #expect(try world.count("SELECT count(*) FROM invoice") == 0, "a failed payment takes no invoice number")
        #expect(try world.count("SELECT count(*) FROM auditEvent WHERE action = 'billing.renewal.fail'") == 3)
        #expect(try world.count("SELECT count(*) FROM auditEvent WHERE action = 'organization.plan' AND summary LIKE '%→ free%'") == 1)
        // Owners and Admins are told each time, in the payment group (never as a credit problem).
        #expect(
            try world.count("SELECT count(DISTINCT title) FROM notification WHERE kind = '\(NotificationKind.paymentFailed.rawValue)'") == 4
        )
        // On Free no renewal is charged any more.
        #expect(try world.database.runDueRenewals(at: Self.day("2026-11-01"), setup: setup) == 0)
    }

    @Test func retryingNowAfterTheCardIsReplacedPaysAndEndsThePastDueState() throws {
        let world = try Self.onPro(card: "4000000000000341")
        let setup = world.setup()
        try world.database.runDueRenewals(at: Self.day("2026-10-01"), setup: setup)
        let due = try #require(try world.database.subscriptionState(orgId: world.orgId)?.pastDue)
        let admin = Actor(user: world.fixture.admin, address: "test")
        #expect(throws: DomainError.forbidden(.manageBilling)) {
            try world.database.retryRenewalNow(orgKey: "acme", expectedVersion: due.version, setup: setup, by: admin)
        }
        #expect(throws: DomainError.staleVersion) {
            try world.database.retryRenewalNow(orgKey: "acme", expectedVersion: due.version - 1, setup: setup, by: world.owner)
        }
        try world.save(card: "4242424242424242")
        let queued = try world.database.retryRenewalNow(orgKey: "acme", expectedVersion: due.version, setup: setup, by: world.owner)
        #expect(queued.status == .pending, "the request only queues the charge")
        let paid = try world.database.afterPaymentWorker(orgId: world.orgId, paymentId: queued.id, setup: setup)
        #expect(paid.status == .succeeded && paid.invoiceNumber == 1)
        let state = try #require(try world.database.subscriptionState(orgId: world.orgId))
        #expect(state.pastDue == nil && state.paidThrough.description == "2026-10")
        #expect(try world.count("SELECT count(*) FROM auditEvent WHERE action = 'billing.renewal.retry' AND actorUserId IS NOT NULL") == 1)
    }

    @Test func withoutACardTheRenewalFailsAndARetryNowIsRefusedWithoutUsingAnAttempt() throws {
        let world = try Self.onPro(card: nil)
        try world.database.runDueRenewals(at: Self.day("2026-10-01"), setup: world.setup())
        let due = try #require(try world.database.subscriptionState(orgId: world.orgId)?.pastDue)
        #expect(due.attempts == 1 && due.reason.contains("card"))
        #expect(try world.count("SELECT count(*) FROM payment") == 0, "nothing reached the gateway")
        #expect(throws: DomainError.self) {
            try world.database.retryRenewalNow(orgKey: "acme", expectedVersion: due.version, setup: world.setup(), by: world.owner)
        }
        #expect(try world.database.subscriptionState(orgId: world.orgId)?.pastDue?.attempts == 1)
    }

    @Test func anUpgradeStartsTheSubscriptionInItsMonth() throws {
        let world = try BillingWorld()
        try world.database.writer.write { db in try db.execute(sql: "UPDATE organization SET plan = 'starter' WHERE key = 'acme'") }
        let paid = try world.database.upgradePlanAndCharge(
            orgKey: "acme", to: .pro, idempotencyKey: key(), setup: world.setup(), by: world.owner)
        #expect(paid?.status == .succeeded)
        let month = UsageMonth(containing: world.database.usageToday(of: world.fixture.org))
        #expect(try world.database.subscriptionState(orgId: world.orgId)?.paidThrough == month)
    }
}
