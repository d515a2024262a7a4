import COpenSSL
import Foundation

/// Where finished archives live (`$WHEELHOUSE_DATA_DIR/exports/`, 0700, files 0600) and the key
/// that signs their download links (`export-links.key`, 0600, beside `invitation-links.key`).
///
/// A link is `…/exports/{id}/download?expires=E&sig=S` with `S = HMAC-SHA256(key,
/// "data-export:v1:{orgId}:{id}:{E}")`: it names one export of one organization until one instant,
/// and a link changed in any part (another id, a later expiry, another organization) fails.
public struct DataExportStore: Sendable {
    public let directory: URL
    private let signer: Crypto.HMACKey

    public static let keyFileName = "export-links.key"

    public init(directory: URL, key: [UInt8]) {
        precondition(key.count == 32, "an export link key is 32 bytes")
        self.directory = directory
        self.signer = Crypto.HMACKey(key)
    }

    /// The store of data directory `path`: the folder is created 0700 and the key file (0600) on
    /// first use. A key file of the wrong length is refused rather than replaced.
    public static func load(dataDirectory path: String) throws -> DataExportStore {
        let keyPath = (path as NSString).appendingPathComponent(keyFileName)
        let key: [UInt8]
        if let data = FileManager.default.contents(atPath: keyPath) {
            guard data.count == 32 else {
                throw KeyFileError(
                    message: "\(keyPath) is not a 32-byte key file; restore it or delete it to invalidate every export link.")
            }
            key = Array(data)
        } else {
            key = Crypto.randomBytes(32)
            let temporary = keyPath + ".tmp"
            guard FileManager.default.createFile(atPath: temporary, contents: Data(key), attributes: [.posixPermissions: 0o600]) else {
                throw KeyFileError(message: "cannot write \(temporary)")
            }
            try FileManager.default.moveItem(atPath: temporary, toPath: keyPath)
        }
        let store = DataExportStore(directory: URL(fileURLWithPath: path).appendingPathComponent("exports"), key: key)
        try store.prepare()
        return store
    }

    /// A store in a temporary folder (made when first built into) with a random key: tests, and
    /// apps built on a database the caller opened.
    public static func temporary() -> DataExportStore {
        DataExportStore(
            directory: FileManager.default.temporaryDirectory.appendingPathComponent("wh-exports-\(UUID())"),
            key: Crypto.randomBytes(32))
    }

    /// Creates the folder (0700) if needed and narrows it if it was made wider.
    public func prepare() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
    }

    /// The archive `fileName` (a bare name the database holds, never a path from a request).
    public func url(of fileName: String) -> URL { directory.appendingPathComponent(fileName) }

    public func signature(orgId: Int64, exportId: Int64, expires: Int64) -> String {
        Base64URL.encode(signer.sign(Array("data-export:v1:\(orgId):\(exportId):\(expires)".utf8)))
    }

    /// Whether `signature` is this store's for the three values, compared in constant time.
    public func verify(orgId: Int64, exportId: Int64, expires: Int64, signature: String) -> Bool {
        let expected = Array(self.signature(orgId: orgId, exportId: exportId, expires: expires).utf8)
        return Crypto.constantTimeEquals(expected, Array(signature.utf8))
    }
}

/// SHA-256 of a file read in chunks, so a large archive is never held in memory.
enum FileDigest {
    static func sha256Hex(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        guard let context = EVP_MD_CTX_new() else { throw DataExportFailure("cannot start a SHA-256 digest") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { throw DataExportFailure("cannot start a SHA-256 digest") }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            let ok = chunk.withUnsafeBytes { raw in EVP_DigestUpdate(context, raw.baseAddress, raw.count) }
            guard ok == 1 else { throw DataExportFailure("SHA-256 digest failed") }
        }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &digest, &length) == 1 else { throw DataExportFailure("SHA-256 digest failed") }
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}

/// Why an export could not be built, in words for the Compliance page (never a path or a value).
public struct DataExportFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
