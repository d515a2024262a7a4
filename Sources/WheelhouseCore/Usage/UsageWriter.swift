import Foundation
import GRDB
import GRDBSQLite

/// What one batch of events did.
public struct UsageBatchOutcome: Sendable, Equatable {
    public var imported = 0
    public var duplicates = 0
    /// The batch indexes of the duplicates, for callers that answer per event (the JSON API).
    public var duplicateIndexes: [Int] = []
    /// Events refused, by their index in the batch, with the reason.
    public var rejected: [Rejection] = []

    public struct Rejection: Sendable, Equatable {
        public var index: Int
        public var reason: String
    }

    public init() {}
}

/// The part of a rollup row that identifies it.
struct RollupKey: Hashable {
    var orgId: Int64
    var day: Int
    var workspaceId: Int64
    var kind: String
    var status: UsageStatus
    var provider: String
    var model: String
}

/// The sums of a rollup row; added to the stored row by an UPSERT.
struct RollupTotals {
    var events: Int64 = 0
    var byokEvents: Int64 = 0
    var inputTokens: Int64 = 0
    var outputTokens: Int64 = 0
    var costMicros: Int64 = 0
    var creditsMicros: Int64 = 0

    mutating func add(inputTokens: Int64, outputTokens: Int64, costMicros: Int64, byok: Bool) {
        events += 1
        self.inputTokens.addHeld(inputTokens)
        self.outputTokens.addHeld(outputTokens)
        self.costMicros.addHeld(costMicros)
        if byok { byokEvents += 1 } else { creditsMicros.addHeld(costMicros) }
    }
}

/// Time zones by name, each with its remembered day offsets; kept across the batches of one import.
public final class ZoneCache: @unchecked Sendable {
    private var zones: [String: ZoneDays] = [:]

    public init() {}

    func days(_ identifier: String) -> ZoneDays {
        if let found = zones[identifier] { return found }
        let made = ZoneDays(TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")!)
        zones[identifier] = made
        return made
    }
}

/// Writes events and their rollup deltas inside a write transaction. The rollups change by the
/// events that were really inserted: a duplicate (its idempotency key is stored already, or came
/// earlier in the same batch) adds nothing. Deltas are summed per rollup row in memory and
/// written once per row per batch.
enum UsageWriter {
    struct OrgTarget {
        var id: Int64
        /// Days of the zone the live rollups are in (the previous zone while a rebuild runs).
        var days: ZoneDays
        var workspaces: [String: Int64]
        /// A pending rebuild's walk and the days of its new zone.
        var rebuild: (walk: UsageRebuild.Walk, days: ZoneDays)?
        /// Scheduled for deletion: its events are refused like every other change.
        var pendingDeletion = false
    }

    /// `validated`: every event has passed `problem()` already (the importer's parser checks it).
    /// `billing`: the deployment's currency when usage debits credits (SaaS), nil otherwise.
    static func record(
        _ db: Database, _ events: [UsageEventInput], defaultOrg: String?, zones: ZoneCache,
        validated: Bool = false, billing: Currency? = nil, now: Date = Date()
    ) throws -> UsageBatchOutcome {
        var outcome = UsageBatchOutcome()
        var targets: [String: OrgTarget?] = [:]
        var deltas: [RollupKey: RollupTotals] = [:]
        var shadowDeltas: [RollupKey: RollupTotals] = [:]
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO usageEvent (orgId, idempotencyKey, at, workspaceId, kind, status, provider, model,
                                        inputTokens, outputTokens, costMicros, byok)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (orgId, idempotencyKey) DO NOTHING
                """)
        for (index, event) in events.enumerated() {
            if !validated, let problem = event.problem() {
                outcome.rejected.append(.init(index: index, reason: problem))
                continue
            }
            guard let orgKey = event.org ?? defaultOrg else {
                outcome.rejected.append(.init(index: index, reason: "org is missing and no default organization was given"))
                continue
            }
            let target: OrgTarget?
            if let known = targets[orgKey] {
                target = known
            } else {
                target = try loadTarget(db, orgKey: orgKey, zones: zones)
                targets[orgKey] = target
            }
            guard let target else {
                outcome.rejected.append(.init(index: index, reason: "no organization has the key “\(orgKey)”"))
                continue
            }
            guard !target.pendingDeletion else {
                outcome.rejected.append(.init(index: index, reason: "organization “\(orgKey)” is scheduled for deletion"))
                continue
            }
            guard let workspaceId = target.workspaces[event.workspace] else {
                outcome.rejected.append(.init(index: index, reason: "organization “\(orgKey)” has no workspace “\(event.workspace)”"))
                continue
            }
            // Bound through the C API: GRDB's argument arrays cost more than the insert itself.
            let s = insert.sqliteStatement
            sqlite3_bind_int64(s, 1, target.id)
            Self.bind(s, 2, event.idempotencyKey)
            sqlite3_bind_int64(s, 3, event.at)
            sqlite3_bind_int64(s, 4, workspaceId)
            Self.bind(s, 5, event.kind)
            Self.bind(s, 6, event.status.rawValue)
            Self.bind(s, 7, event.provider)
            Self.bind(s, 8, event.model)
            sqlite3_bind_int64(s, 9, event.inputTokens)
            sqlite3_bind_int64(s, 10, event.outputTokens)
            sqlite3_bind_int64(s, 11, event.costMicros)
            sqlite3_bind_int64(s, 12, event.byok ? 1 : 0)
            let code = sqlite3_step(s)
            sqlite3_reset(s)
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            guard sqlite3_changes(db.sqliteConnection) == 1 else {
                outcome.duplicates += 1
                outcome.duplicateIndexes.append(index)
                continue
            }
            outcome.imported += 1
            let key = RollupKey(
                orgId: target.id, day: target.days.day(at: event.at), workspaceId: workspaceId,
                kind: event.kind, status: event.status, provider: event.provider, model: event.model)
            deltas[key, default: RollupTotals()].add(
                inputTokens: event.inputTokens, outputTokens: event.outputTokens,
                costMicros: event.costMicros, byok: event.byok)
            if let rebuild = target.rebuild, rebuild.walk.passed(event.idempotencyKey) {
                var shadowKey = key
                shadowKey.day = rebuild.days.day(at: event.at)
                shadowDeltas[shadowKey, default: RollupTotals()].add(
                    inputTokens: event.inputTokens, outputTokens: event.outputTokens,
                    costMicros: event.costMicros, byok: event.byok)
            }
        }
        try upsert(db, deltas)
        try upsert(db, shadowDeltas, into: "usageDailyNext")
        // In the same transaction: usage recorded is usage paid for, and a rolled-back batch debits nothing.
        if let billing { try CreditCharges.debit(db, deltas, currency: billing, now: now) }
        return outcome
    }

    /// SQLITE_TRANSIENT: SQLite copies the text before the call returns.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func bind(_ statement: OpaquePointer?, _ index: Int32, _ text: String) {
        var text = text
        text.withUTF8 { bytes in
            _ = bytes.withMemoryRebound(to: CChar.self) { chars in
                // A zero-length text needs a non-nil pointer, or SQLite binds NULL.
                sqlite3_bind_text(statement, index, chars.baseAddress ?? Self.emptyText, Int32(chars.count), Self.transient)
            }
        }
    }

    nonisolated(unsafe) static let emptyText: UnsafePointer<CChar> = {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return UnsafePointer(pointer)
    }()

    static func loadTarget(_ db: Database, orgKey: String, zones: ZoneCache) throws -> OrgTarget? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, timeZone, purgeAt IS NOT NULL FROM organization WHERE key = ?"),
                arguments: [orgKey])
        else { return nil }
        let id: Int64 = row[0]
        if row[2] { return OrgTarget(id: id, days: zones.days(row[1]), workspaces: [:], pendingDeletion: true) }
        var workspaces: [String: Int64] = [:]
        for ws in try Row.fetchAll(db.cachedStatement(sql: "SELECT key, id FROM workspace WHERE orgId = ?"), arguments: [id]) {
            workspaces[ws[0]] = ws[1]
        }
        guard let walk = try UsageRebuild.walk(db, orgId: id) else {
            return OrgTarget(id: id, days: zones.days(row[1]), workspaces: workspaces)
        }
        return OrgTarget(
            id: id, days: zones.days(walk.liveZone), workspaces: workspaces,
            rebuild: (walk, zones.days(walk.targetZone)))
    }

    /// `column + excluded.column` held below Int64's bound: past it SQLite would store a REAL that
    /// no reader decodes as an integer (see `Int64.plusHeld`). The sum is done in REAL first, so
    /// the comparison itself never overflows; below 2⁵³ both forms are exact.
    static func held(_ column: String) -> String {
        "CASE WHEN CAST(\(column) AS REAL) + excluded.\(column) >= 9.0e18 THEN 9000000000000000000 "
            + "ELSE \(column) + excluded.\(column) END"
    }

    /// `table`: `usageDaily`, or a rebuild's shadow `usageDailyNext`.
    static func upsert(_ db: Database, _ deltas: [RollupKey: RollupTotals], into table: String = "usageDaily") throws {
        guard !deltas.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO \(table) (orgId, day, workspaceId, kind, status, provider, model, events, byokEvents,
                                        inputTokens, outputTokens, costMicros, creditsMicros)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (orgId, day, workspaceId, kind, status, provider, model) DO UPDATE SET
                    events = \(held("events")), byokEvents = \(held("byokEvents")),
                    inputTokens = \(held("inputTokens")), outputTokens = \(held("outputTokens")),
                    costMicros = \(held("costMicros")), creditsMicros = \(held("creditsMicros"))
                """)
        for (key, totals) in deltas {
            try statement.execute(arguments: [
                key.orgId, key.day, key.workspaceId, key.kind, key.status.rawValue,
                key.provider, key.model, totals.events, totals.byokEvents,
                totals.inputTokens, totals.outputTokens, totals.costMicros,
                totals.creditsMicros,
            ])
        }
    }

    /// Recomputes an organization's rollups from its events with its (new) time zone: days move
    /// when the zone does. Inside the transaction that changes the zone only for organizations
    /// with one batch of events at most (`UsageRebuild.schedule`); larger ones are rebuilt in
    /// batches by `UsageRebuild`.
    static func rebuildRollups(_ db: Database, orgId: Int64, timeZone: String) throws {
        try db.execute(sql: "DELETE FROM usageDaily WHERE orgId = ?", arguments: [orgId])
        let days = ZoneDays(TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!)
        var deltas: [RollupKey: RollupTotals] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT at, workspaceId, kind, status, provider, model, inputTokens, outputTokens, costMicros, byok
                FROM usageEvent WHERE orgId = ?
                """, arguments: [orgId])
        while let row = try rows.next() {
            let key = RollupKey(
                orgId: orgId, day: days.day(at: row[0]), workspaceId: row[1], kind: row[2],
                status: UsageStatus(rawValue: row[3]) ?? .error, provider: row[4], model: row[5])
            deltas[key, default: RollupTotals()].add(inputTokens: row[6], outputTokens: row[7], costMicros: row[8], byok: row[9])
        }
        try upsert(db, deltas)
        // Events deleted by privacy retention are no longer there to recompute: their rows come back as they were.
        try UsageEventPrune.restorePruned(db, orgId: orgId)
    }
}

extension AppDatabase {
    /// Stores a batch of events and their rollups in one transaction; see `UsageWriter`.
    /// `defaultOrg` is the organization of events that name none.
    public func recordUsage(
        _ events: [UsageEventInput], defaultOrg: String? = nil,
        zones: ZoneCache = ZoneCache()
    ) throws -> UsageBatchOutcome {
        try writer.write { db in
            try UsageWriter.record(db, events, defaultOrg: defaultOrg, zones: zones, billing: billingEnabled ? currency : nil, now: now())
        }
    }

    /// Batches parsed by `UsageJSONLine` (the importer's, the API's), which applies `problem()` to each.
    public func recordParsedUsage(_ events: [UsageEventInput], defaultOrg: String?, zones: ZoneCache) throws -> UsageBatchOutcome {
        try writer.write { db in
            try UsageWriter.record(
                db, events, defaultOrg: defaultOrg, zones: zones, validated: true, billing: billingEnabled ? currency : nil, now: now())
        }
    }
}
