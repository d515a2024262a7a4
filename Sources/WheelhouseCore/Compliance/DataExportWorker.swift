import Foundation
import GRDB

extension AppDatabase {
    /// Marks a build ready (expiring 24 h from now) and tells the person who asked: an in-app
    /// notification and an email, both pointing at the Compliance page (never at the signed link).
    /// False when the build was no longer this claim's (its lease passed and another took it).
    func finishDataExport(_ export: DataExport, built: BuiltArchive, consoleURL: String) throws -> Bool {
        try writer.write { db in
            let now = self.now()
            let expires = now.addingTimeInterval(DataExportSchema.lifetime)
            try db.execute(
                sql: """
                    UPDATE dataExport SET status = 'ready', fileName = ?, byteSize = ?, sha256 = ?, filesDone = filesTotal,
                        finishedAt = ?, expiresAt = ?, leaseUntil = NULL
                    WHERE id = ? AND status = 'building' AND attempts = ?
                    """, arguments: [built.fileName, built.byteSize, built.sha256, now, expires, export.id, export.attempts])
            guard db.changesCount == 1 else { return false }
            guard let requester = export.requestedBy, let row = try Self.exportParties(db, export) else { return true }
            let (orgKey, orgName, name, _) = row
            let link = "/orgs/\(orgKey)/settings/compliance"
            let body = """
                Hello \(name),

                The data export of \(orgName) you asked for is ready: \(built.byteSize) bytes, SHA-256 \(built.sha256).

                Download it from the Compliance page, signed in as an Owner of \(orgName):
                \(consoleURL)\(link)

                It can be downloaded until \(ISO8601DateFormatter().string(from: expires)); the archive is then deleted and you can ask for a new one.
                """
            try Self.notify(
                db, userId: requester, orgId: export.orgId, kind: .dataExportReady, title: "The data export of \(orgName) is ready",
                link: link, mail: NoticeMail(subject: "Your data export of \(orgName) is ready", body: body, linkInBody: true), now: now)
            try Self.emitEvent(
                db, orgId: export.orgId, event: .dataExportReady,
                payload: [
                    "summary": "The data export of \(orgName) is ready", "path": link, "sha256": built.sha256,
                    "bytes": "\(built.byteSize)",
                ], now: now)
            return true
        }
    }

    /// Marks a build failed with `reason` (shown on the page) and notifies the requester.
    func failDataExport(_ export: DataExport, reason: String) throws {
        try writer.write { db in
            let now = self.now()
            try db.execute(
                sql: """
                    UPDATE dataExport SET status = 'failed', error = ?, finishedAt = ?, leaseUntil = NULL
                    WHERE id = ? AND status = 'building' AND attempts = ?
                    """, arguments: [String(reason.prefix(500)), now, export.id, export.attempts])
            guard db.changesCount == 1, let requester = export.requestedBy, let (orgKey, orgName, _, _) = try Self.exportParties(db, export)
            else { return }
            try Self.notify(
                db, userId: requester, orgId: export.orgId, kind: .dataExportFailed,
                title: "The data export of \(orgName) failed: \(reason)", link: "/orgs/\(orgKey)/settings/compliance", now: now)
        }
    }

    private static func exportParties(_ db: Database, _ export: DataExport) throws -> (String, String, String, String)? {
        try Row.fetchOne(
            db, sql: "SELECT o.key, o.displayName, u.name, u.email FROM organization o, user u WHERE o.id = ? AND u.id = ?",
            arguments: [export.orgId, export.requestedBy]
        ).map { ($0[0], $0[1], $0[2], $0[3]) }
    }

    /// Deletes the archives whose 24 hours have passed and marks their rows expired; also removes
    /// what a killed build left behind (hidden temporary files an hour old). Returns how many expired.
    @discardableResult
    public func expireDataExports(store: DataExportStore) throws -> Int {
        let now = self.now()
        let due = try reader.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, fileName FROM dataExport WHERE status = 'ready' AND expiresAt <= ?", arguments: [now])
        }
        for row in due {
            let id: Int64 = row[0]
            if let name: String = row[1] { try? FileManager.default.removeItem(at: store.url(of: name)) }
            try writer.write { db in
                try db.execute(sql: "UPDATE dataExport SET status = 'expired' WHERE id = ? AND status = 'ready'", arguments: [id])
            }
        }
        let files = FileManager.default
        for name in (try? files.contentsOfDirectory(atPath: store.directory.path)) ?? [] where name.hasPrefix(".") {
            let url = store.url(of: name)
            if let modified = try? files.attributesOfItem(atPath: url.path)[.modificationDate] as? Date,
                Date().timeIntervalSince(modified) > 3_600
            {
                try? files.removeItem(at: url)
            }
        }
        return due.count
    }
}

/// Builds data exports on a background thread of `serve`: every few seconds it deletes expired
/// archives, then claims one queued export (or one whose builder died: its lease passed) and
/// builds it. Several processes may run it: the claim is one UPDATE, so each export is built once.
public final class DataExportWorker: Sendable {
    let database: AppDatabase
    let store: DataExportStore
    let consoleURL: String
    let lease: TimeInterval
    private let loop = BackgroundLoop()

    public init(database: AppDatabase, store: DataExportStore, consoleURL: String, lease: TimeInterval = 120) {
        (self.database, self.store, self.consoleURL, self.lease) = (database, store, consoleURL, lease)
    }

    /// Expires what is due, then builds at most one export. True when one was claimed.
    @discardableResult
    public func runOne() throws -> Bool {
        try database.expireDataExports(store: store)
        guard let export = try database.claimDataExport(lease: lease) else { return false }
        do {
            let built = try DataExportBuilder(database: database, store: store, lease: lease).build(export)
            if try !database.finishDataExport(export, built: built, consoleURL: consoleURL) {
                try? FileManager.default.removeItem(at: store.url(of: built.fileName))
            }
        } catch {
            let reason = (error as? DataExportFailure)?.description ?? "the archive could not be written (\(type(of: error)))"
            try database.failDataExport(export, reason: reason)
        }
        return true
    }

    public func start() {
        loop.start(name: "data-export") { [self] in
            let built = (try? runOne()) ?? false
            return built ? 0 : 3
        }
    }

    public func stop() { loop.stop() }
}

extension AppDatabase {
    /// Builds a full export of `orgKey` now, on this thread, outside the queue (`wheelhouse
    /// export`, `make bench`): the same archive the worker builds, written to `destination`.
    public func exportOrganizationNow(orgKey: String, store: DataExportStore, to destination: URL) throws -> (bytes: Int64, sha256: String)
    {
        guard
            let orgId = try reader.read({ db in
                try Int64.fetchOne(db, sql: "SELECT id FROM organization WHERE key = ?", arguments: [orgKey])
            })
        else { throw DataExportFailure("no organization has the key \(orgKey)") }
        // No row: id 0 names no export, so the builder's progress updates change nothing.
        let row = try reader.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT 0 AS id, ? AS orgId, NULL AS requestedBy, 'building' AS status, 0 AS filesDone, 0 AS filesTotal, "
                    + "NULL AS fileName, NULL AS byteSize, NULL AS sha256, ? AS createdAt, NULL AS startedAt, NULL AS finishedAt, "
                    + "NULL AS expiresAt, NULL AS error, 1 AS attempts", arguments: [orgId, now()])!
        }
        let built = try DataExportBuilder(database: self, store: store).build(DataExport(row: row))
        let source = store.url(of: built.fileName)
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.moveItem(at: source, to: destination)
        return (built.byteSize, built.sha256)
    }
}
