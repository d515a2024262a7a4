import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// The usage rollups against the events they summarise, the import, and time zones.
@Suite("Usage") struct UsageTests {
    let logos = LogoStore(directory: FileManager.default.temporaryDirectory.appendingPathComponent("wh-usage-\(UUID())"))

    /// `acme` with workspaces `lab` and `ops`; `other` with `lab` too (same key, another org).
    static func fixture() throws -> Fixture {
        let f = try Fixture()
        try f.database.createWorkspace(orgId: f.org.id!, key: "lab", name: "Lab", shared: true)
        try f.database.createWorkspace(orgId: f.org.id!, key: "ops", name: "Ops", shared: false)
        let other = try f.database.access(orgKey: "other", userId: f.outsider.id!).org
        try f.database.createWorkspace(orgId: other.id!, key: "lab", name: "Their lab", shared: true)
        return f
    }

    /// A rollup row's key and sums, comparable.
    struct Row: Hashable {
        var org: String, date: String, workspace: String, kind: String, status: String, provider: String, model: String
        var events: Int64 = 0, byok: Int64 = 0, input: Int64 = 0, output: Int64 = 0, cost: Int64 = 0, credits: Int64 = 0
    }

    func storedRollups(_ db: AppDatabase) throws -> Set<Row> {
        try db.read { db in
            Set(
                try GRDB.Row.fetchAll(
                    db,
                    sql: """
                        SELECT o.key, u.day, w.key, u.kind, u.status, u.provider, u.model, u.events, u.byokEvents, u.inputTokens,
                               u.outputTokens, u.costMicros, u.creditsMicros
                        FROM usageDaily u JOIN organization o ON o.id = u.orgId JOIN workspace w ON w.id = u.workspaceId
                        """
                ).map { r in
                    Row(
                        org: r[0], date: CivilDate(dayNumber: r[1]).description, workspace: r[2], kind: r[3], status: r[4],
                        provider: r[5], model: r[6], events: r[7], byok: r[8], input: r[9], output: r[10], cost: r[11], credits: r[12])
                })
        }
    }

    /// The aggregate computed directly, with Foundation's calendar for the local day (an
    /// independent check of `ZoneDays`), over the first occurrence of each idempotency key.
    func directAggregate(_ events: [UsageEventInput], zones: [String: String]) -> Set<Row> {
        var seen = Set<String>()
        var sums: [Row: Row] = [:]
        for e in events where seen.insert("\(e.org!)/\(e.idempotencyKey)").inserted {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: zones[e.org!]!)!
            let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(e.at)))
            let date = CivilDate(year: parts.year!, month: parts.month!, day: parts.day!).description
            let key = Row(
                org: e.org!, date: date, workspace: e.workspace, kind: e.kind, status: e.status.rawValue,
                provider: e.provider, model: e.model)
            var row = sums[key] ?? key
            row.events += 1
            row.byok += e.byok ? 1 : 0
            row.input += e.inputTokens
            row.output += e.outputTokens
            row.cost += e.costMicros
            row.credits += e.byok ? 0 : e.costMicros
            sums[key] = row
        }
        return Set(sums.values)
    }

    /// Random events around local midnights and DST changes, with repeated idempotency keys.
    func randomEvents(seed: UInt64, count: Int) -> [UsageEventInput] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        // 2026-03-08 (US DST starts), 2026-03-29 (EU), 2026-10-25, 2026-11-01, and a month end.
        let anchors: [Int64] = [1_772_928_000, 1_774_742_400, 1_792_886_400, 1_793_491_200, 1_793_404_800]
        let models = [("openai", "gpt-4o"), ("anthropic", "claude-sonnet-4"), ("", "")]
        return (0..<count).map { i in
            let model = models[next(3)]
            let kind = model.1.isEmpty ? "workflow_run" : "llm_call"
            let key = "k\(next(count * 3 / 4))"  // about a quarter repeat an earlier key
            return UsageEventInput(
                org: next(4) == 0 ? "other" : "acme",
                at: anchors[next(anchors.count)] + Int64(next(2 * 86_400)) - 86_400,
                workspace: next(3) == 0 ? "ops" : "lab",
                kind: kind, status: next(5) == 0 ? .error : .success, provider: model.0, model: model.1,
                inputTokens: Int64(next(5000)), outputTokens: Int64(next(900)),
                costMicros: model.1.isEmpty ? 0 : Int64(next(20_000)), byok: model.0 == "anthropic",
                idempotencyKey: key)
        }.map { e in
            var e = e
            if e.org == "other" { e.workspace = "lab" }
            return e
        }
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func rollupsEqualTheDirectAggregateAcrossBatchesDuplicatesAndZones(seed: UInt64) throws {
        // Given an org in a zone with DST and one in a half-hour zone
        let f = try Self.fixture()
        let zones = ["acme": seed % 2 == 0 ? "America/New_York" : "Europe/Berlin", "other": "Asia/Kolkata"]
        try f.database.read { _ in }
        try setZone(f, org: "acme", zones["acme"]!)
        try setZone(f, org: "other", zones["other"]!)
        let events = randomEvents(seed: seed, count: 1_500)
        // When they arrive in uneven batches, some events sent twice
        var start = 0, imported = 0, duplicates = 0
        while start < events.count {
            let end = min(events.count, start + 1 + Int(seed * 97 + UInt64(start)) % 400)
            let outcome = try f.database.recordUsage(Array(events[start..<end]))
            imported += outcome.imported
            duplicates += outcome.duplicates
            #expect(outcome.rejected.isEmpty)
            start = end
        }
        let again = try f.database.recordUsage(Array(events.prefix(300)))
        // Then the rollups are exactly the aggregate of the distinct events
        let expected = directAggregate(events, zones: zones)
        #expect(imported == Int(expected.reduce(0) { $0 + $1.events }))
        #expect(imported + duplicates == events.count)
        #expect(again.imported == 0 && again.duplicates == 300)
        #expect(try storedRollups(f.database) == expected)

        // When acme moves to another zone, the rollups follow in the same transaction
        let moved = seed % 2 == 0 ? "Pacific/Chatham" : "UTC"
        try f.database.updateGeneral(
            orgKey: "acme", by: Actor(user: f.owner, address: "t"),
            GeneralSettingsChange(
                displayName: "Acme", description: "", memberLimit: 25, logo: .keep,
                expectedVersion: try f.currentOrg().version, timeZone: moved),
            logos: logos)
        #expect(try storedRollups(f.database) == directAggregate(events, zones: ["acme": moved, "other": "Asia/Kolkata"]))
    }

    func setZone(_ f: Fixture, org: String, _ zone: String) throws {
        let owner = org == "acme" ? f.owner : f.outsider
        let current = try f.database.access(orgKey: org, userId: owner.id!).org
        try f.database.updateGeneral(
            orgKey: org, by: Actor(user: owner, address: "t"),
            GeneralSettingsChange(
                displayName: current.displayName, description: "",
                memberLimit: current.memberLimit, logo: .keep,
                expectedVersion: current.version, timeZone: zone), logos: logos)
    }

    @Test func eventsOfUnknownOrgsOrWorkspacesAreRejectedAndNothingOfThemIsStored() throws {
        let f = try Self.fixture()
        let base = UsageEventInput(
            org: "acme", at: 1_793_491_200, workspace: "lab", kind: "llm_call", status: .success,
            provider: "openai", model: "gpt-4o", inputTokens: 1, outputTokens: 1, costMicros: 5,
            byok: false, idempotencyKey: "a")
        var noOrg = base; noOrg.org = "nope"; noOrg.idempotencyKey = "b"
        var otherWorkspace = base; otherWorkspace.workspace = "missing"; otherWorkspace.idempotencyKey = "c"
        var negative = base; negative.costMicros = -1; negative.idempotencyKey = "d"
        var halfModel = base; halfModel.provider = ""; halfModel.idempotencyKey = "e"
        let outcome = try f.database.recordUsage([base, noOrg, otherWorkspace, negative, halfModel])
        #expect(outcome.imported == 1)
        #expect(outcome.rejected.map(\.index) == [1, 2, 3, 4])
        #expect(outcome.rejected[0].reason == "no organization has the key “nope”")
        #expect(try f.database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM usageEvent") } == 1)
        // The same key in another organization is not a duplicate.
        var theirs = base; theirs.org = "other"
        #expect(try f.database.recordUsage([theirs]).imported == 1)
    }

    @Test func timeZoneNamesAreValidatedAndStoredCanonically() throws {
        let f = try Self.fixture()
        for bad in ["", "Mars/Olympus", "Europe/Berlin\n", String(repeating: "A", count: 65), "../etc/passwd", "GMT+2"] {
            #expect(throws: DomainError.self) {
                try f.database.updateGeneral(
                    orgKey: "acme", by: Actor(user: f.owner, address: "t"),
                    GeneralSettingsChange(
                        displayName: "Acme", description: "", memberLimit: 25, logo: .keep,
                        expectedVersion: try f.currentOrg().version, timeZone: bad), logos: logos)
            }
        }
        #expect(try f.currentOrg().timeZone == "UTC")
        try setZone(f, org: "acme", "Asia/Tokyo")
        #expect(try f.currentOrg().timeZone == "Asia/Tokyo")
        #expect(try f.database.auditEvents(orgId: f.org.id!).last?.summary.contains("time zone UTC → Asia/Tokyo") == true)
        try setZone(f, org: "acme", "UTC")
        #expect(try f.currentOrg().timeZone == "UTC", "stored as typed, not as Foundation's GMT")
    }

    @Test func civilDatesRoundTripAndMonthsParseStrictly() {
        for n in stride(from: -800_000, to: 800_000, by: 997) {
            #expect(CivilDate(dayNumber: n).dayNumber == n)
        }
        #expect(CivilDate(year: 2026, month: 11, day: 24).dayNumber == 20_781)
        #expect(UsageMonth("2026-11") == UsageMonth(year: 2026, month: 11))
        #expect(UsageMonth("1970-01") == UsageMonth(year: 1970, month: 1), "a month, if not one the organization had")
        for bad in ["2026-13", "2026-00", "26-11", "2026-1", "2026/11", "２０２６-11", "0000-01", "2026-11 "] {
            #expect(UsageMonth(bad) == nil, "\(bad)")
        }
        #expect(UsageMonth(year: 2026, month: 12).next == UsageMonth(year: 2027, month: 1))
        #expect(UsageMonth(year: 2026, month: 2).days.count == 28)
    }
}
