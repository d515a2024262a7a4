import Foundation
import GRDB
import Synchronization
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// A time-zone change rebuilds the rollups in batches: pages read one zone at a time, imports
/// during the rebuild are counted once in each zone, and other writes are not held up.
@Suite("Usage rebuild after a time-zone change") struct UsageRebuildTests {
    let usage = UsageTests()

    /// `count` events of `acme`/`lab` spread over November 2026 (UTC), keys `\(prefix)000000`….
    static func events(_ count: Int, prefix: String, from first: Int = 0) -> [UsageEventInput] {
        let start = Int64(CivilDate(year: 2026, month: 11, day: 1).dayNumber * 86_400)
        return (first..<(first + count)).map { i in
            let llm = i % 3 != 0
            return UsageEventInput(
                org: "acme", at: start + Int64(i * 7_919 % (29 * 86_400)), workspace: i % 4 == 0 ? "ops" : "lab",
                kind: llm ? "llm_call" : "workflow_run", status: i % 11 == 0 ? .error : .success,
                provider: llm ? "openai" : "", model: llm ? (i % 2 == 0 ? "gpt-4o" : "gpt-4o-mini") : "",
                inputTokens: Int64(i % 900), outputTokens: Int64(i % 300), costMicros: llm ? Int64(i % 5_000) : 0,
                byok: i % 7 == 0, idempotencyKey: prefix + String(format: "%06d", i))
        }
    }

    static func record(_ database: AppDatabase, _ events: [UsageEventInput], batch: Int = 5_000) throws {
        var start = 0
        while start < events.count {
            let outcome = try database.recordUsage(Array(events[start..<min(events.count, start + batch)]))
            #expect(outcome.rejected.isEmpty)
            start += batch
        }
    }

    func shadowRows(_ f: Fixture) throws -> Int {
        try f.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM usageDailyNext")! }
    }

    @Test func pagesReadTheOldZoneUntilTheSwapAndImportsDuringTheRebuildAreCountedOnce() throws {
        let f = try UsageTests.fixture()
        let first = Self.events(12_000, prefix: "m")
        try Self.record(f.database, first)
        #expect(try usage.storedRollups(f.database) == usage.directAggregate(first, zones: ["acme": "UTC"]))

        // The zone is saved at once; the rollups are still UTC's, and say so.
        try usage.setZone(f, org: "acme", "Asia/Tokyo")
        #expect(try f.currentOrg().timeZone == "Asia/Tokyo")
        let pending = try #require(try f.database.usageRebuildProgress(orgId: f.org.id!))
        #expect(pending.liveZone == "UTC" && pending.targetZone == "Asia/Tokyo" && pending.percent == 0)
        let report = try f.database.usageReport(orgId: f.org.id!, month: UsageMonth(year: 2026, month: 11))
        #expect(report.timeZone == "UTC" && report.rebuild == pending)
        #expect(try usage.storedRollups(f.database) == usage.directAggregate(first, zones: ["acme": "UTC"]))

        // Two batches in: 5 000 of 12 000 events.
        #expect(try f.database.runUsageRebuildBatch(batchSize: 2_500))
        #expect(try f.database.runUsageRebuildBatch(batchSize: 2_500))
        let halfway = try #require(try f.database.usageRebuildProgress(orgId: f.org.id!))
        #expect(halfway.done == 5_000 && halfway.total == 12_000 && halfway.percent == 41)

        // Events arrive: some behind the walk ("a…" < "m…"), some ahead ("z…"), some again.
        let behind = Self.events(700, prefix: "a", from: 100), ahead = Self.events(900, prefix: "z", from: 300)
        try Self.record(f.database, behind + ahead + Array(first.prefix(50)), batch: 400)
        let all = first + behind + ahead
        #expect(
            try usage.storedRollups(f.database) == usage.directAggregate(all, zones: ["acme": "UTC"]),
            "the live rollups stay whole in the old zone")

        while try f.database.runUsageRebuildBatch(batchSize: 2_500) {}
        #expect(try f.database.usageRebuildProgress(orgId: f.org.id!) == nil)
        #expect(try usage.storedRollups(f.database) == usage.directAggregate(all, zones: ["acme": "Asia/Tokyo"]))
        #expect(try shadowRows(f) == 0)
        #expect(try f.database.usageReport(orgId: f.org.id!, month: UsageMonth(year: 2026, month: 11)).timeZone == "Asia/Tokyo")
    }

    @Test func changingTheZoneAgainRestartsOrCancelsTheRebuild() throws {
        let f = try UsageTests.fixture()
        let events = Self.events(6_000, prefix: "m")
        try Self.record(f.database, events)
        try usage.setZone(f, org: "acme", "Asia/Tokyo")
        #expect(try f.database.runUsageRebuildBatch(batchSize: 1_000))
        #expect(try shadowRows(f) > 0)

        try usage.setZone(f, org: "acme", "America/New_York")
        let restarted = try #require(try f.database.usageRebuildProgress(orgId: f.org.id!))
        #expect(restarted.liveZone == "UTC" && restarted.targetZone == "America/New_York" && restarted.done == 0)
        #expect(try shadowRows(f) == 0)

        try usage.setZone(f, org: "acme", "UTC")
        #expect(try f.database.usageRebuildProgress(orgId: f.org.id!) == nil, "back to the live zone: nothing to rebuild")
        #expect(try f.database.runUsageRebuildBatch() == false)
        #expect(try usage.storedRollups(f.database) == usage.directAggregate(events, zones: ["acme": "UTC"]))

        // A small organization (one batch of events at most) moves in the change's own transaction.
        let other = try f.database.access(orgKey: "other", userId: f.outsider.id!).org
        try usage.setZone(f, org: "other", "Asia/Kolkata")
        #expect(try f.database.usageRebuildProgress(orgId: other.id!) == nil)
    }

    @Test func theWorkerServeStartsFinishesAPendingRebuild() throws {
        let f = try UsageTests.fixture()
        let events = Self.events(7_000, prefix: "m")
        try Self.record(f.database, events)
        try usage.setZone(f, org: "acme", "Europe/Berlin")
        #expect(try f.database.usageRebuildProgress(orgId: f.org.id!) != nil)
        let worker = UsageRebuildWorker(database: f.database, interval: 0.01)
        worker.start()
        defer { worker.stop() }
        var waited = 0
        while try f.database.usageRebuildProgress(orgId: f.org.id!) != nil, waited < 3_000 {
            usleep(10_000)
            waited += 1
        }
        #expect(try f.database.usageRebuildProgress(orgId: f.org.id!) == nil)
        #expect(try usage.storedRollups(f.database) == usage.directAggregate(events, zones: ["acme": "Europe/Berlin"]))
    }

    /// 1 M events (`WHEELHOUSE_REBUILD_TEST_EVENTS` to change it) in a database file: the rebuild
    /// runs on a background thread while sign-ins and a short save are timed.
    @Test func signInStaysFastWhileAMillionEventsAreRebuilt() throws {
        let count = ProcessInfo.processInfo.environment["WHEELHOUSE_REBUILD_TEST_EVENTS"].flatMap(Int.init) ?? 1_000_000
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wh-rebuild-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try AppDatabase.open(
            path: directory.appendingPathComponent("wheelhouse.sqlite").path,
            hasher: .fastForTests, readers: 4, masterKey: .key(.generate()))
        let (owner, org) = try database.createOwner(
            NewOwner(
                email: "owner@acme.test", name: "Olga Owner",
                password: Fixture.password, orgKey: "acme", orgName: "Acme"))
        try database.createWorkspace(orgId: org.id!, key: "lab", name: "Lab", shared: true)
        try database.createWorkspace(orgId: org.id!, key: "ops", name: "Ops", shared: true)
        var clock = ContinuousClock.now
        var next = 0
        while next < count {
            let batch = Self.events(min(20_000, count - next), prefix: "e", from: next)
            _ = try database.recordUsage(batch)
            next += batch.count
        }
        let loaded = ContinuousClock.now - clock

        // What the old code did: the whole rebuild in one write transaction.
        clock = ContinuousClock.now
        try database.writer.write { db in try UsageWriter.rebuildRollups(db, orgId: org.id!, timeZone: "UTC") }
        let oneTransaction = ContinuousClock.now - clock

        let logos = LogoStore(directory: directory.appendingPathComponent("logos"))
        clock = ContinuousClock.now
        let saved = try database.updateGeneral(
            orgKey: "acme", by: Actor(user: owner, address: "t"),
            GeneralSettingsChange(
                displayName: "Acme", description: "", memberLimit: 25, logo: .keep,
                expectedVersion: org.version, timeZone: "Asia/Tokyo"),
            logos: logos)
        let zoneSave = ContinuousClock.now - clock
        #expect(try database.usageRebuildProgress(orgId: org.id!) != nil)

        let finished = Atomic<Bool>(false)
        let rebuildStart = ContinuousClock.now
        let rebuildTime = Mutex<Duration>(.zero)
        let worker = Thread {
            while (try? database.runUsageRebuildBatch()) == true { usleep(2_000) }
            rebuildTime.withLock { $0 = ContinuousClock.now - rebuildStart }
            finished.store(true, ordering: .releasing)
        }
        worker.start()
        var signIns: [Duration] = [], saves: [Duration] = []
        var version = saved.version
        while !finished.load(ordering: .acquiring) {
            var start = ContinuousClock.now
            _ = try database.signIn(email: "owner@acme.test", password: Fixture.password, address: "t", userAgent: "test")
            signIns.append(ContinuousClock.now - start)
            start = ContinuousClock.now
            version = try database.updateGeneral(
                orgKey: "acme", by: Actor(user: owner, address: "t"),
                GeneralSettingsChange(
                    displayName: "Acme \(saves.count % 2)", description: "",
                    memberLimit: 25, logo: .keep, expectedVersion: version,
                    timeZone: nil), logos: logos
            ).version
            saves.append(ContinuousClock.now - start)
            usleep(20_000)
        }
        let worst = signIns.max() ?? .zero, worstSave = saves.max() ?? .zero
        let median = signIns.sorted()[signIns.count / 2]
        print(
            """
            rebuild figures: \(count) events loaded in \(loaded); one-transaction rebuild \(oneTransaction); \
            zone save \(zoneSave); batched rebuild \(rebuildTime.withLock { $0 }); \(signIns.count) sign-ins during it: \
            median \(median), worst \(worst); short saves worst \(worstSave)
            """)
        #expect(try database.usageRebuildProgress(orgId: org.id!) == nil)
        let events = try database.read { db in try Int.fetchOne(db, sql: "SELECT sum(events) FROM usageDaily")! }
        #expect(events == count)
        #expect(!signIns.isEmpty)
        // Generous bounds, robust on a busy machine: a batch is milliseconds, while the former
        // single transaction held every write for seconds.
        let bound = max(.milliseconds(500), oneTransaction / 3)
        #expect(worst < bound && worstSave < bound, "bound \(bound)")
        #expect(zoneSave < .milliseconds(500))
    }
}
