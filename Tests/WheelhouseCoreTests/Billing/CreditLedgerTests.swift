import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Credit lots and the ledger: usage draws soonest-expiring first, then oldest; what no lot
/// covers is owed and settled by the next credits; expired remainders are written off; and the
/// balance always equals Σ lots remaining − owed = Σ ledger entries.
@Suite("Credit lots and ledger") struct CreditLedgerTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }
    var orgId: Int64 { fixture.org.id! }

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    func add(_ kind: CreditEntryKind, _ micros: Int64, expiresIn days: Double? = nil) throws {
        _ = try database.writer.write { db in
            try AppDatabase.addCredits(
                db, orgId: orgId, kind: kind, micros: micros, expiresAt: days.map { clock.now.addingTimeInterval($0 * 86_400) },
                reference: "test", now: clock.now)
        }
    }

    func use(_ micros: Int64, day: String = "2026-09-21") throws {
        try database.writer.write { db in try AppDatabase.debitUsage(db, orgId: orgId, day: day, micros: micros, now: clock.now) }
    }

    /// (balance, Σ lots remaining − owed, Σ ledger)
    func sums() throws -> (Int64, Int64, Int64) {
        try database.reader.read { db in
            let account = try AppDatabase.creditBalance(db, orgId: orgId)
            let lots = try Int64.fetchOne(
                db, sql: "SELECT coalesce(sum(remainingMicros), 0) FROM creditLot WHERE orgId = ?", arguments: [orgId])!
            let ledger = try Int64.fetchOne(
                db, sql: "SELECT coalesce(sum(amountMicros), 0) FROM creditLedger WHERE orgId = ?", arguments: [orgId])!
            return (account.balanceMicros, lots - account.owedMicros, ledger)
        }
    }

    @Test func usageDrawsTheSoonestExpiringLotFirstThenTheOldest() throws {
        try add(.purchase, 5_000_000)
        try add(.promotion, 2_000_000, expiresIn: 20)
        try add(.purchase, 1_000_000)
        try use(2_500_000)
        let remaining = try database.reader.read { db in
            try Int64.fetchAll(db, sql: "SELECT remainingMicros FROM creditLot ORDER BY id")
        }
        #expect(remaining == [4_500_000, 0, 1_000_000])
    }

    @Test func usagePastTheCreditsIsOwedAndSettledByTheNextPurchase() throws {
        try add(.purchase, 1_000_000)
        try use(1_500_000)
        #expect(try database.creditBalance(orgId: orgId) == CreditBalance(balanceMicros: -500_000, owedMicros: 500_000, version: 3))
        try add(.purchase, 2_000_000)
        let balance = try database.creditBalance(orgId: orgId)
        #expect(balance.balanceMicros == 1_500_000 && balance.owedMicros == 0)
        let (a, b, c) = try sums()
        #expect(a == b && b == c)
    }

    @Test func expiredRemaindersAreWrittenOffWithALedgerEntry() throws {
        try add(.promotion, 3_000_000, expiresIn: 20)
        try use(1_000_000)
        clock.advance(21 * 86_400)
        #expect(try database.expireCreditLots() == 1)
        #expect(try database.expireCreditLots() == 0)
        let last = try database.reader.read { db in
            try Row.fetchOne(db, sql: "SELECT kind, amountMicros FROM creditLedger ORDER BY id DESC LIMIT 1")!
        }
        #expect(last[0] as String == "expiry" && last[1] as Int64 == -2_000_000)
        #expect(try database.creditBalance(orgId: orgId).balanceMicros == 0)
    }

    @Test func oneUsageEntryPerDayGrowsWithEachBatch() throws {
        try add(.purchase, 10_000_000)
        try use(1_000, day: "2026-09-21")
        try use(2_000, day: "2026-09-21")
        try use(4_000, day: "2026-09-22")
        let usage = try database.reader.read { db in
            try Int64.fetchAll(db, sql: "SELECT amountMicros FROM creditLedger WHERE kind = 'usage' ORDER BY day")
        }
        #expect(usage == [-3_000, -4_000])
    }

    /// The invariant over random sequences of purchases, promotions, usage and expiry.
    @Test(arguments: 1...20) func theBalanceAlwaysEqualsLotsAndLedger(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        for step in 0..<60 {
            switch random.next() % 5 {
            case 0: try add(.purchase, Int64(random.next() % 5_000_000) + 1)
            case 1: try add(.promotion, Int64(random.next() % 2_000_000) + 1, expiresIn: Double(random.next() % 10))
            case 2, 3: try use(Int64(random.next() % 3_000_000), day: "2026-09-\(10 + step % 18)")
            default:
                clock.advance(Double(random.next() % 5) * 86_400)
                try database.expireCreditLots()
            }
            let (a, b, c) = try sums()
            #expect(a == b && b == c, "seed \(seed), step \(step)")
        }
    }
}

/// A small deterministic generator, so a failing seed can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
