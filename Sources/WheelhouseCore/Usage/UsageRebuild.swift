import Foundation
import GRDB

/// How far an organization's rollups are from being rebuilt for its new time zone.
public struct UsageRebuildProgress: Sendable, Equatable {
    /// The zone of the rollups the pages read until the rebuild finishes.
    public var liveZone: String
    /// The zone being built.
    public var targetZone: String
    public var done: Int64
    public var total: Int64

    /// 0–99: the last percent arrives with the swap, which also ends the rebuild.
    public var percent: Int { total <= 0 ? 0 : Int(min(99, done * 100 / total)) }
}

/// Rebuilding an organization's daily rollups after its time zone changed, in bounded batches.
///
/// The zone change is saved at once and records a pending rebuild (`usageRebuild`); the pages
/// keep reading `usageDaily`, still in the old ("live") zone, and say that a recalculation is
/// running. A background worker folds the events into the shadow table `usageDailyNext` with the
/// new zone, `batchSize` events per short write transaction, walking the events' primary key
/// (`afterKey` is the last idempotency key folded in). When no event is left, one more short
/// transaction swaps the shadow rows in. Events imported meanwhile go to the live rollups in the
/// live zone, and also to the shadow when the walk has passed their key (`UsageWriter`); a
/// later batch picks up the others. A page therefore never mixes zones.
enum UsageRebuild {
    static let schema = """
        CREATE TABLE usageRebuild (
            orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
            liveZone TEXT NOT NULL,
            targetZone TEXT NOT NULL,
            afterKey TEXT,
            done INTEGER NOT NULL DEFAULT 0,
            total INTEGER NOT NULL DEFAULT 0,
            startedAt DATETIME NOT NULL
        );
        \(UsageSchema.rollupTable("usageDailyNext"))
        """

    /// Events per batch (also `runUsageRebuildBatch`'s default): a batch's transaction stays short.
    static let batchSize = 5_000

    /// The pending rebuild's walk, for the writer: the zone the shadow is built in and how far.
    struct Walk {
        var liveZone: String
        var targetZone: String
        var afterKey: [UInt8]?

        /// Whether an event with this key is behind the walk (the shadow must get it now).
        func passed(_ key: String) -> Bool {
            guard let afterKey else { return false }
            return !afterKey.lexicographicallyPrecedes(Array(key.utf8))
        }
    }

    static func walk(_ db: Database, orgId: Int64) throws -> Walk? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT liveZone, targetZone, afterKey FROM usageRebuild WHERE orgId = ?"),
            arguments: [orgId]
        ).map { row in
            Walk(liveZone: row[0], targetZone: row[1], afterKey: (row[2] as String?).map { Array($0.utf8) })
        }
    }

    static func progress(_ db: Database, orgId: Int64) throws -> UsageRebuildProgress? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT liveZone, targetZone, done, total FROM usageRebuild WHERE orgId = ?"),
            arguments: [orgId]
        ).map { UsageRebuildProgress(liveZone: $0[0], targetZone: $0[1], done: $0[2], total: $0[3]) }
    }

    /// Called in the transaction that changes the zone from `previous` to `zone`. Small
    /// organizations (one batch of events at most) are rebuilt right there; others get a pending
    /// rebuild (restarted from the beginning when one was running).
    static func schedule(_ db: Database, orgId: Int64, from previous: String, to zone: String, at now: Date) throws {
        let live = try walk(db, orgId: orgId)?.liveZone ?? previous
        try db.execute(sql: "DELETE FROM usageDailyNext WHERE orgId = ?", arguments: [orgId])
        try db.execute(sql: "DELETE FROM usageRebuild WHERE orgId = ?", arguments: [orgId])
        if zone == live { return }
        let few =
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM (SELECT 1 FROM usageEvent WHERE orgId = ? LIMIT ?)",
                arguments: [orgId, batchSize + 1]) ?? 0
        if few <= batchSize {
            try UsageWriter.rebuildRollups(db, orgId: orgId, timeZone: zone)
            return
        }
        try db.execute(
            sql: """
                INSERT INTO usageRebuild (orgId, liveZone, targetZone, afterKey, done, total, startedAt)
                VALUES (?, ?, ?, NULL, 0, 0, ?)
                """, arguments: [orgId, live, zone, now])
    }

    /// One batch of one organization's rebuild, in the caller's write transaction; true when the
    /// rebuild finished (the shadow was swapped in) or there was none.
    static func step(_ db: Database, orgId: Int64, batchSize: Int, total: Int64?) throws -> Bool {
        guard let walk = try walk(db, orgId: orgId) else { return true }
        let days = ZoneDays(TimeZone(identifier: walk.targetZone) ?? TimeZone(identifier: "UTC")!)
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT idempotencyKey, at, workspaceId, kind, status, provider, model, inputTokens, outputTokens, costMicros, byok
                    FROM usageEvent WHERE orgId = ? AND idempotencyKey > ? ORDER BY idempotencyKey LIMIT ?
                    """), arguments: [orgId, walk.afterKey.map { String(decoding: $0, as: UTF8.self) } ?? "", batchSize])
        var deltas: [RollupKey: RollupTotals] = [:]
        var count = 0
        var last: String?
        while let row = try rows.next() {
            count += 1
            last = row[0]
            let key = RollupKey(
                orgId: orgId, day: days.day(at: row[1]), workspaceId: row[2], kind: row[3],
                status: UsageStatus(rawValue: row[4]) ?? .error, provider: row[5], model: row[6])
            deltas[key, default: RollupTotals()].add(inputTokens: row[7], outputTokens: row[8], costMicros: row[9], byok: row[10])
        }
        try UsageWriter.upsert(db, deltas, into: "usageDailyNext")
        if count < batchSize {
            // The swap: the pages read the new zone's rollups from this commit on.
            for sql in [
                "DELETE FROM usageDaily WHERE orgId = ?",
                "INSERT INTO usageDaily SELECT * FROM usageDailyNext WHERE orgId = ?",
                "DELETE FROM usageDailyNext WHERE orgId = ?", "DELETE FROM usageRebuild WHERE orgId = ?",
            ] {
                try db.execute(sql: sql, arguments: [orgId])
            }
            // Events deleted by privacy retention (never during a rebuild) keep their rows.
            try UsageEventPrune.restorePruned(db, orgId: orgId)
            return true
        }
        try db.execute(
            sql: """
                UPDATE usageRebuild SET afterKey = ?, done = done + ?, total = coalesce(?, total) WHERE orgId = ?
                """, arguments: [last, count, total, orgId])
        return false
    }
}

extension AppDatabase {
    /// The organization's pending rebuild, if any (the Usage page's notice).
    public func usageRebuildProgress(orgId: Int64) throws -> UsageRebuildProgress? {
        try threadReaders.read(or: reader) { db in try UsageRebuild.progress(db, orgId: orgId) }
    }

    /// Runs one batch of the oldest pending rebuild, each in its own short write transaction;
    /// false when none is pending.
    @discardableResult
    public func runUsageRebuildBatch(batchSize: Int = 5_000) throws -> Bool {
        let pending = try reader.read { db in
            try Row.fetchOne(db, sql: "SELECT orgId, total FROM usageRebuild ORDER BY startedAt, orgId LIMIT 1")
        }
        guard let pending else { return false }
        let orgId: Int64 = pending[0]
        var total: Int64?
        if (pending[1] as Int64) == 0 {
            // Counted outside the writer: the percent shown is approximate by the events added meanwhile.
            total = try reader.read { db in
                try Int64.fetchOne(db, sql: "SELECT count(*) FROM usageEvent WHERE orgId = ?", arguments: [orgId])
            }
        }
        _ = try writer.write { db in try UsageRebuild.step(db, orgId: orgId, batchSize: batchSize, total: total) }
        return true
    }
}

/// Runs pending usage rebuilds on a background thread of `serve`, batch by batch, pausing
/// between batches so that other writes (sign-ins, saves, imports) take their turn.
public final class UsageRebuildWorker: Sendable {
    let database: AppDatabase
    let interval: TimeInterval
    private let loop = BackgroundLoop()

    public init(database: AppDatabase, interval: TimeInterval = 2) {
        self.database = database
        self.interval = interval
    }

    public func start() {
        loop.start(name: "usage-rebuild") { [self] in
            let worked = (try? database.runUsageRebuildBatch()) ?? false
            return worked ? 0.002 : interval
        }
    }

    public func stop() { loop.stop() }
}
