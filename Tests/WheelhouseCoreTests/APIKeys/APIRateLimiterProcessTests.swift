import Synchronization
import Foundation
import Testing
@testable import WheelhouseCore

/// Two real OS processes — this test binary and a copy of it started with `Process` — hammer one
/// counter file at the same moment, as two responders serving one data directory would: the
/// permits they are given add up to the limit exactly.
@Suite("API rate limiter across processes") struct APIRateLimiterProcessTests {
    static let fileVariable = "WHEELHOUSE_RATE_TEST_FILE"
    static let barrierVariable = "WHEELHOUSE_RATE_TEST_BARRIER"
    static let threads = 4
    static let takesPerThread = 1_000
    static let limit = 2_500
    static let now = Date(timeIntervalSince1970: 1_800_000_030)

    @Test func twoProcessesHammeringOneFileAreGivenExactlyTheLimit() throws {
        let file = try APIRateLimiterTests.temporaryFile()
        let barrierPath = file + "-barrier"
        let barrier = try StartBarrier(path: barrierPath)
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try Self.testBinary())
        child.arguments = ["--testing-library", "swift-testing", "--filter", "APIRateLimiterProcessTests/childProcessTakesPermits"]
        child.environment = ProcessInfo.processInfo.environment.merging(
            [Self.fileVariable: file, Self.barrierVariable: barrierPath]) { $1 }
        let output = Pipe()
        child.standardOutput = output
        try child.run()
        let mine = try Self.hammer(file: file, barrier: barrier)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        #expect(child.terminationStatus == 0, "\(text)")
        let line = text.split(separator: "\n").first { $0.hasPrefix("rate-limit-child ") }
        let theirs = try #require(line.flatMap { Int($0.split(separator: "=")[1].prefix { $0.isNumber }) }, "\(text)")
        // Both processes were inside the barrier together, so the takes really overlapped.
        #expect(mine.met && line?.hasSuffix("met=true") == true)
        #expect(mine.allowed + theirs == Self.limit)
        print("two processes: \(mine.allowed) + \(theirs) permits of \(Self.limit) from 2 × \(Self.threads * Self.takesPerThread) takes")
    }

    /// Runs only inside the child process the test above starts.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[fileVariable] != nil))
    func childProcessTakesPermits() throws {
        let environment = ProcessInfo.processInfo.environment
        let barrier = try StartBarrier(path: try #require(environment[Self.barrierVariable]))
        let result = try Self.hammer(file: try #require(environment[Self.fileVariable]), barrier: barrier)
        #expect(result.allowed <= Self.limit)
        print("rate-limit-child allowed=\(result.allowed) met=\(result.met)")
        fflush(nil)
    }

    /// `threads` threads of this process wait for all `2 × threads` threads of both processes,
    /// then take `takesPerThread` permits each for one key; the permits given in this process.
    static func hammer(file: String, barrier: StartBarrier) throws -> (allowed: Int, met: Bool) {
        let limiter = try APIRateLimiter(path: file, limit: limit)
        let counts = Counts()
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<threads {
            // Threads of their own: a pool narrower than the barrier would never fill it.
            Thread {
                if !barrier.arriveAndWait(parties: 2 * threads) { counts.met.store(false, ordering: .relaxed) }
                var mine = 0
                for _ in 0..<takesPerThread where limiter.take(keyId: 4242, now: now).allowed { mine += 1 }
                counts.allowed.wrappingAdd(mine, ordering: .relaxed)
                done.signal()
            }.start()
        }
        for _ in 0..<threads { done.wait() }
        return (counts.allowed.load(ordering: .relaxed), counts.met.load(ordering: .relaxed))
    }

    static func testBinary() throws -> String {
        #if os(Linux)
            return try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        #else
            return CommandLine.arguments[0]
        #endif
    }
}

/// A counter in a small shared file: each thread of either process adds one and spins until all
/// have arrived (or 30 seconds pass, reported as not met).
/// What the threads of one process report.
final class Counts: Sendable {
    let allowed = Atomic(0)
    let met = Atomic(true)
}

struct StartBarrier: @unchecked Sendable {
    let arrived: UnsafeMutablePointer<Atomic<Int>>

    init(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileNoSuchFile) }
        defer { close(fd) }
        guard ftruncate(fd, 64) == 0, let base = mmap(nil, 64, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), base != MAP_FAILED
        else { throw CocoaError(.fileWriteUnknown) }
        // Mapped for the test process's life: the barrier is tiny and made twice per run.
        arrived = base.bindMemory(to: Atomic<Int>.self, capacity: 1)
    }

    func arriveAndWait(parties: Int) -> Bool {
        arrived.pointee.wrappingAdd(1, ordering: .acquiringAndReleasing)
        let deadline = Date().addingTimeInterval(30)
        while arrived.pointee.load(ordering: .acquiring) < parties {
            if Date() > deadline { return false }
            sched_yield()
        }
        return true
    }
}
