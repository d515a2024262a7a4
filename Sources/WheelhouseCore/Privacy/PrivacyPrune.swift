import Foundation
import GRDB

/// What one run of the privacy job removed from one organization.
public struct PrivacyPruneResult: Sendable, Equatable {
    public var orgId: Int64
    public var removed: [PrivacyDataClass: Int]

    public var total: Int { removed.values.reduce(0, +) }
}

extension AppDatabase {
    /// Applies every organization's privacy windows once, `batchSize` rows per short write
    /// transaction so requests keep their turn at the writer:
    ///
    /// - raw usage events older than the window are deleted (rollups untouched, `UsageEventPrune`);
    /// - sessions of the organization's members that ended (past `SessionRules`' idle or absolute
    ///   time-out) longer ago than the window are deleted. A session belongs to a person, not an
    ///   organization: organizations are handled shortest session window first, so a person in
    ///   several loses an ended session after the strictest window among them, and that
    ///   organization's run counts it;
    /// - notifications of the organization read longer ago than the window are deleted;
    /// - mail of the organization delivered (`sent`) longer ago than the window keeps its row
    ///   (kind, status, attempts, dates: the delivery history) but loses its recipient (set to
    ///   the empty text) and, for notices, its subject and body.
    ///
    /// Each organization with a window gets its run recorded (`privacyPruneRun`, shown on the
    /// Privacy tab); one that lost anything also gets one `privacy.prune` entry by the system.
    @discardableResult
    public func prunePrivacyData(batchSize: Int = 500) throws -> [PrivacyPruneResult] {
        let orgs = try reader.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.orgId, o.key, p.usageEventDays, p.sessionDays, p.notificationDays, p.mailDays
                    FROM privacySetting p JOIN organization o ON o.id = p.orgId
                    WHERE p.usageEventDays + p.sessionDays + p.notificationDays + p.mailDays > 0
                    ORDER BY CASE p.sessionDays WHEN 0 THEN 1000 ELSE p.sessionDays END, p.orgId
                    """)
        }
        let now = self.now()
        var results: [PrivacyPruneResult] = []
        for org in orgs {
            let orgId: Int64 = org[0], key: String = org[1]
            var removed: [PrivacyDataClass: Int] = [:]
            var windows: [String] = []
            for (index, dataClass) in PrivacyDataClass.allCases.enumerated() {
                let days: Int = org[2 + index]
                guard days > 0 else { continue }
                let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
                removed[dataClass] = try prune(dataClass, orgId: orgId, before: cutoff, batchSize: batchSize)
                windows.append("\(dataClass.title.lowercased()) \(days) days")
            }
            let result = PrivacyPruneResult(orgId: orgId, removed: removed)
            try writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO privacyPruneRun (orgId, ranAt, usageEventDays, sessionDays, notificationDays, mailDays)
                        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (orgId) DO UPDATE SET ranAt = excluded.ranAt,
                            usageEventDays = excluded.usageEventDays, sessionDays = excluded.sessionDays,
                            notificationDays = excluded.notificationDays, mailDays = excluded.mailDays
                        """,
                    arguments: [orgId, now] + StatementArguments(PrivacyDataClass.allCases.map { removed[$0] ?? 0 }))
                guard result.total > 0 else { return }
                try AuditEvent(
                    id: nil, orgId: orgId, actorUserId: nil, action: .privacyPrune, target: "org:\(key)",
                    summary:
                        "removed \(PrivacyPruneRun(ranAt: now, removed: removed).summary) (retention: \(windows.joined(separator: ", ")))",
                    address: "worker", createdAt: now
                ).insert(db)
            }
            results.append(result)
        }
        return results
    }

    private func prune(_ dataClass: PrivacyDataClass, orgId: Int64, before cutoff: Date, batchSize: Int) throws -> Int {
        let sql: String
        let arguments: StatementArguments
        switch dataClass {
        case .usageEvents:
            return try pruneUsageEvents(orgId: orgId, before: cutoff, batchSize: batchSize)
        case .endedSessions:
            sql = """
                DELETE FROM session WHERE tokenHash IN (
                    SELECT s.tokenHash FROM session s JOIN membership m ON m.userId = s.userId AND m.orgId = ?
                    WHERE s.createdAt < ? OR s.lastSeenAt < ? LIMIT ?)
                """
            arguments = [
                orgId, cutoff.addingTimeInterval(-SessionRules.absoluteTimeout), cutoff.addingTimeInterval(-SessionRules.idleTimeout),
                batchSize,
            ]
        case .readNotifications:
            sql = """
                DELETE FROM notification WHERE id IN (
                    SELECT id FROM notification WHERE orgId = ? AND readAt IS NOT NULL AND readAt < ? LIMIT ?)
                """
            arguments = [orgId, cutoff, batchSize]
        case .mailBodies:
            sql = """
                UPDATE outbox SET recipient = '', subject = NULL, body = NULL, link = NULL WHERE id IN (
                    SELECT id FROM outbox WHERE orgId = ? AND status = 'sent' AND sentAt < ?
                        AND (recipient <> '' OR subject IS NOT NULL OR body IS NOT NULL) LIMIT ?)
                """
            arguments = [orgId, cutoff, batchSize]
        }
        var removed = 0
        while true {
            let count = try writer.write { db in
                try db.execute(sql: sql, arguments: arguments)
                return db.changesCount
            }
            removed += count
            if count < batchSize { return removed }
        }
    }
}

extension PeriodicJob {
    /// `prunePrivacyData`, at start-up and then hourly.
    public static func privacyPrune(_ database: AppDatabase) -> PeriodicJob {
        PeriodicJob(name: "privacy-prune", interval: 3_600) { _ = try database.prunePrivacyData() }
    }
}
