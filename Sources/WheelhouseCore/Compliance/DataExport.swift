import Foundation
import GRDB

/// Where a data export is: queued by an Owner, building on a background worker, ready to
/// download until it expires (its file is then deleted), or failed with a reason.
public enum DataExportStatus: String, CaseIterable, Sendable {
    case queued, building, ready, failed, expired

    /// Queued or building: an organization has at most one such export at a time.
    public var isActive: Bool { self == .queued || self == .building }
}

/// One requested archive of an organization's data (table `dataExport`).
public struct DataExport: Sendable, Equatable {
    public var id: Int64
    public var orgId: Int64
    public var requestedBy: Int64?
    public var status: DataExportStatus
    public var filesDone: Int
    public var filesTotal: Int
    /// The archive's name inside `$WHEELHOUSE_DATA_DIR/exports/` (never a path).
    public var fileName: String?
    public var byteSize: Int64?
    /// Hex SHA-256 of the archive, shown so a downloaded copy can be checked.
    public var sha256: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// `finishedAt` + 24 h: the download link stops working and the file is deleted.
    public var expiresAt: Date?
    public var error: String?
    /// How many times a worker claimed it: a builder finishes it only while this is still its claim.
    public var attempts: Int

    static let columns = """
        id, orgId, requestedBy, status, filesDone, filesTotal, fileName, byteSize, sha256, createdAt, startedAt, finishedAt, \
        expiresAt, error, attempts
        """

    init(row: Row) {
        id = row["id"]
        orgId = row["orgId"]
        requestedBy = row["requestedBy"]
        status = DataExportStatus(rawValue: row["status"]) ?? .failed
        filesDone = row["filesDone"]
        filesTotal = row["filesTotal"]
        fileName = row["fileName"]
        byteSize = row["byteSize"]
        sha256 = row["sha256"]
        createdAt = row["createdAt"]
        startedAt = row["startedAt"]
        finishedAt = row["finishedAt"]
        expiresAt = row["expiresAt"]
        error = row["error"]
        attempts = row["attempts"]
    }
}

/// A data export with the name of the person who asked for it, for the Compliance page.
public struct DataExportListing: Sendable, Equatable {
    public var export: DataExport
    public var requesterName: String?
    public var requesterEmail: String?
}

enum DataExportSchema {
    /// How long a download link works after the archive is finished.
    static let lifetime: TimeInterval = 24 * 3_600

    /// The partial unique index is what makes a double submit (or two Owners at once) create one
    /// export: the second insert fails inside the same transaction that checked.
    static let sql = """
        CREATE TABLE dataExport (
            id INTEGER PRIMARY KEY,
            orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
            requestedBy INTEGER REFERENCES user(id) ON DELETE SET NULL,
            status TEXT NOT NULL CHECK (status IN ('queued', 'building', 'ready', 'failed', 'expired')),
            filesDone INTEGER NOT NULL DEFAULT 0 CHECK (filesDone >= 0),
            filesTotal INTEGER NOT NULL DEFAULT 0 CHECK (filesTotal >= 0),
            fileName TEXT CHECK (fileName IS NULL OR (length(fileName) <= 100 AND fileName NOT GLOB '*/*')),
            byteSize INTEGER CHECK (byteSize IS NULL OR byteSize >= 0),
            sha256 TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),
            createdAt DATETIME NOT NULL,
            startedAt DATETIME,
            finishedAt DATETIME,
            expiresAt DATETIME,
            -- A building export whose lease has passed was abandoned (its process died): reclaimed.
            leaseUntil DATETIME,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT CHECK (error IS NULL OR length(error) <= 500),
            CHECK ((status = 'ready') = (fileName IS NOT NULL AND expiresAt IS NOT NULL) OR status = 'expired')
        );
        CREATE UNIQUE INDEX dataExport_active ON dataExport(orgId) WHERE status IN ('queued', 'building');
        CREATE INDEX dataExport_org ON dataExport(orgId, id);
        CREATE INDEX dataExport_due ON dataExport(status, leaseUntil) WHERE status IN ('queued', 'building');
        CREATE INDEX dataExport_expiry ON dataExport(expiresAt) WHERE status = 'ready';
        """
}
