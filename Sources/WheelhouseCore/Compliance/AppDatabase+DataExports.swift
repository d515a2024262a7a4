import Foundation
import GRDB

extension AppDatabase {
    /// Owner only (`exportOrganizationData`): queues an export of the whole organization and audits
    /// the request in the same transaction. While one is queued or building a second is refused
    /// (a form error), so a double submit or two Owners at once make one export.
    @discardableResult
    public func requestDataExport(orgKey: String, by actor: Actor) throws -> DataExport {
        do {
            return try writer.write { db in
                // Allowed while the organization waits to be deleted: exporting first is the point.
                let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!, duringDeletion: true)
                try access.require(.exportOrganizationData)
                let orgId = access.org.id!
                if try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM dataExport WHERE orgId = ? AND status IN ('queued', 'building')", arguments: [orgId])
                    ?? false
                {
                    throw Self.exportAlreadyRunning
                }
                let now = self.now()
                try db.execute(
                    sql: "INSERT INTO dataExport (orgId, requestedBy, status, filesTotal, createdAt) VALUES (?, ?, 'queued', ?, ?)",
                    arguments: [orgId, actor.user.id!, DataExportContents.fileCount, now])
                let id = db.lastInsertedRowID
                try AuditEvent(
                    org: orgId, actor: actor, action: .complianceExportRequest, target: "export:\(id)",
                    summary: "data export requested", at: now
                ).insert(db)
                return try Self.dataExport(db, orgId: orgId, id: id)!
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            // Another process inserted between the check and the insert.
            throw Self.exportAlreadyRunning
        }
    }

    static var exportAlreadyRunning: DomainError {
        var errors = FieldErrors()
        errors.addForm(
            "An export is already being prepared. Wait until it is ready (this page shows its progress) before asking for another.")
        return .invalid(errors)
    }

    /// The organization's exports, newest first, with who asked for each.
    public func dataExports(orgId: Int64, limit: Int = 20) throws -> [DataExportListing] {
        try reader.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.*, u.name AS requesterName, u.email AS requesterEmail
                    FROM dataExport e LEFT JOIN user u ON u.id = e.requestedBy
                    WHERE e.orgId = ? ORDER BY e.id DESC LIMIT ?
                    """, arguments: [orgId, limit]
            ).map {
                DataExportListing(export: DataExport(row: $0), requesterName: $0["requesterName"], requesterEmail: $0["requesterEmail"])
            }
        }
    }

    /// Export `id` of organization `orgId`, or nil (another organization's id reads as missing).
    public func dataExport(orgId: Int64, id: Int64) throws -> DataExport? {
        try reader.read { db in try Self.dataExport(db, orgId: orgId, id: id) }
    }

    static func dataExport(_ db: Database, orgId: Int64, id: Int64) throws -> DataExport? {
        try Row.fetchOne(
            db, sql: "SELECT \(DataExport.columns) FROM dataExport WHERE orgId = ? AND id = ?", arguments: [orgId, id]
        ).map(DataExport.init(row:))
    }

    /// Audits one download of a ready export (the link was checked by the caller).
    public func recordDataExportDownload(orgId: Int64, orgKey: String, exportId: Int64, by actor: Actor) throws {
        try writer.write { db in
            try AuditEvent(
                org: orgId, actor: actor, action: .complianceExportDownload, target: "export:\(exportId)",
                summary: "data export downloaded", at: self.now()
            ).insert(db)
        }
    }

    /// Takes the oldest queued export, or a building one whose lease passed (its worker died),
    /// and marks it building with a new lease. One UPDATE on the writer: two processes never get
    /// the same export.
    public func claimDataExport(lease: TimeInterval = 120) throws -> DataExport? {
        let now = self.now()
        return try writer.write { db in
            try Row.fetchOne(
                db,
                sql: """
                    UPDATE dataExport SET status = 'building', startedAt = ?, leaseUntil = ?, attempts = attempts + 1,
                        filesDone = 0, error = NULL
                    WHERE id = (SELECT id FROM dataExport
                                WHERE status = 'queued' OR (status = 'building' AND leaseUntil < ?) ORDER BY id LIMIT 1)
                    RETURNING \(DataExport.columns)
                    """, arguments: [now, now.addingTimeInterval(lease), now]
            ).map(DataExport.init(row:))
        }
    }

    /// Records that `done` files are in the archive and extends the lease.
    func dataExportProgress(id: Int64, done: Int, lease: TimeInterval) throws {
        try writer.write { db in
            try db.execute(
                sql: "UPDATE dataExport SET filesDone = ?, leaseUntil = ? WHERE id = ? AND status = 'building'",
                arguments: [done, self.now().addingTimeInterval(lease), id])
        }
    }
}
