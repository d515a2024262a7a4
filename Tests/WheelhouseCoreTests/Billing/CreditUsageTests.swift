import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Usage debits credits in the transaction that records it (SaaS only): the non-BYOK cost, once
/// per organization and day per batch, never for duplicates, a rolled-back batch or a rebuild.
@Suite("Credits debited by usage") struct CreditUsageTests {
    let clock = TestClock()

    /// `acme` (workspaces `lab`, `ops`) and `other` (`lab`), with billing on or off.
    func fixture(billing: Bool = true) throws -> Fixture {
        let clock = clock
        var database = try AppDatabase.inMemory(now: { clock.now })
        database.billingEnabled = billing
        let f = try Fixture(database: database)
        try f.database.createWorkspace(orgId: f.org.id!, key: "lab", name: "Lab", shared: true)
        try f.database.createWorkspace(orgId: f.org.id!, key: "ops", name: "Ops", shared: false)
        let other = try f.database.access(orgKey: "other", userId: f.outsider.id!).org
        try f.database.createWorkspace(orgId: other.id!, key: "lab", name: "Their lab", shared: true)
        return f
    }

    func event(_ key: String, cost: Int64, byok: Bool = false, org: String = "acme", daysAgo: Int64 = 0) -> UsageEventInput {
        UsageEventInput(
            org: org, at: Int64(clock.now.timeIntervalSince1970) - daysAgo * 86_400, workspace: "lab", kind: "llm_call",
            status: .success, provider: byok ? "anthropic" : "openai", model: "gpt-4o", inputTokens: 100, outputTokens: 50,
            costMicros: cost, byok: byok, idempotencyKey: key)
    }

    func ledger(_ f: Fixture, kind: String = "usage") throws -> [Int64] {
        try f.database.read { db in
            try Int64.fetchAll(db, sql: "SELECT amountMicros FROM creditLedger WHERE kind = ? ORDER BY orgId, day", arguments: [kind])
        }
    }

    func balance(_ f: Fixture, org: Int64? = nil) throws -> Int64 {
        try f.database.creditBalance(orgId: org ?? f.org.id!).balanceMicros
    }

    @Test func anImportDebitsExactlyTheNonBYOKCost() throws {
        let f = try fixture()
        try f.database.grantPromotionalCredits(orgId: f.org.id!, micros: 10_000_000, expiresAt: nil, reference: "t")
        let outcome = try f.database.recordUsage([
            event("a", cost: 1_250), event("b", cost: 3_000), event("c", cost: 40_000, byok: true), event("d", cost: 5),
        ])
        #expect(outcome.imported == 4)
        #expect(try ledger(f) == [-4_255])
        #expect(try balance(f) == 10_000_000 - 4_255)
    }

    @Test func byokUsageIsCountedButCostsNothing() throws {
        let f = try fixture()
        try f.database.grantPromotionalCredits(orgId: f.org.id!, micros: 1_000_000, expiresAt: nil, reference: "t")
        #expect(try f.database.recordUsage([event("a", cost: 900_000, byok: true), event("b", cost: 9, byok: true)]).imported == 2)
        #expect(try ledger(f).isEmpty)
        #expect(try balance(f) == 1_000_000)
    }

    @Test func aDuplicateBatchDebitsNothing() throws {
        let f = try fixture()
        let batch = [event("a", cost: 2_000), event("b", cost: 3_000)]
        _ = try f.database.recordUsage(batch)
        let again = try f.database.recordUsage(batch)
        #expect(again.imported == 0 && again.duplicates == 2)
        #expect(try ledger(f) == [-5_000])
        #expect(try balance(f) == -5_000, "usage that happened is recorded even without credits: it is owed")
        #expect(try f.database.creditBalance(orgId: f.org.id!).owedMicros == 5_000)
    }

    @Test func enterpriseModeDebitsNothing() throws {
        let f = try fixture(billing: false)
        #expect(try f.database.recordUsage([event("a", cost: 2_000)]).imported == 1)
        let rows = try f.database.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM creditLedger")!,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM creditAccount")!
            )
        }
        #expect(rows == (0, 0))
        #expect(try f.database.entitlement(orgId: f.org.id!, for: .paidAI).allowed)
    }

    struct Boom: Error {}

    @Test func aBatchRolledBackDebitsNothing() throws {
        let f = try fixture()
        try f.database.grantPromotionalCredits(orgId: f.org.id!, micros: 1_000_000, expiresAt: nil, reference: "t")
        #expect(throws: Boom.self) {
            try f.database.writer.write { db in
                _ = try UsageWriter.record(
                    db, [event("a", cost: 7_000)], defaultOrg: nil, zones: ZoneCache(), billing: .eur, now: clock.now)
                #expect(try AppDatabase.creditBalance(db, orgId: f.org.id!).balanceMicros == 993_000, "debited inside the transaction")
                throw Boom()
            }
        }
        #expect(try ledger(f).isEmpty)
        #expect(try balance(f) == 1_000_000)
        #expect(try f.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM usageEvent")! } == 0)
    }

    @Test func oneDebitPerOrganizationAndDayWhateverTheEvents() throws {
        let f = try fixture()
        var batch = (0..<500).map { event("today-\($0)", cost: 10) }
        batch += (0..<300).map { event("yesterday-\($0)", cost: 20, daysAgo: 1) }
        batch += (0..<100).map { event("other-\($0)", cost: 30, org: "other") }
        #expect(try f.database.recordUsage(batch).imported == 900)
        let rows = try f.database.read { db in
            try Row.fetchAll(db, sql: "SELECT orgId, day, amountMicros FROM creditLedger ORDER BY orgId, day")
        }
        #expect(rows.map { $0[2] as Int64 } == [-6_000, -5_000, -3_000])
        #expect(Set(rows.map { $0[1] as String }).count == 2, "two days of acme's zone; other's day is one of them")
    }

    @Test func theImporterDebitsThroughTheSamePath() throws {
        let f = try fixture()
        let at = Int64(clock.now.timeIntervalSince1970)
        let lines = (0..<3).map { i in
            #"{"time":\#(at),"workspace":"lab","kind":"llm_call","status":"success","provider":"openai","model":"gpt-4o","input_tokens":1,"output_tokens":1,"cost_micros":1000,"byok":\#(i == 2),"idempotency_key":"imp-\#(i)"}"#
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wh-credits-\(UUID()).jsonl").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let summary = try UsageImporter(database: f.database, defaultOrg: "acme").run(fileDescriptor: fd)
        #expect(summary.imported == 3)
        #expect(try ledger(f) == [-2_000])
    }

    @Test func aRollupRebuildAfterAZoneChangeDebitsNothingAgain() throws {
        let f = try fixture()
        _ = try f.database.recordUsage((0..<50).map { event("e\($0)", cost: 100, daysAgo: Int64($0 % 3)) })
        let before = try (ledger(f), balance(f))
        try UsageTests().setZone(f, org: "acme", "Pacific/Auckland")
        while try f.database.runUsageRebuildBatch(batchSize: 7) {}
        #expect(try ledger(f) == before.0 && balance(f) == before.1)
    }
}
