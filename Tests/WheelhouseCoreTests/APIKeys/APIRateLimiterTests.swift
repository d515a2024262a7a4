import Foundation
import Testing
@testable import WheelhouseCore

/// The per-key fixed window: counts, refusals, resets, the draft's header syntax, and the shared
/// file (two mappings in one process, repair of a damaged file). Two processes:
/// `APIRateLimiterProcessTests`.
@Suite("API rate limiter") struct APIRateLimiterTests {
    /// A window start: 1 800 000 000 is a multiple of 60.
    static let windowStart = Date(timeIntervalSince1970: 1_800_000_000)

    static func temporaryFile() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wh-rate-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(APIRateLimiter.fileName).path
    }

    @Test(arguments: [nil, "file"])
    func countsExactlyTheLimitThenRefusesUntilTheWindowEnds(_ storage: String?) throws {
        let limiter = try APIRateLimiter(path: storage.map { _ in try Self.temporaryFile() }, limit: 5)
        let now = Self.windowStart.addingTimeInterval(18)
        for remaining in (0..<5).reversed() {
            #expect(
                limiter.take(keyId: 7, now: now)
                    == RateLimitDecision(allowed: true, limit: 5, remaining: remaining, resetSeconds: 42, window: 60))
        }
        let refused = limiter.take(keyId: 7, now: now.addingTimeInterval(30))
        #expect(refused == RateLimitDecision(allowed: false, limit: 5, remaining: 0, resetSeconds: 12, window: 60))
        #expect(refused.headers.last! == ("Retry-After", "12"))
        // A refusal does not count: the last second of the window is still refused, the next is new.
        #expect(!limiter.take(keyId: 7, now: Self.windowStart.addingTimeInterval(59.9)).allowed)
        let next = limiter.take(keyId: 7, now: Self.windowStart.addingTimeInterval(60))
        #expect(next == RateLimitDecision(allowed: true, limit: 5, remaining: 4, resetSeconds: 60, window: 60))
        // A much later window starts whole too.
        #expect(limiter.take(keyId: 7, now: Self.windowStart.addingTimeInterval(86_400 * 3 + 1)).remaining == 4)
    }

    @Test func keysAreCountedApart() throws {
        let limiter = try APIRateLimiter(path: nil, limit: 2)
        for _ in 0..<3 { _ = limiter.take(keyId: 1, now: Self.windowStart) }
        #expect(!limiter.take(keyId: 1, now: Self.windowStart).allowed)
        #expect(limiter.take(keyId: 2, now: Self.windowStart).remaining == 1)
        #expect(limiter.take(keyId: -1, now: Self.windowStart).remaining == 1)
        #expect(limiter.take(keyId: 0, now: Self.windowStart).remaining == 1)
    }

    /// Twice as many busy keys as slots in one window: keys that end up sharing a slot are counted
    /// together, so none ever gets more than the limit; until the table is nearly full every key
    /// (a quarter full here) gets a slot of its own and exactly the limit.
    @Test func keysSharingASlotNeverExceedTheLimit() throws {
        let limiter = try APIRateLimiter(path: nil, limit: 3)
        var exactlyTheLimit = 0
        let slots = APIRateLimitFile.slotCount
        for key in 1...Int64(slots * 2) {
            var allowed = 0
            for _ in 0..<4 where limiter.take(keyId: key, now: Self.windowStart).allowed { allowed += 1 }
            if allowed > 3 { Issue.record("key \(key) was allowed \(allowed) requests") }
            if allowed == 3 && key <= slots / 4 { exactlyTheLimit += 1 }
        }
        // Only a key whose tag matches a neighbour's is counted with it (about 1 in 10 000 here).
        #expect(exactlyTheLimit >= slots / 4 - 4)
        // The next window finds every slot free again.
        #expect(limiter.take(keyId: Int64(slots * 2), now: Self.windowStart.addingTimeInterval(60)).remaining == 2)
    }

    @Test func twoMappingsOfOneFileShareOneCount() throws {
        let path = try Self.temporaryFile()
        let first = try APIRateLimiter(path: path, limit: 10)
        let second = try APIRateLimiter(path: path, limit: 10)
        #expect(first.isShared && second.isShared)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        var allowed = 0
        for index in 0..<30 where (index.isMultiple(of: 2) ? first : second).take(keyId: 9, now: Self.windowStart).allowed {
            allowed += 1
        }
        #expect(allowed == 10)
        // A third opener finds the file valid and keeps its counts.
        #expect(try !APIRateLimiter(path: path, limit: 10).take(keyId: 9, now: Self.windowStart).allowed)
    }

    @Test(arguments: [0, 100, APIRateLimitFile.byteCount - 1, APIRateLimitFile.byteCount, APIRateLimitFile.byteCount + 4096])
    func aDamagedFileIsMadeAnew(size: Int) throws {
        let path = try Self.temporaryFile()
        // Garbage, including counts that would refuse every key if they were believed.
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0xFF, count: size)))
        let limiter = try APIRateLimiter(path: path, limit: 3)
        #expect(limiter.take(keyId: 5, now: Self.windowStart).remaining == 2)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(attributes[.size] as? Int == APIRateLimitFile.byteCount)
        let header = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(8)
        #expect(header.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } == APIRateLimitFile.magic)
        #expect(try APIRateLimiter(path: path, limit: 3).take(keyId: 5, now: Self.windowStart).remaining == 1)
    }

    @Test func aFileThatCannotBeOpenedThrowsSoTheCallerCanFallBack() throws {
        let missingFolder = "/nonexistent-\(UUID())/\(APIRateLimiter.fileName)"
        #expect(throws: APIRateLimiterError.file(path: missingFolder, step: "open", code: ENOENT)) {
            try APIRateLimiter(path: missingFolder, limit: 3)
        }
        let folder = FileManager.default.temporaryDirectory.path
        #expect(throws: APIRateLimiterError.self) { try APIRateLimiter(path: folder, limit: 3) }
        let link = try Self.temporaryFile()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: link + "-target")
        #expect(throws: APIRateLimiterError.self) { try APIRateLimiter(path: link, limit: 3) }
        #expect(!FileManager.default.fileExists(atPath: link + "-target"))
    }

    @Test func limitsAndWindowsOutOfRangeAreRefused() throws {
        #expect(throws: APIRateLimiterError.limitOutOfRange(0)) { try APIRateLimiter(path: nil, limit: 0) }
        #expect(throws: APIRateLimiterError.limitOutOfRange(1 << 22)) { try APIRateLimiter(path: nil, limit: 1 << 22) }
        #expect(throws: APIRateLimiterError.windowOutOfRange(0)) { try APIRateLimiter(path: nil, limit: 5, window: 0) }
        #expect(try APIRateLimiter(path: nil, limit: APIRateLimiter.maximumLimit, window: 86_400).limit == 4_194_303)
        #expect("\(APIRateLimiterError.limitOutOfRange(0))".contains("between 1 and 4194303"))
    }

    /// draft-ietf-httpapi-ratelimit-headers-10: `RateLimit-Policy` is a List of Strings with `q`
    /// and `w`; `RateLimit` a List of Strings with `r` and `t`; Retry-After in delay-seconds, the
    /// same moment as `t`.
    @Test func headersFollowTheDraftsSyntax() throws {
        let limiter = try APIRateLimiter(path: nil, limit: 600)
        let allowed = limiter.take(keyId: 3, now: Self.windowStart.addingTimeInterval(18))
        #expect(allowed.headers.map(\.0) == ["RateLimit-Policy", "RateLimit"])
        #expect(allowed.headers.map(\.1) == ["\"default\";q=600;w=60", "\"default\";r=599;t=42"])
        let refused = RateLimitDecision(allowed: false, limit: 600, remaining: 0, resetSeconds: 7, window: 60)
        #expect(refused.headers.map(\.0) == ["RateLimit-Policy", "RateLimit", "Retry-After"])
        #expect(refused.headers.map(\.1) == ["\"default\";q=600;w=60", "\"default\";r=0;t=7", "7"])
    }

    /// Not a timed assertion: prints the cost of one take on one thread, for the bench notes.
    @Test func measureTheCostOfATake() throws {
        let limiter = try APIRateLimiter(path: try Self.temporaryFile(), limit: APIRateLimiter.maximumLimit)
        let rounds = 1_000_000
        var allowed = 0
        let started = DispatchTime.now().uptimeNanoseconds
        for round in 0..<rounds where limiter.take(keyId: Int64(round & 255), now: Self.windowStart).allowed {
            allowed += 1
        }
        let nanoseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / Double(rounds)
        print("bench: APIRateLimiter.take \(String(format: "%.1f", nanoseconds)) ns per take (1 thread, shared file)")
        #expect(allowed == rounds)
    }
}
