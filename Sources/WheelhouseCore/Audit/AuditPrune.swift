import Foundation
import GRDB

/// What one prune run removed from one organization's log.
public struct AuditPruneResult: Sendable, Equatable {
    public var orgId: Int64
    public var removed: Int
    /// Entries created before this instant were removed.
    public var cutoff: Date

    public init(orgId: Int64, removed: Int, cutoff: Date) {
        (self.orgId, self.removed, self.cutoff) = (orgId, removed, cutoff)
    }
}

extension AppDatabase {
    /// Removes, for every organization with a retention window, the entries older than the window,
    /// `batchSize` rows per short write transaction so requests keep their turn at the writer.
    /// Then one entry per organization that lost any (`audit.prune`, by the system) says how
    /// many and up to when; it is newer than the cutoff, so no run removes it. A run that finds
    /// nothing to remove writes nothing, so an hourly job does not fill the log with zeros.
    @discardableResult
    public func pruneAuditLog(batchSize: Int = 500) throws -> [AuditPruneResult] {
        let windows = try reader.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.orgId, r.days, o.key FROM auditRetention r JOIN organization o ON o.id = r.orgId
                    WHERE r.days > 0 ORDER BY r.orgId
                    """)
        }
        let now = self.now()
        var results: [AuditPruneResult] = []
        for window in windows {
            let orgId: Int64 = window[0], days: Int = window[1], key: String = window[2]
            let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
            var removed = 0
            while true {
                let count = try writer.write { db in
                    try db.execute(
                        sql: """
                            DELETE FROM auditEvent WHERE id IN (
                                SELECT id FROM auditEvent WHERE orgId = ? AND createdAt < ? ORDER BY id LIMIT ?)
                            """, arguments: [orgId, cutoff, batchSize])
                    return db.changesCount
                }
                removed += count
                if count < batchSize { break }
            }
            guard removed > 0 else { continue }
            try writer.write { db in
                try AuditEvent(
                    id: nil, orgId: orgId, actorUserId: nil, action: .auditPrune, target: "org:\(key)",
                    summary:
                        "removed \(Plural.count(removed, "entry", "entries")) older than \(ISO8601DateFormatter().string(from: cutoff)) "
                        + "(retention \(days) days)", address: "worker", createdAt: now
                ).insert(db)
            }
            results.append(AuditPruneResult(orgId: orgId, removed: removed, cutoff: cutoff))
        }
        return results
    }
}

/// Runs `pruneAuditLog` on a background thread of `serve`: once at start-up, then every `interval`.
public final class AuditPruneWorker: Sendable {
    let database: AppDatabase
    let interval: TimeInterval
    private let loop = BackgroundLoop()

    public init(database: AppDatabase, interval: TimeInterval = 3_600) {
        self.database = database
        self.interval = interval
    }

    public func start() {
        loop.start(name: "audit-prune") { [self] in
            _ = try? database.pruneAuditLog()
            return interval
        }
    }

    public func stop() { loop.stop() }
}
