import Foundation

/// An open file a response sends as its body. Opened by the controller, so a file deleted after
/// the checks (an export expiring that instant) is still sent whole; closed when released.
public final class ResponseFile: @unchecked Sendable {
    // Only read after `init`, by one thread at a time (the transport's).
    private let descriptor: Int32
    public let length: Int64

    /// Opens `path` for reading; nil when it is missing or unreadable.
    public init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            return nil
        }
        descriptor = fd
        length = Int64(info.st_size)
    }

    deinit { close(descriptor) }

    /// Calls `body` with the file's bytes from the start, `size` at a time, until `length` bytes.
    public func forEachChunk(size: Int = 1 << 16, _ body: ([UInt8]) -> Void) {
        var buffer = [UInt8](repeating: 0, count: size)
        var offset: Int64 = 0
        while offset < length {
            let n = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, size, off_t(offset)) }
            guard n > 0 else { return }
            body(Array(buffer[0..<n]))
            offset += Int64(n)
        }
    }

    /// The whole file (tests).
    public func readAll() -> [UInt8] {
        var out: [UInt8] = []
        forEachChunk { out += $0 }
        return out
    }
}
