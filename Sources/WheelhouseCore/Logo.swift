import Foundation

/// An organization logo: accepted only when its bytes say PNG, JPEG or GIF, whatever its name
/// or declared type, and only up to 2 MB.
public struct LogoImage: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case png, jpeg, gif

        public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }
        public var contentType: String { "image/\(rawValue)" }
    }

    public static let maxBytes = 2 * 1024 * 1024

    public let kind: Kind
    public let bytes: [UInt8]

    /// Checks the bytes; on failure adds a message to `field` and returns nil.
    public static func validated(_ bytes: [UInt8], field: String, into errors: inout FieldErrors) -> LogoImage? {
        if bytes.count > maxBytes {
            let megabytes = String(format: "%.1f", Double(bytes.count) / 1_048_576)
            errors.add(field, "The logo must be at most 2 MB (this file is \(megabytes) MB).")
            return nil
        }
        guard let kind = sniff(bytes) else {
            errors.add(field, "The logo must be a PNG, JPEG or GIF image; this file is not one, whatever its name says.")
            return nil
        }
        return LogoImage(kind: kind, bytes: bytes)
    }

    static func sniff(_ b: [UInt8]) -> Kind? {
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) && b.count > 24 { return .png }
        if b.starts(with: [0xFF, 0xD8, 0xFF]) && b.count > 4 { return .jpeg }
        if (b.starts(with: Array("GIF87a".utf8)) || b.starts(with: Array("GIF89a".utf8))) && b.count > 13 { return .gif }
        return nil
    }

    /// Content-addressed file name: the same image always gets the same name, so a stored file
    /// is never overwritten with different bytes and can be cached forever.
    public var fileName: String {
        "\(Crypto.sha256(bytes).hexString.prefix(32)).\(kind.fileExtension)"
    }
}

/// The folder of uploaded logos under the data directory.
public struct LogoStore: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// Writes the file (atomically) before the database row points at it, so a row never names a
    /// missing file. A crash in between leaves an unreferenced file, never a broken logo.
    public func store(_ logo: LogoImage) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(logo.fileName)
        if !FileManager.default.fileExists(atPath: url.path) {
            try Data(logo.bytes).write(to: url, options: .atomic)
        }
        return logo.fileName
    }

    public func read(_ fileName: String) -> Data? {
        guard fileName.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." }), !fileName.hasPrefix(".") else { return nil }
        return FileManager.default.contents(atPath: directory.appendingPathComponent(fileName).path)
    }
}
