import Foundation
import GRDB

/// The master key's file in the data directory, `master.key` (mode 0600).
///
/// - Created on first start, with `link(2)` from a temporary file so that two processes starting
///   at once agree on one key and nobody ever reads a half-written file.
/// - Missing while the database holds encrypted data: the process refuses to start.
/// - Rotation writes the new key to `master.key.new` first, re-encrypts in one transaction, then
///   renames `master.key` to `master.key.old` and `master.key.new` to `master.key`. A start after an
///   interrupted rotation finds the database's key in `master.key.new` and finishes the renames.
public struct MasterKeyFile: Sendable {
    public let path: String

    public init(directory: String) {
        path = (directory as NSString).appendingPathComponent("master.key")
    }

    public var newPath: String { path + ".new" }
    public var oldPath: String { path + ".old" }

    func unlock(_ writer: any DatabaseWriter) throws -> Vault {
        if let key = try read(path) {
            do {
                return try Self.register(key, writer, path: path)
            } catch MasterKeyError.wrongKey {
                guard let newer = try read(newPath), try Self.matches(newer, writer) else { throw MasterKeyError.wrongKey(path: path) }
                try promoteNew()
                return try Self.register(newer, writer, path: path)
            }
        }
        if let newer = try read(newPath), try Self.matches(newer, writer) {
            try promoteNew()
            return try Self.register(newer, writer, path: path)
        }
        let encrypted = try writer.read { db in try Self.encryptedRecords(db) }
        guard encrypted == 0 else { throw MasterKeyError.missing(path: path, encryptedRecords: encrypted) }
        let key = MasterKey.generate()
        guard try createExclusively(key) else {
            // Another process created the file first: use its key.
            return try unlock(writer)
        }
        return try Self.register(key, writer, path: path, replaceUnused: true)
    }

    // MARK: - The database side

    /// Rows sealed with the key: secrets, provider keys and two-factor secrets (migrations have run).
    static func encryptedRecords(_ db: Database) throws -> Int {
        try Int.fetchOne(
            db,
            sql: """
                SELECT (SELECT count(*) FROM secret) + (SELECT count(*) FROM provider) + (SELECT count(*) FROM twoFactor)
                    + (SELECT count(*) FROM integrationEndpoint) + (SELECT count(*) FROM ssoConfig WHERE sealedSecret IS NOT NULL)
                """) ?? 0
    }

    static func matches(_ key: MasterKey, _ writer: any DatabaseWriter) throws -> Bool {
        try writer.read { db in
            guard let stored = try Data.fetchOne(db, sql: "SELECT checkValue FROM masterKeyCheck WHERE id = 1") else { return false }
            return Crypto.constantTimeEquals(Array(stored), key.checkValue)
        }
    }

    /// Checks `key` against the stored check value, or stores it when there is none. With
    /// `replaceUnused`, a different stored key is replaced only while nothing is encrypted.
    static func register(
        _ key: MasterKey, _ writer: any DatabaseWriter, path: String = "the in-memory key",
        replaceUnused: Bool = false
    ) throws -> Vault {
        try writer.write { db in
            let check = Data(key.checkValue)
            guard let row = try Row.fetchOne(db, sql: "SELECT version, checkValue FROM masterKeyCheck WHERE id = 1") else {
                if try encryptedRecords(db) > 0 { throw MasterKeyError.wrongKey(path: path) }
                try db.execute(
                    sql: "INSERT INTO masterKeyCheck (id, version, checkValue, createdAt) VALUES (1, 1, ?, ?)",
                    arguments: [check, Date()])
                return Vault(key: key, version: 1)
            }
            let version: Int = row["version"]
            if Crypto.constantTimeEquals(Array(row["checkValue"] as Data), key.checkValue) {
                return Vault(key: key, version: version)
            }
            guard replaceUnused, try encryptedRecords(db) == 0 else { throw MasterKeyError.wrongKey(path: path) }
            try db.execute(
                sql: "UPDATE masterKeyCheck SET version = ?, checkValue = ?, rotatedAt = ? WHERE id = 1",
                arguments: [version + 1, check, Date()])
            return Vault(key: key, version: version + 1)
        }
    }

    // MARK: - Files

    /// The key in `path`, nil when there is no such file.
    func read(_ path: String) throws -> MasterKey? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw MasterKeyError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if info.st_mode & 0o077 != 0 {
            throw MasterKeyError.tooOpen(path: path, mode: String(info.st_mode & 0o777, radix: 8))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MasterKeyError.unreadable(path: path, reason: "permission denied")
        }
        guard let key = MasterKey(fileText: String(decoding: data, as: UTF8.self)) else {
            throw MasterKeyError.malformed(path: path)
        }
        return key
    }

    /// Writes `key` to a fresh 0600 file at `target` (replacing it), synced to disk.
    func store(_ key: MasterKey, at target: String) throws {
        let temporary = target + ".tmp-" + Crypto.randomBytes(6).hexString
        try writeNew(key, at: temporary)
        guard rename(temporary, target) == 0 else { throw failure(target) }
        syncDirectory()
    }

    /// Creates `path` with `key` unless it exists; false when another process was first.
    func createExclusively(_ key: MasterKey) throws -> Bool {
        let temporary = path + ".tmp-" + Crypto.randomBytes(6).hexString
        try writeNew(key, at: temporary)
        defer { unlink(temporary) }
        guard link(temporary, path) == 0 else {
            if errno == EEXIST { return false }
            throw failure(path)
        }
        syncDirectory()
        return true
    }

    /// After a rotation committed: keep the old key as `master.key.old`, make the new one current.
    func promoteNew() throws {
        if access(path, F_OK) == 0 {
            unlink(oldPath)
            guard link(path, oldPath) == 0 else { throw failure(oldPath) }
        }
        guard rename(newPath, path) == 0 else { throw failure(path) }
        syncDirectory()
    }

    private func writeNew(_ key: MasterKey, at target: String) throws {
        let fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw failure(target) }
        defer { close(fd) }
        let bytes = Array(key.fileText.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else {
            unlink(target)
            throw failure(target)
        }
    }

    private func syncDirectory() {
        let fd = open((path as NSString).deletingLastPathComponent, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    private func failure(_ target: String) -> MasterKeyError {
        .unreadable(path: target, reason: String(cString: strerror(errno)))
    }
}
