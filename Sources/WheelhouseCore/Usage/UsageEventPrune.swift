import Foundation
import GRDB

/// Deleting an organization's raw usage events older than its privacy window without changing
/// its rollups, and keeping them through a later time-zone rebuild.
///
/// The rollups are never touched by the prune. What the deleted events contributed is added, in
/// the same transaction, to `usageDailyPruned` (same shape as `usageDaily`, days of the zone the
/// live rollups were in). A rebuild recomputes the rollups from the events that are left and
/// then adds those rows back, so the totals of every month stay exactly what they were; only the
/// days of pruned events keep the zone they were counted in. An organization whose rebuild is
/// pending is skipped (its shadow may already hold events the prune would also fold) and pruned
/// at the next run after the rebuild.
enum UsageEventPrune {
    /// Deletes up to `limit` events with these keys (found by a read beforehand) in the caller's
    /// write transaction; nil when a rebuild is pending. Returns how many were deleted.
    static func delete(_ db: Database, orgId: Int64, keys: [String]) throws -> Int? {
        if try UsageRebuild.walk(db, orgId: orgId) != nil { return nil }
        guard !keys.isEmpty,
            let zone = try String.fetchOne(db, sql: "SELECT timeZone FROM organization WHERE id = ?", arguments: [orgId])
        else { return 0 }
        let days = ZoneDays(TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")!)
        let select = try db.cachedStatement(
            sql: """
                SELECT at, workspaceId, kind, status, provider, model, inputTokens, outputTokens, costMicros, byok
                FROM usageEvent WHERE orgId = ? AND idempotencyKey = ?
                """)
        let delete = try db.cachedStatement(sql: "DELETE FROM usageEvent WHERE orgId = ? AND idempotencyKey = ?")
        var deltas: [RollupKey: RollupTotals] = [:]
        var count = 0
        for key in keys {
            guard let row = try Row.fetchOne(select, arguments: [orgId, key]) else { continue }
            let rollup = RollupKey(
                orgId: orgId, day: days.day(at: row[0]), workspaceId: row[1], kind: row[2],
                status: UsageStatus(rawValue: row[3]) ?? .error, provider: row[4], model: row[5])
            deltas[rollup, default: RollupTotals()].add(inputTokens: row[6], outputTokens: row[7], costMicros: row[8], byok: row[9])
            try delete.execute(arguments: [orgId, key])
            count += 1
        }
        try UsageWriter.upsert(db, deltas, into: "usageDailyPruned")
        return count
    }

    /// Adds the pruned events' rows to freshly rebuilt rollups (`usageDaily`).
    static func restorePruned(_ db: Database, orgId: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO usageDaily SELECT * FROM usageDailyPruned WHERE orgId = ?
                ON CONFLICT (orgId, day, workspaceId, kind, status, provider, model) DO UPDATE SET
                    events = \(UsageWriter.held("events")), byokEvents = \(UsageWriter.held("byokEvents")),
                    inputTokens = \(UsageWriter.held("inputTokens")), outputTokens = \(UsageWriter.held("outputTokens")),
                    costMicros = \(UsageWriter.held("costMicros")), creditsMicros = \(UsageWriter.held("creditsMicros"))
                """, arguments: [orgId])
    }
}

extension AppDatabase {
    /// Deletes the organization's events older than `cutoff`, `batchSize` per short write
    /// transaction; the keys of a batch are found by a read first, so the writer never waits on
    /// a scan. Returns how many were deleted (0 while a rebuild is pending).
    func pruneUsageEvents(orgId: Int64, before cutoff: Date, batchSize: Int) throws -> Int {
        let at = Int64(cutoff.timeIntervalSince1970.rounded(.down))
        var after = ""
        var removed = 0
        while true {
            let keys = try reader.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT idempotencyKey FROM usageEvent WHERE orgId = ? AND idempotencyKey > ? AND at < ?
                        ORDER BY idempotencyKey LIMIT ?
                        """, arguments: [orgId, after, at, batchSize])
            }
            guard let last = keys.last else { return removed }
            guard let count = try writer.write({ db in try UsageEventPrune.delete(db, orgId: orgId, keys: keys) }) else {
                return removed
            }
            removed += count
            after = last
            if keys.count < batchSize { return removed }
        }
    }
}
