import Foundation
import Logging
import Synchronization

/// The responder's log as a file that stays bounded: lines are appended (mode 0600); `reopen()`
/// (on SIGHUP) starts writing to the path anew after logrotate moved the file away; and with a
/// size limit, a file that reaches it is moved to `<path>.1` (replacing the previous one) and a
/// new one begun, so the log never takes more than about twice the limit.
public final class LogFile: Sendable {
    public let path: String
    public let maxBytes: Int
    private let state: Mutex<State>

    private struct State {
        var fd: Int32
        var size: Int
    }

    /// `maxBytes` 0 means no limit (rotation left to logrotate and SIGHUP).
    public init(path: String, maxBytes: Int = 0) throws {
        self.path = path
        self.maxBytes = maxBytes
        let (fd, size) = try Self.open(path)
        state = Mutex(State(fd: fd, size: size))
    }

    deinit {
        _ = state.withLock { close($0.fd) }
    }

    public func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(10)
        state.withLock { state in
            let written = bytes.withUnsafeBytes { Foundation.write(state.fd, $0.baseAddress, $0.count) }
            if written > 0 { state.size += written }
            guard maxBytes > 0, state.size >= maxBytes else { return }
            rename(path, path + ".1")
            reopen(&state)
        }
    }

    /// Writes to `path` anew (creating it), e.g. after logrotate renamed the old file.
    public func reopen() {
        state.withLock { reopen(&$0) }
    }

    private func reopen(_ state: inout State) {
        guard let (fd, size) = try? Self.open(path) else { return }  // keep writing where we were
        close(state.fd)
        state = State(fd: fd, size: size)
    }

    private static func open(_ path: String) throws -> (Int32, Int) {
        let fd = Foundation.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LogFileError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        fstat(fd, &info)
        return (fd, Int(info.st_size))
    }

    /// A swift-log handler writing to this file: `2026-01-02T03:04:05Z info wheelhouse.http: GET / 200 …`.
    public func handler(label: String) -> LogFileHandler { LogFileHandler(file: self, label: label) }
}

public struct LogFileError: Error, CustomStringConvertible {
    public let description: String
}

public struct LogFileHandler: LogHandler {
    let file: LogFile
    let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let stamp =
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let tail = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let level = event.level, message = event.message
        file.write("\(stamp) \(level) \(label): \(message)\(tail)")
    }
}
