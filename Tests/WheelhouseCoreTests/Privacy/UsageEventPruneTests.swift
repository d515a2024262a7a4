import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Raw usage events past the privacy window are deleted; the daily rollups (and so the Usage page)
/// stay exactly as they were, also after a time-zone change rebuilds them from the events left.
@Suite("Privacy: usage events") struct UsageEventPruneTests {
    static let day: Int64 = 86_400

    /// acme with workspaces lab and ops, on a test clock.
    static func world() throws -> (Fixture, TestClock) {
        let clock = TestClock()
        let f = try Fixture(now: { clock.now })
        try f.database.createWorkspace(orgId: f.org.id!, key: "lab", name: "Lab", shared: true)
        try f.database.createWorkspace(orgId: f.org.id!, key: "ops", name: "Ops", shared: false)
        return (f, clock)
    }

    /// `count` events between `from` and `to` days before now, keys `prefix…`.
    static func events(_ count: Int, prefix: String, daysAgo from: Int64, to: Int64, now: Date) -> [UsageEventInput] {
        let end = Int64(now.timeIntervalSince1970) - to * day, span = (from - to) * day
        return (0..<count).map { (i: Int) -> UsageEventInput in
            let at: Int64 = end - (Int64(i) * 7_919) % span
            return UsageEventInput(
                org: "acme", at: at, workspace: i % 3 == 0 ? "ops" : "lab", kind: "llm_call",
                status: i % 7 == 0 ? .error : .success, provider: "openai", model: i % 2 == 0 ? "gpt-4o" : "gpt-4o-mini",
                inputTokens: Int64(i % 900), outputTokens: Int64(i % 300), costMicros: Int64(i % 5_000), byok: i % 5 == 0,
                idempotencyKey: prefix + String(format: "%06d", i))
        }
    }

    static func record(_ f: Fixture, _ events: [UsageEventInput]) throws {
        for start in stride(from: 0, to: events.count, by: 2_000) {
            #expect(try f.database.recordUsage(Array(events[start..<min(events.count, start + 2_000)])).rejected.isEmpty)
        }
    }

    /// The org's rollup rows, as text, optionally only the days before `day`.
    static func rollups(_ f: Fixture, before day: Int = .max) throws -> Set<String> {
        try f.database.read { db in
            Set(
                try Row.fetchAll(
                    db, sql: "SELECT * FROM usageDaily WHERE orgId = ? AND day < ?", arguments: [f.org.id!, day]
                ).map(\.description))
        }
    }

    static func totals(_ f: Fixture) throws -> [Int64] {
        try f.database.read { db in
            let row = try Row.fetchOne(
                db,
                sql:
                    "SELECT sum(events), sum(byokEvents), sum(inputTokens), sum(outputTokens), sum(costMicros), sum(creditsMicros) FROM usageDaily"
            )!
            return (0..<6).map { row[$0] }
        }
    }

    static func eventCount(_ f: Fixture) throws -> Int {
        try f.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM usageEvent WHERE orgId = ?", arguments: [f.org.id!])! }
    }

    static func setZone(_ f: Fixture, _ zone: String) throws {
        let org = try f.currentOrg()
        try f.database.updateGeneral(
            orgKey: "acme", by: Actor(user: f.owner, address: "t"),
            GeneralSettingsChange(
                displayName: org.displayName, description: "", memberLimit: org.memberLimit, logo: .keep,
                expectedVersion: org.version, timeZone: zone), logos: LogoStore(directory: FileManager.default.temporaryDirectory))
    }

    static func keep30Days(_ f: Fixture) throws {
        try f.database.setPrivacyRetention(
            orgKey: "acme", values: PrivacyRetentionTests.windows("30"), expectedVersion: 0, by: Actor(user: f.owner, address: "t"))
    }

    @Test func eventsPastTheWindowGoInBatchesAndTheRollupsStayExactlyTheSame() throws {
        let (f, clock) = try Self.world()
        // 1 203 events 60–100 days old, 300 of the last 20 days: a gap of 40 days between them.
        try Self.record(f, Self.events(1_203, prefix: "old", daysAgo: 100, to: 60, now: clock.now))
        try Self.record(f, Self.events(300, prefix: "new", daysAgo: 20, to: 0, now: clock.now))
        let before = try Self.rollups(f), totals = try Self.totals(f)
        let month = UsageMonth(year: 2026, month: 7)
        let report = try f.database.usageReport(orgId: f.org.id!, month: month)
        try Self.keep30Days(f)

        let result = try #require(try f.database.prunePrivacyData(batchSize: 500).first)
        #expect(result.removed[.usageEvents] == 1_203)
        #expect(try Self.eventCount(f) == 300)
        #expect(try Self.rollups(f) == before && Self.totals(f) == totals)
        #expect(!report.isEmpty)
        #expect(try f.database.usageReport(orgId: f.org.id!, month: month) == report, "the Usage page of a pruned month is unchanged")
        #expect(try f.database.auditEvents(orgId: f.org.id!).last?.summary.hasPrefix("removed 1203 usage events") == true)
    }

    @Test func aTimeZoneChangeKeepsThePrunedDaysAndRebuildsTheRest() throws {
        let (f, clock) = try Self.world()
        try Self.record(f, Self.events(400, prefix: "old", daysAgo: 100, to: 60, now: clock.now))
        try Self.record(f, Self.events(300, prefix: "new", daysAgo: 20, to: 0, now: clock.now))
        let totals = try Self.totals(f)
        let gapDay = Int(clock.now.timeIntervalSince1970) / 86_400 - 40
        let oldDays = try Self.rollups(f, before: gapDay)
        try Self.keep30Days(f)
        try f.database.prunePrivacyData()

        // Small enough to be rebuilt in the transaction that changes the zone.
        try Self.setZone(f, "Asia/Tokyo")
        #expect(try f.database.usageRebuildProgress(orgId: f.org.id!) == nil)
        #expect(try Self.totals(f) == totals, "no pruned event is lost from the totals")
        #expect(try Self.rollups(f, before: gapDay) == oldDays, "pruned days keep the rows they had")
        // And back: the rows of the events left move with the zone, the pruned rows stay.
        try Self.setZone(f, "UTC")
        #expect(try Self.totals(f) == totals && Self.rollups(f, before: gapDay) == oldDays)
    }

    @Test func aBatchedRebuildKeepsThePrunedDaysAndThePruneWaitsForIt() throws {
        let (f, clock) = try Self.world()
        try Self.record(f, Self.events(300, prefix: "old", daysAgo: 100, to: 60, now: clock.now))
        try Self.record(f, Self.events(5_100, prefix: "new", daysAgo: 20, to: 0, now: clock.now))
        let totals = try Self.totals(f)
        let gapDay = Int(clock.now.timeIntervalSince1970) / 86_400 - 40
        let oldDays = try Self.rollups(f, before: gapDay)
        try Self.keep30Days(f)
        // A pending rebuild: the prune leaves the events for the next run.
        try Self.setZone(f, "America/Los_Angeles")
        #expect(try f.database.usageRebuildProgress(orgId: f.org.id!) != nil)
        #expect(try f.database.prunePrivacyData().first?.removed[.usageEvents] == 0)
        #expect(try Self.eventCount(f) == 5_400)
        while try f.database.runUsageRebuildBatch(batchSize: 2_000) {}
        #expect(try f.database.prunePrivacyData().first?.removed[.usageEvents] == 300)
        let pacificOldDays = try Self.rollups(f, before: gapDay)

        try Self.setZone(f, "Asia/Tokyo")
        while try f.database.runUsageRebuildBatch(batchSize: 2_000) {}
        #expect(try f.database.usageRebuildProgress(orgId: f.org.id!) == nil)
        #expect(try Self.totals(f) == totals)
        #expect(try Self.rollups(f, before: gapDay) == pacificOldDays, "the pruned rows keep the days they were counted in")
        #expect(!oldDays.isEmpty && !pacificOldDays.isEmpty)
    }
}
