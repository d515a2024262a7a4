import Foundation

/// Where a deployment keeps its files: the SQLite database (by default inside), the master key,
/// the invitation-link key, the logos. `serve` and every other subcommand open the database
/// through `openDatabase`, so the files get the same modes whoever creates them.
public struct DataDirectory: Sendable {
    public var path: String
    public var databasePath: String

    /// `databasePath` nil: `wheelhouse.sqlite` in the directory.
    public init(path: String, databasePath: String? = nil) {
        self.path = path
        self.databasePath = databasePath ?? (path as NSString).appendingPathComponent("wheelhouse.sqlite")
    }

    /// `master.key` (mode 0600), created on first start.
    public var masterKeyFile: MasterKeyFile { MasterKeyFile(directory: path) }

    /// Uploaded logos, re-encoded.
    public var logosDirectory: URL { URL(fileURLWithPath: path).appendingPathComponent("logos") }

    /// Opens (creating if needed) the directory and the database, migrates it, and loads the
    /// master key (refusing a missing or wrong one while encrypted data exists) and the
    /// invitation-link key. Errors are the underlying ones (`MasterKeyError`, a storage failure…):
    /// the caller decides how to say them.
    public func openDatabase(readers: Int = 8) throws -> AppDatabase {
        let files = FileManager.default
        try files.createDirectory(atPath: path, withIntermediateDirectories: true)
        // Invitation mail, logos and the request log are in here too: the owner's alone.
        try? files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
        // The database holds password and session hashes and ciphertexts: owner-only, like the key
        // files. SQLite gives its -wal and -shm files the database file's mode.
        if !files.fileExists(atPath: databasePath) {
            _ = files.createFile(atPath: databasePath, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        for suffix in ["", "-wal", "-shm"] where files.fileExists(atPath: databasePath + suffix) {
            try? files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: databasePath + suffix)
        }
        return try AppDatabase.open(
            path: databasePath, readers: readers, masterKey: .file(masterKeyFile),
            links: InvitationLinks.load(from: path))
    }
}
