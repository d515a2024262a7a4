import Foundation
import GRDB

/// What one run of the deletion duties did.
public struct OrgDeletionRun: Sendable, Equatable {
    public var remindersSent = 0
    /// Keys of the organizations removed for good.
    public var purged: [String] = []
}

extension AppDatabase {
    /// The worker's duties for organizations pending deletion: reminder emails to every Owner
    /// 7 and 1 days before (each once), then, once the grace period is over, the purge.
    @discardableResult
    public func runDeletionDuties(logos: LogoStore?, exports: DataExportStore? = nil, batchSize: Int = 1_000) throws -> OrgDeletionRun {
        var run = OrgDeletionRun()
        let now = self.now()
        run.remindersSent = try sendDeletionReminders(now: now)
        let due = try reader.read { db in
            try Row.fetchAll(db, sql: "SELECT id, key FROM organization WHERE purgeAt <= ? ORDER BY purgeAt", arguments: [now])
        }
        for org in due {
            try purgeOrganization(id: org[0], logos: logos, exports: exports, batchSize: batchSize)
            run.purged.append(org[1])
        }
        return run
    }

    private func sendDeletionReminders(now: Date) throws -> Int {
        try writer.write { db in
            var sent = 0
            let soonest = now.addingTimeInterval(OrgDeletionRules.reminders.map(\.before).max()!)
            let pending = try Row.fetchAll(
                db, sql: "SELECT * FROM organization WHERE purgeAt IS NOT NULL AND purgeAt > ? AND purgeAt <= ?", arguments: [now, soonest])
            for row in pending {
                let org = try Organization(row: row)
                let done: Int = row["deletionReminders"]
                let left = org.purgeAt!.timeIntervalSince(now)
                // Every reminder whose moment has come is marked; only the latest is sent, so a
                // worker that was down for a week sends one email, not two.
                let due = OrgDeletionRules.reminders.filter { left <= $0.before && done & $0.bit == 0 }
                guard !due.isEmpty else { continue }
                let days = Int((left / 86_400).rounded(.up))
                try Self.tellOwners(
                    db, org: org, kind: .deletionScheduled, now: now,
                    subject: "\(org.displayName) will be deleted in \(Plural.count(days, "day", "days"))",
                    body: """
                        The organization \(org.displayName) (\(org.key)) on Wheelhouse is scheduled for deletion on \(OrgDeletionRules.dateText(org.purgeAt!)).

                        Then every member, workspace, credential, usage record and audit entry of it will be removed for good. To keep it, an Owner can cancel the deletion on the Compliance tab before then.
                        """)
                let bits = due.reduce(done) { $0 | $1.bit }
                try db.execute(sql: "UPDATE organization SET deletionReminders = ? WHERE id = ?", arguments: [bits, org.id!])
                sent += 1
            }
            return sent
        }
    }

    /// Removes every row of organization `id`, table by table in short batches (the write lock is
    /// never held long, and a killed run simply continues next time), then the organization row
    /// itself together with one tombstone audit entry outside it (who asked, when, its key).
    /// `secure_delete` overwrites the removed rows in the file and the WAL is truncated after, so
    /// the organization's names do not survive in the database file's free pages.
    func purgeOrganization(id orgId: Int64, logos: LogoStore?, exports: DataExportStore?, batchSize: Int) throws {
        let files = try reader.read { db in try Self.filesOf(db, orgId: orgId, logos: logos, exports: exports) }
        let previous = try writer.writeWithoutTransaction { db in
            let previous = try Int.fetchOne(db, sql: "PRAGMA secure_delete") ?? 0
            try db.execute(sql: "PRAGMA secure_delete = ON")
            return previous
        }
        defer { _ = try? writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA secure_delete = \(previous)") } }
        for table in try reader.read({ db in try Self.tablesWithOrgId(db) }) {
            while true {
                let removed = try writer.write { db in
                    try db.execute(sql: table.batchDelete, arguments: [orgId, batchSize])
                    return db.changesCount
                }
                if removed < batchSize { break }
            }
        }
        try writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT key, deletionRequestedBy, deletionRequestedAt FROM organization WHERE id = ? AND purgeAt IS NOT NULL",
                    arguments: [orgId])
            else { return }
            let key: String = row[0]
            let requestedAt: Date? = row[2]
            try db.execute(sql: "DELETE FROM organization WHERE id = ?", arguments: [orgId])
            try AuditEvent(
                id: nil, orgId: nil, actorUserId: row[1], action: .organizationPurge, target: "org:\(key)",
                summary:
                    "organization \(key) removed for good; deletion requested \(requestedAt.map(OrgDeletionRules.dateText) ?? "earlier")",
                address: "worker", createdAt: now()
            ).insert(db)
        }
        _ = try? writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let stillUsed = try reader.read { db in
            try Set(String.fetchAll(db, sql: "SELECT logoFile FROM organization WHERE logoFile IS NOT NULL"))
        }
        for file in files where !(file.deletingLastPathComponent() == logos?.directory && stillUsed.contains(file.lastPathComponent)) {
            try? FileManager.default.removeItem(at: file)
        }
    }

    /// Files on disk that belong to the organization: its logo (content-addressed, so removed only
    /// when no other organization uses the same picture) and its data exports.
    static func filesOf(_ db: Database, orgId: Int64, logos: LogoStore?, exports: DataExportStore?) throws -> [URL] {
        var files: [URL] = []
        if let logos, let logo = try String.fetchOne(db, sql: "SELECT logoFile FROM organization WHERE id = ?", arguments: [orgId]) {
            files.append(logos.directory.appendingPathComponent(logo))
        }
        if let exports {
            for name in try String.fetchAll(
                db, sql: "SELECT fileName FROM dataExport WHERE orgId = ? AND fileName IS NOT NULL", arguments: [orgId])
            {
                files.append(exports.url(of: name))
            }
        }
        return files
    }

    /// Every table with an `orgId` column except `organization`: found in the schema, so a table
    /// added later is purged without being listed here. Tables reached only through another
    /// (team members through teams, access through workspaces) go by their foreign keys' cascade.
    static func tablesWithOrgId(_ db: Database) throws -> [PurgeTable] {
        let names = try String.fetchAll(
            db,
            sql: """
                SELECT m.name FROM sqlite_master m
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'organization'
                  AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'orgId')
                ORDER BY m.name
                """)
        return try names.map { name in
            let withoutRowID =
                try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [name])?
                .uppercased().contains("WITHOUT ROWID") ?? false
            let key =
                withoutRowID
                ? try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", arguments: [name])
                    .map { "\"\($0)\"" }.joined(separator: ", ")
                : "rowid"
            return PurgeTable(name: name, key: key)
        }
    }
}

/// One table the purge empties of an organization's rows, a batch at a time.
struct PurgeTable: Sendable {
    var name: String
    /// `rowid`, or the primary key's columns for a WITHOUT ROWID table.
    var key: String

    var batchDelete: String {
        """
        DELETE FROM "\(name)" WHERE (\(key)) IN (SELECT \(key) FROM "\(name)" WHERE orgId = ?1 LIMIT ?2)
        """
    }
}

extension PeriodicJob {
    /// `runDeletionDuties` (reminders, then purges), at start-up and then every ten minutes.
    public static func orgDeletion(_ database: AppDatabase, logos: LogoStore, exports: DataExportStore) -> PeriodicJob {
        PeriodicJob(name: "org-deletion", interval: 600) { _ = try database.runDeletionDuties(logos: logos, exports: exports) }
    }
}
