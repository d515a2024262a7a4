import Synchronization
import Foundation

/// Why a rate limiter could not be made.
public enum APIRateLimiterError: Error, Equatable, CustomStringConvertible {
    case limitOutOfRange(Int)
    case windowOutOfRange(Int)
    /// The counter file could not be opened, sized, locked or mapped (`code` is errno).
    case file(path: String, step: String, code: Int32)

    public var description: String {
        switch self {
        case .limitOutOfRange(let limit):
            "the API rate limit must be between 1 and \(APIRateLimiter.maximumLimit) requests per window, not \(limit)"
        case .windowOutOfRange(let window):
            "the API rate limit window must be between 1 and 86400 seconds, not \(window)"
        case .file(let path, let step, let code):
            "cannot \(step) the API rate limit file \(path): \(String(cString: strerror(code)))"
        }
    }
}

/// The counter table every responder process maps from the data directory (`api-rate-limits`):
/// a 64-byte header (magic, slot count) and `slotCount` 64-bit words: 512 KiB and 64 bytes.
/// Its counts live for one window, so it is never backed up or migrated: a missing, truncated or
/// foreign file is simply made anew (counts start from zero, which lets a key at most one extra
/// window's worth of requests).
enum APIRateLimitFile {
    static let slotCount = 65_536
    static let headerBytes = 64
    static let byteCount = headerBytes + slotCount * MemoryLayout<UInt64>.size
    /// "WHRLIM" and the layout's version: a change of layout changes the magic, so an old file
    /// is re-initialised rather than misread.
    static let magic: UInt64 = 0x5748_524C_494D_0002

    /// Maps the file at `path` shared and read-write, creating or repairing it first.
    ///
    /// Every opener holds an exclusive `flock` while it checks the file, so two processes
    /// starting together never both initialise it. A file of the wrong size is never truncated
    /// in place (a process that had it mapped would fault touching the lost pages): a zeroed file
    /// of the right size replaces it by `rename`, and the loop opens that one. A file of the right
    /// size whose header is wrong (garbage, another layout) is zeroed in place under the lock.
    static func map(path: String) throws -> UnsafeMutableRawPointer {
        for _ in 0..<5 {
            // O_NOFOLLOW: a symbolic link planted in the data directory is refused, not followed.
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw failure(path, "open") }
            defer { close(fd) }
            guard flock(fd, LOCK_EX) == 0 else { throw failure(path, "lock") }
            // Unlocked explicitly: the mapping keeps the open file (and so a flock) alive after close.
            defer { flock(fd, LOCK_UN) }
            var opened = stat()
            var named = stat()
            guard fstat(fd, &opened) == 0 else { throw failure(path, "inspect") }
            // Another process may have replaced the file between our open and our lock.
            guard stat(path, &named) == 0, named.st_ino == opened.st_ino, named.st_dev == opened.st_dev else { continue }
            guard opened.st_mode & S_IFMT == S_IFREG else { throw APIRateLimiterError.file(path: path, step: "use", code: EINVAL) }
            if opened.st_size == 0 {
                guard ftruncate(fd, off_t(byteCount)) == 0 else { throw failure(path, "size") }
            } else if opened.st_size != byteCount {
                try replace(path)
                continue
            }
            let mapped = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
            guard let base = mapped, base != MAP_FAILED else { throw failure(path, "map") }
            if !hasValidHeader(base) { initialise(base) }
            return base
        }
        throw APIRateLimiterError.file(path: path, step: "settle", code: EAGAIN)
    }

    /// Memory laid out like the file, for one process alone.
    static func allocate() -> UnsafeMutableRawPointer {
        let base = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        initialise(base)
        return base
    }

    static func slots(_ base: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Atomic<UInt64>> {
        (base + headerBytes).bindMemory(to: Atomic<UInt64>.self, capacity: slotCount)
    }

    private static func header(_ base: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Atomic<UInt64>> {
        base.bindMemory(to: Atomic<UInt64>.self, capacity: 2)
    }

    private static func hasValidHeader(_ base: UnsafeMutableRawPointer) -> Bool {
        let words = header(base)
        return (words).pointee.load(ordering: .acquiring) == magic
            && (words + 1).pointee.load(ordering: .relaxed) == UInt64(slotCount)
    }

    /// Zeroes every slot, then writes the header, magic last. Word by word and atomically,
    /// because a process that mapped the file before it was damaged may still be counting in it.
    private static func initialise(_ base: UnsafeMutableRawPointer) {
        let slots = slots(base)
        for index in 0..<slotCount { (slots + index).pointee.store(0, ordering: .relaxed) }
        let words = header(base)
        (words + 1).pointee.store(UInt64(slotCount), ordering: .relaxed)
        (words).pointee.store(magic, ordering: .releasing)
    }

    /// Puts a zeroed file of the right size at `path` in one step.
    private static func replace(_ path: String) throws {
        let temporary = path + ".new-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw failure(temporary, "create") }
        let sized = ftruncate(fd, off_t(byteCount)) == 0
        let code = errno
        close(fd)
        guard sized, rename(temporary, path) == 0 else {
            let failed = sized ? errno : code
            unlink(temporary)
            throw APIRateLimiterError.file(path: path, step: sized ? "replace" : "size", code: failed)
        }
    }

    private static func failure(_ path: String, _ step: String) -> APIRateLimiterError {
        .file(path: path, step: step, code: errno)
    }
}
