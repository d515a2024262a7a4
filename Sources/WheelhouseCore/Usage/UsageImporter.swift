import Foundation
import GRDB

/// What an import did, for the summary line.
public struct UsageImportSummary: Sendable, Equatable {
    /// Non-blank lines read.
    public var read = 0
    public var imported = 0
    public var duplicates = 0
    public var rejected = 0
    public var bytes: Int64 = 0
    public var seconds: Double = 0

    public init() {}

    public var eventsPerSecond: Int { seconds > 0 ? Int(Double(read) / seconds) : read }
}

/// Streams JSON Lines into the database in batches. Each batch is one transaction holding its
/// events and their rollup deltas, so a crash loses at most the batch being written, and a rerun
/// of the same file skips what was committed (duplicate idempotency keys) and completes the rest.
public final class UsageImporter {
    let database: AppDatabase
    let defaultOrg: String?
    let batchSize: Int
    /// Called for every refused line: its 1-based number and the reason.
    let onRejected: (Int, String) -> Void
    /// Called after every committed batch.
    let onProgress: (UsageImportSummary) -> Void
    private let zones = ZoneCache()
    private var batch: [UsageEventInput] = []
    private var lineNumbers: [Int] = []
    public private(set) var summary = UsageImportSummary()
    static let maxLineBytes = 65_536

    public init(
        database: AppDatabase, defaultOrg: String?, batchSize: Int = 5_000,
        onRejected: @escaping (Int, String) -> Void = { _, _ in },
        onProgress: @escaping (UsageImportSummary) -> Void = { _ in }
    ) {
        self.database = database
        self.defaultOrg = defaultOrg
        self.batchSize = max(1, batchSize)
        self.onRejected = onRejected
        self.onProgress = onProgress
        batch.reserveCapacity(self.batchSize)
    }

    /// Reads `fd` to its end (a file or a pipe) and imports every line.
    public func run(fileDescriptor fd: Int32) throws -> UsageImportSummary {
        let started = DispatchTime.now().uptimeNanoseconds
        try database.prepareForBulkWrites()
        let chunkSize = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var pending: [UInt8] = []  // the start of a line cut by the end of a chunk
        var lineNumber = 0
        var overlong = false
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, chunkSize) }
            if count < 0 {
                if errno == EINTR { continue }
                throw UsageImportError.readFailed(String(cString: strerror(errno)))
            }
            if count == 0 { break }
            summary.bytes += Int64(count)
            try buffer.withUnsafeBufferPointer { all in
                let chunk = UnsafeBufferPointer(rebasing: all[0..<count])
                var start = 0
                while start < count {
                    guard let newline = chunk[start...].firstIndex(of: 10) else {
                        if pending.count + (count - start) > Self.maxLineBytes {
                            overlong = true
                        } else {
                            pending.append(contentsOf: chunk[start..<count])
                        }
                        break
                    }
                    lineNumber += 1
                    if overlong {
                        reject(lineNumber, "the line is longer than \(Self.maxLineBytes) bytes")
                    } else if pending.isEmpty {
                        try take(UnsafeBufferPointer(rebasing: chunk[start..<newline]), lineNumber)
                    } else {
                        pending.append(contentsOf: chunk[start..<newline])
                        if pending.count > Self.maxLineBytes {
                            reject(lineNumber, "the line is longer than \(Self.maxLineBytes) bytes")
                        } else {
                            try pending.withUnsafeBufferPointer { try take($0, lineNumber) }
                        }
                    }
                    pending.removeAll(keepingCapacity: true)
                    overlong = false
                    start = newline + 1
                }
            }
        }
        if overlong || !pending.isEmpty {
            lineNumber += 1
            if overlong {
                reject(lineNumber, "the line is longer than \(Self.maxLineBytes) bytes")
            } else {
                try pending.withUnsafeBufferPointer { try take($0, lineNumber) }
            }
        }
        try flush()
        try finishInFlight()
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return summary
    }

    private func take(_ line: UnsafeBufferPointer<UInt8>, _ number: Int) throws {
        // Blank lines are skipped (the first non-blank byte decides).
        guard line.contains(where: { $0 != 32 && $0 != 9 && $0 != 13 }) else { return }
        summary.read += 1
        switch UsageJSONLine.parse(line) {
        case .success(let event):
            batch.append(event)
            lineNumbers.append(number)
            if batch.count >= batchSize { try flush() }
        case .failure(let failure):
            summary.rejected += 1
            onRejected(number, failure.reason)
        }
    }

    private func reject(_ number: Int, _ reason: String) {
        summary.read += 1
        summary.rejected += 1
        onRejected(number, reason)
    }

    /// Parsing and writing overlap: while one batch is written on `writerQueue`, the next one is
    /// parsed. At most one batch is in flight; its outcome is taken (counted, reported) before the
    /// next one starts, so the summary and the rejected-line reports stay in file order.
    private let writerQueue = DispatchQueue(label: "wheelhouse.usage-import")
    private let inFlight = DispatchGroup()
    private var pendingNumbers: [Int] = []
    private final class Box: @unchecked Sendable { var result: Result<UsageBatchOutcome, Error>? }
    private var box: Box?

    private func flush() throws {
        try finishInFlight()
        guard !batch.isEmpty else { return }
        let events = batch
        let box = Box()
        self.box = box
        pendingNumbers = lineNumbers
        let database = self.database, defaultOrg = self.defaultOrg, zones = self.zones
        writerQueue.async(group: inFlight) {
            box.result = Result { try database.recordParsedUsage(events, defaultOrg: defaultOrg, zones: zones) }
        }
        batch.removeAll(keepingCapacity: true)
        lineNumbers.removeAll(keepingCapacity: true)
    }

    /// Waits for the batch being written, if any, and accounts for it.
    private func finishInFlight() throws {
        guard let box else { return }
        inFlight.wait()
        self.box = nil
        let outcome = try box.result!.get()
        summary.imported += outcome.imported
        summary.duplicates += outcome.duplicates
        summary.rejected += outcome.rejected.count
        for rejection in outcome.rejected { onRejected(pendingNumbers[rejection.index], rejection.reason) }
        onProgress(summary)
    }
}

public enum UsageImportError: Error, CustomStringConvertible {
    case readFailed(String)

    public var description: String {
        switch self {
        case .readFailed(let reason): "reading the input failed: \(reason)"
        }
    }
}

extension AppDatabase {
    /// A larger page cache on the writer connection for a long import: the event table's B-tree
    /// stays in memory instead of being re-read from the OS for every insert.
    public func prepareForBulkWrites() throws {
        try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = -131072") }
    }
}
