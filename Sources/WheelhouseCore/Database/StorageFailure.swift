import GRDB
import GRDBSQLite

/// The storage under the database refusing a write — a full disk, a file or directory this
/// process may not write — told apart from bugs, so that pages can say what happened and reads
/// can carry on while writes cannot.
public enum StorageFailure: Error, Equatable, Sendable {
    case full
    case readOnly

    /// The failure `error` stands for, or nil when it is not a storage failure.
    public init?(_ error: any Error) {
        if let failure = error as? StorageFailure {
            self = failure
            return
        }
        guard let error = error as? DatabaseError else { return nil }
        switch error.resultCode {
        case .SQLITE_FULL: self = .full
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM: self = .readOnly
        default: return nil
        }
    }
}

extension AppDatabase {
    /// A write that only takes note (a session last seen, a flash shown): when the storage refuses
    /// it, the request carries on as a read.
    func noteWrite(_ body: (Database) throws -> Void) throws {
        do {
            try writer.write(body)
        } catch  where StorageFailure(error) != nil {
            return
        }
    }

    /// Refuses a database this process can read but not write (SQLite then opens it read-only
    /// without a word): starting would serve a console whose every save fails.
    public func requireWritable() throws {
        let readOnly = writer.writeWithoutTransaction { db in sqlite3_db_readonly(db.sqliteConnection, "main") == 1 }
        if readOnly { throw StorageFailure.readOnly }
        // Taking the write lock touches the file and its -wal and -shm companions.
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            try db.execute(sql: "ROLLBACK")
        }
    }
}
