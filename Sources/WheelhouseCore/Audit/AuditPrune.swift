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
    public func pruneAuditLog(batchSize: Int = 500, enforcePlan: Bool = false) throws -> [AuditPruneResult] {
        // Every organization's window: the one its Owner chose, shortened in SaaS mode to what its
        // plan keeps (an organization that moved to a smaller plan keeps no more than it offers).
        let rows = try reader.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.id, coalesce(r.days, 0), o.key, o.plan FROM organization o LEFT JOIN auditRetention r ON r.orgId = o.id
                    ORDER BY o.id
                    """)
        }
        let windows = rows.compactMap { row -> (Int64, Int, String)? in
            let chosen = AuditRetention(rawValue: row[1]) ?? .forever
            let kept = enforcePlan ? chosen.capped(by: Plan.named(row[3]).auditRetentionCap) : chosen
            guard let days = kept.days else { return nil }
            return (row[0], days, row[2])
        }
        let now = self.now()
        var results: [AuditPruneResult] = []
        for (orgId, days, key) in windows {
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

extension PeriodicJob {
    /// `pruneAuditLog`, at start-up and then hourly.
    public static func auditPrune(_ database: AppDatabase, enforcePlan: Bool) -> PeriodicJob {
        PeriodicJob(name: "audit-prune", interval: 3_600) { _ = try database.pruneAuditLog(enforcePlan: enforcePlan) }
    }
}
