import Foundation
import Synchronization

/// A tiny HTTP server on 127.0.0.1 for the webhook tests: it records every request (headers and
/// body) and answers each with the next status of `statuses` (the last one repeats).
public final class HTTPStandIn: Sendable {
    public struct Request: Sendable {
        public var requestLine: String
        public var headers: [String: String]
        public var body: [UInt8]

        public func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    public let port: UInt16
    private let listener: Int32
    private let state: Mutex<(statuses: [Int], requests: [Request])>
    private let stopping = Atomic<Bool>(false)

    public init(statuses: [Int] = [200]) throws {
        (listener, port) = try Loopback.bind(listening: 16)
        state = Mutex((statuses, []))
        let thread = Thread { [self] in
            while !stopping.load(ordering: .relaxed) {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                Thread { [self] in serve(client) }.start()
            }
        }
        thread.start()
    }

    public var url: String { "http://127.0.0.1:\(port)/hook" }
    public var requests: [Request] { state.withLock { $0.requests } }

    public func stop() {
        stopping.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var headerEnd: Int?
        var expected = Int.max
        var continued = false
        while data.count < expected {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { return }
            data += buffer[0..<count]
            if headerEnd == nil, let range = Self.find(Array("\r\n\r\n".utf8), in: data) {
                headerEnd = range
                let head = String(decoding: data[..<range], as: UTF8.self).lowercased()
                let length =
                    head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                expected = range + 4 + length
                if head.contains("expect: 100-continue"), !continued {
                    continued = true
                    _ = "HTTP/1.1 100 Continue\r\n\r\n".withCString { write(client, $0, strlen($0)) }
                }
            }
        }
        guard let headerEnd else { return }
        let lines = String(decoding: data[..<headerEnd], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let request = Request(requestLine: lines.first ?? "", headers: headers, body: Array(data[(headerEnd + 4)...]))
        let status = state.withLock { state in
            state.requests.append(request)
            return state.statuses.count > 1 ? state.statuses.removeFirst() : state.statuses.first ?? 200
        }
        let body = status < 300 ? "thanks" : "broken"
        let answer = "HTTP/1.1 \(status) Status\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        _ = answer.withCString { write(client, $0, strlen($0)) }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
