import Foundation

/// An organization logo: accepted only when its bytes decode as a PNG, JPEG or GIF image (libgd)
/// of at most 4 096 × 4 096 pixels, whatever its name or declared type, and only up to 2 MB.
/// What is stored is the decoded image encoded again: bytes after the image (a polyglot's second
/// file), metadata chunks and comments are not carried over.
public struct LogoImage: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case png, jpeg, gif

        public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }
        public var contentType: String { "image/\(rawValue)" }
    }

    public static let maxBytes = 2 * 1024 * 1024
    public static let maxSide = 4096

    public let kind: Kind
    /// The re-encoded image.
    public let bytes: [UInt8]
    public let width: Int
    public let height: Int

    /// Checks, decodes and re-encodes the bytes; on failure adds a message to `field`, naming the
    /// image as `what` ("logo", "picture"), and returns nil. Avatars pass the same checks.
    public static func validated(_ bytes: [UInt8], field: String, what: String = "logo", into errors: inout FieldErrors)
        -> LogoImage?
    {
        if bytes.count > maxBytes {
            let megabytes = String(format: "%.1f", Double(bytes.count) / 1_048_576)
            errors.add(field, "The \(what) must be at most 2 MB (this file is \(megabytes) MB).")
            return nil
        }
        guard let kind = sniff(bytes) else {
            errors.add(field, "The \(what) must be a PNG, JPEG or GIF image; this file is not one, whatever its name says.")
            return nil
        }
        // The header's size is checked before decoding, so a 65 535 × 65 535 image is never allocated.
        guard let (width, height) = ImageHeader.size(kind, bytes) else {
            errors.add(field, "The \(what) could not be read as a \(kind.rawValue.uppercased()) image; it may be damaged.")
            return nil
        }
        guard width <= maxSide, height <= maxSide else {
            errors.add(field, "The \(what) may be at most \(maxSide) × \(maxSide) pixels (this one is \(width) × \(height)).")
            return nil
        }
        guard let image = GDImage.decode(kind, bytes), image.width <= maxSide, image.height <= maxSide,
            let encoded = image.encode(kind)
        else {
            errors.add(field, "The \(what) could not be read as a \(kind.rawValue.uppercased()) image; it may be damaged.")
            return nil
        }
        return LogoImage(kind: kind, bytes: encoded, width: image.width, height: image.height)
    }

    static func sniff(_ b: [UInt8]) -> Kind? {
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if b.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if b.starts(with: Array("GIF87a".utf8)) || b.starts(with: Array("GIF89a".utf8)) { return .gif }
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
