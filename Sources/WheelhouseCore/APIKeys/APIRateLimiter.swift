import Synchronization
import Foundation

/// Fixed-window request counts per API key, shared by every responder process that serves one
/// data directory, with no database write and no lock per request.
///
/// The counts live in `api-rate-limits` in the data directory, mapped `MAP_SHARED` by each
/// process (`APIRateLimitFile`): 65 536 slots of one 64-bit word each, changed only by
/// compare-and-swap, so every process and thread counts in the same words.
///
/// One slot word: `window number (32 bits: Unix seconds / window) | key tag (10 bits) | count (22 bits)`.
/// A key hashes to a home slot and a tag; it counts in the first of the 8 slots from its home
/// that holds its tag in the current window, or else claims the first one whose window has
/// ended (a CAS that restarts its count at 1). So the window resets itself, without a sweep.
///
/// Two keys can meet in a slot in two ways, and both only ever count them *together*, so neither
/// key can exceed its limit — at worst one is refused early, for the rest of one window:
/// - all 8 slots are held by other keys in this window (only when tens of thousands of keys are
///   busy in the same window; 65 536 is the hard ceiling): the key counts in its home slot
///   alongside whoever holds it, so it may be refused early if that key is busy;
/// - a key meets another with the same tag within its 8 slots (1 in 1 024 of its neighbours).
///
/// A slot's window number only grows, so a key never finds a free slot before its own in the
/// same window, and two processes at a window's edge (one already in the next) cannot make two
/// counts for one key and window: the late one counts in the newer window.
///
/// Windows are aligned on Unix time (`start = now - now % window`), which every process on the
/// machine agrees on; all responders must be given the same limit and window.
public final class APIRateLimiter: Sendable {
    public static let defaultLimit = 600
    public static let defaultWindow = 60
    /// The count has 22 bits: 4 194 303 requests per window (about 70 000 a second at the default window).
    public static let maximumLimit = (1 << 22) - 1
    /// The counter file's name in the data directory.
    public static let fileName = "api-rate-limits"

    public let limit: Int
    public let window: Int
    /// True when the counts are in the shared file, false when in this process's memory only.
    public let isShared: Bool
    // The standard library's `Atomic` laid over the mapped words (it is one plain 64-bit word,
    // so every process sees the same value); the memory lives as long as the limiter.
    nonisolated(unsafe) private let base: UnsafeMutableRawPointer
    nonisolated(unsafe) private let slots: UnsafeMutablePointer<Atomic<UInt64>>

    private static let probes = 8
    private static let tagBits: UInt64 = 10
    private static let countBits: UInt64 = 22
    private static let countMask: UInt64 = (1 << countBits) - 1
    private static let tagMask: UInt64 = (1 << tagBits) - 1

    /// `path` nil: process memory only (tests, in-memory databases). A file that cannot be
    /// opened or mapped throws `APIRateLimiterError.file`; `makeApp` then logs it once and serves
    /// with a per-process limiter (each process enforcing the limit alone) rather than no API.
    public init(path: String?, limit: Int, window: Int = 60) throws {
        guard (1...Self.maximumLimit).contains(limit) else { throw APIRateLimiterError.limitOutOfRange(limit) }
        guard (1...86_400).contains(window) else { throw APIRateLimiterError.windowOutOfRange(window) }
        self.limit = limit
        self.window = window
        if let path {
            base = try APIRateLimitFile.map(path: path)
            isShared = true
        } else {
            base = APIRateLimitFile.allocate()
            isShared = false
        }
        slots = APIRateLimitFile.slots(base)
    }

    /// A limiter in this process's memory with the default policy, for callers without a data
    /// directory (tests, in-memory databases).
    public static func inMemory(limit: Int = defaultLimit, window: Int = defaultWindow) -> APIRateLimiter {
        do {
            return try APIRateLimiter(path: nil, limit: limit, window: window)
        } catch {
            preconditionFailure("\(error)")
        }
    }

    deinit {
        if isShared {
            munmap(base, APIRateLimitFile.byteCount)
        } else {
            base.deallocate()
        }
    }

    /// Counts one request of `keyId` at `now`, or refuses it when the key has used its window.
    /// A refused request does not count and writes nothing.
    public func take(keyId: Int64, now: Date) -> RateLimitDecision {
        // The window's number (Unix seconds / window) fits the slot's 32 bits until 2106 and beyond.
        let seconds = UInt64(max(0, min(now.timeIntervalSince1970.rounded(.down), Double(UInt32.max))))
        let start = seconds / UInt64(window)
        let reset = Int((start + 1) * UInt64(window) - seconds)
        let hash = Self.mix(UInt64(bitPattern: keyId))
        let mask = APIRateLimitFile.slotCount - 1
        let home = Int(truncatingIfNeeded: hash) & mask
        let tag = (hash >> 32) & Self.tagMask
        for probe in 0..<Self.probes {
            let slot = slots + ((home + probe) & mask)
            if let used = count(in: slot, tag: tag, start: start, anyTag: false) {
                return decision(used: used, reset: reset)
            }
        }
        // Every slot near home is another key's this window: count together with the home slot's.
        let used = count(in: slots + home, tag: tag, start: start, anyTag: true)
        return decision(used: used ?? Int.max, reset: reset)
    }

    /// The key's count after this request (above `limit`: refused), or nil when the slot is
    /// another key's in this window.
    private func count(in slot: UnsafeMutablePointer<Atomic<UInt64>>, tag: UInt64, start: UInt64, anyTag: Bool) -> Int? {
        var current = slot.pointee.load(ordering: .relaxed)
        while true {
            if current >> 32 < start {
                // The slot's window has ended (or it was never used): this request opens a new one.
                let fresh = start << 32 | tag << Self.countBits | 1
                let (exchanged, found) = slot.pointee.compareExchange(expected: current, desired: fresh, ordering: .relaxed)
                if exchanged { return 1 }
                current = found
                continue
            }
            guard anyTag || (current >> Self.countBits) & Self.tagMask == tag else { return nil }
            let used = Int(current & Self.countMask)
            if used >= limit { return limit + 1 }
            let (exchanged, found) = slot.pointee.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return used + 1 }
            current = found
        }
    }

    private func decision(used: Int, reset: Int) -> RateLimitDecision {
        let allowed = used <= limit
        return RateLimitDecision(
            allowed: allowed, limit: limit, remaining: allowed ? limit - used : 0, resetSeconds: reset, window: window)
    }

    /// SplitMix64's finaliser: consecutive key ids land on unrelated slots and tags.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
