import Foundation
import GRDB
import Synchronization
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Each auto-refill rule: strictly below, one in flight across threads and instances, the cap,
/// 3 an hour, switch-on below the threshold, back-off and switch-off after 3 failures.
@Suite("Auto-refill rules") struct AutoRefillTests {
    /// Below €10 → €50, cap `cap` euros; €30 of credits bought first.
    func world(card: String = "4242424242424242", cap: Int64 = 200) throws -> BillingWorld {
        let world = try BillingWorld()
        _ = try world.database.buyCreditsAndCharge(
            orgKey: "acme", creditsMinor: 3_000, idempotencyKey: key(), setup: world.setup(), by: world.owner)
        if card != "4242424242424242" { try world.save(card: card) }
        try world.database.setAutoRefill(
            orgKey: "acme", enabled: true, thresholdMinor: 1_000, targetMinor: 5_000, capMinor: cap * 100, expectedVersion: 0,
            currency: .eur, by: world.owner)
        return world
    }

    func refills(_ world: BillingWorld) throws -> Int { try world.count("SELECT COUNT(*) FROM payment WHERE kind = 'refill'") }

    @Test func strictlyBelowTheThresholdBringsItBackToTheTarget() throws {
        let world = try world()
        try world.spend(toBalance: 10)
        #expect(try world.database.refillIfNeeded(orgId: world.orgId, setup: world.setup()) == .notNeeded)
        try world.database.writer.write { db in
            try AppDatabase.debitUsage(db, orgId: world.orgId, day: "2026-09-22", micros: 1_000_000, now: world.clock.now)
        }
        guard case .charged(let payment) = try world.database.refillIfNeeded(orgId: world.orgId, setup: world.setup()) else {
            Issue.record("no refill"); return
        }
        #expect(payment.creditsMinor == 4_100 && payment.invoiceNumber == 2)
        #expect(try world.balance() == 50_000_000)
        #expect(try world.count("SELECT COUNT(*) FROM refillInFlight") == 0)
        #expect(try world.count("SELECT COUNT(*) FROM notification WHERE kind = 'billing.auto-refill-done'") == 1)
    }

    /// The usage path's hook: debits that cross the threshold, each followed (after its commit) by
    /// `refillIfNeeded` as `usage import` and the background job call it → exactly one refill.
    @Test func debitsCrossingTheThresholdCauseExactlyOneRefill() throws {
        let world = try world()
        for day in ["2026-09-01", "2026-09-02", "2026-09-03"] {
            try world.database.writer.write { db in
                try AppDatabase.debitUsage(db, orgId: world.orgId, day: day, micros: 8_000_000, now: world.clock.now)
            }
            for _ in 0..<3 { _ = try world.database.refillIfNeeded(orgId: world.orgId, setup: world.setup()) }
        }
        #expect(try refills(world) == 1)
        #expect(try world.database.invoices(orgId: world.orgId).count == 2)
        #expect(try world.balance() == 50_000_000)  // 30 → 22 → 14 → 6, refilled to 50 once
    }

    /// Many threads of two instances (two processes) call at once after the same debit: one refill.
    @Test func oneRefillInFlightAcrossThreadsAndInstances() throws {
        let world = try world()
        let other = try world.secondInstance()
        try world.spend(toBalance: 4)
        let charged = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let database = i % 2 == 0 ? world.database : other
            if case .charged? = try? database.refillIfNeeded(orgId: world.orgId, setup: world.setup(database)) {
                charged.withLock { $0 += 1 }
            }
        }
        #expect(charged.withLock { $0 } == 1)
        #expect(try refills(world) == 1)
        #expect(try world.count("SELECT COUNT(*) FROM testGatewayCharge WHERE idempotencyKey LIKE 'refill-%'") == 1)
        #expect(try world.balance() == 50_000_000)
    }

    @Test func aClaimLeftByADeadProcessIsChargedOnceWithItsKey() throws {
        let world = try world()
        try world.spend(toBalance: 4)
        try world.database.writer.write { db in
            try db.execute(
                sql:
                    "INSERT INTO payment (orgId, kind, creditsMinor, vatMinor, vatKind, vatRateBasisPoints, totalMinor, currency, idempotencyKey, status, createdAt, updatedAt) VALUES (?, 'refill', 4600, 874, 'standard', 1900, 5474, 'EUR', 'refill-dead-0000000000000', 'pending', ?, ?)",
                arguments: [world.orgId, world.clock.now, world.clock.now])
            try db.execute(
                sql: "INSERT INTO refillInFlight (orgId, paymentId, claimedAt) VALUES (?, last_insert_rowid(), ?)",
                arguments: [world.orgId, world.clock.now])
        }
        #expect(try world.database.refillIfNeeded(orgId: world.orgId, setup: world.setup()) == .inFlight)
        world.clock.advance(AutoRefillRules.staleClaim + 1)
        guard case .charged = try world.database.refillIfNeeded(orgId: world.orgId, setup: world.setup()) else {
            Issue.record("not resumed"); return
        }
        #expect(try refills(world) == 1)
    }

    @Test func theCapIsCheckedBeforeCharging() throws {
        let world = try world(cap: 60)  // one refill of ~€54.74 fits, a second does not
        try world.spend(toBalance: 4)
        guard case .charged = try world.database.refillIfNeeded(orgId: world.orgId, setup: world.setup()) else {
            Issue.record("first"); return
        }
        try world.spend(toBalance: 4)
        #expect(try world.database.refillIfNeeded(orgId: world.orgId, setup: world.setup()) == .skippedCap)
        #expect(try refills(world) == 1)
        let status = try world.database.autoRefillStatus(orgId: world.orgId)
        #expect(status.settings.lastNote.contains("cap") && status.capLeftMinor == 6_000 - 5_474)
        #expect(try world.count("SELECT COUNT(*) FROM testGatewayCharge") == 2)
    }

    @Test func atMostThreeRefillsAnHour() throws {
        let world = try world(cap: 1_000)
        for _ in 0..<3 {
            try world.spend(toBalance: 1)
            guard case .charged = try world.database.refillIfNeeded(orgId: world.orgId, setup: world.setup()) else {
                Issue.record("refill"); return
            }
        }
        try world.spend(toBalance: 1)
        #expect(try world.database.refillIfNeeded(orgId: world.orgId, setup: world.setup()) == .skippedHourly)
        world.clock.advance(3_601)
        guard case .charged = try world.database.refillIfNeeded(orgId: world.orgId, setup: world.setup()) else {
            Issue.record("later"); return
        }
        #expect(try refills(world) == 4)
    }

    @Test func switchingOnBelowTheThresholdRefillsAtOnce() throws {
        let world = try BillingWorld()
        #expect(try world.database.dueRefills(setup: world.setup()).isEmpty)
        try world.database.setAutoRefill(
            orgKey: "acme", enabled: true, thresholdMinor: 1_000, targetMinor: 5_000, capMinor: 20_000, expectedVersion: 0, currency: .eur,
            by: world.owner)
        #expect(try world.database.dueRefills(setup: world.setup()) == [world.orgId])
        guard case .charged = try world.database.refillIfNeeded(orgId: world.orgId, setup: world.setup()) else {
            Issue.record("none"); return
        }
        #expect(try world.balance() == 50_000_000)
    }

    @Test func failuresBackOffThenThreeSwitchItOffAndTellTheOwners() throws {
        let world = try world(card: "4000000000000341")
        try world.spend(toBalance: 4)
        let setup = world.setup()
        #expect(try world.database.refillIfNeeded(orgId: world.orgId, setup: setup) == .failed(.cardDeclined, switchedOff: false))
        #expect(try world.database.refillIfNeeded(orgId: world.orgId, setup: setup) == .backingOff)
        #expect(try world.database.dueRefills(setup: setup).isEmpty)
        world.clock.advance(AutoRefillRules.backoff(afterFailures: 1))
        #expect(try world.database.dueRefills(setup: setup) == [world.orgId])
        #expect(try world.database.refillIfNeeded(orgId: world.orgId, setup: setup) == .failed(.cardDeclined, switchedOff: false))
        world.clock.advance(AutoRefillRules.backoff(afterFailures: 2) - 1)
        #expect(try world.database.refillIfNeeded(orgId: world.orgId, setup: setup) == .backingOff)
        world.clock.advance(1)
        #expect(try world.database.refillIfNeeded(orgId: world.orgId, setup: setup) == .failed(.cardDeclined, switchedOff: true))
        let status = try world.database.autoRefillStatus(orgId: world.orgId)
        #expect(!status.settings.enabled && status.settings.lastNote.contains("Switched off"))
        #expect(try world.database.refillIfNeeded(orgId: world.orgId, setup: setup) == .disabled)
        #expect(try world.balance() == 4_000_000)
        #expect(
            try world.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'owner@acme.test' AND subject LIKE 'Auto-refill failed%'") == 1)
        #expect(try world.count("SELECT COUNT(*) FROM auditEvent WHERE action = 'billing.autoRefill.off'") == 1)
    }

    @Test func settingsAreChecked() throws {
        let world = try BillingWorld()
        func refused(_ t: Int64?, _ target: Int64?, _ cap: Int64?) -> Bool {
            (try? world.database.setAutoRefill(
                orgKey: "acme", enabled: true, thresholdMinor: t, targetMinor: target, capMinor: cap, expectedVersion: 0, currency: .eur,
                by: world.owner)) == nil
        }
        #expect(refused(5_000, 5_000, 20_000))  // threshold ≥ target
        #expect(refused(1_000, 5_000, 3_000))  // cap below one refill
        #expect(refused(0, 5_000, 20_000))
        #expect(refused(nil, 5_000, 20_000))
        #expect(try world.count("SELECT COUNT(*) FROM autoRefill") == 0)
    }
}
