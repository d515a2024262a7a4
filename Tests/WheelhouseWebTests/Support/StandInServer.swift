import Foundation
import WheelhouseTestSupport

/// A provider stand-in on 127.0.0.1: answers every request with one canned HTTP response and
/// remembers the request heads it received. Real sockets, so the real `HTTPProviderProbe` is tested.
/// A `hanging` stand-in accepts connections and never answers (a slow provider).
final class StandInServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private let response: [UInt8]
    private let hanging: Bool
    private var held: [Int32] = []

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    var requests: [String] { lock.withLock { received } }

    init(status: Int = 200, body: String = "{}", hanging: Bool = false) throws {
        self.hanging = hanging
        let reason = status == 200 ? "OK" : status == 401 ? "Unauthorized" : "Error"
        response = Array(
            "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                .utf8)
        (listener, port) = try Loopback.bind(listening: 16)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            var head: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !head.suffix(4).elementsEqual([13, 10, 13, 10]) && head.count < 65_536 {
                let n = read(client, &buffer, buffer.count)
                if n <= 0 { break }
                head += buffer[0..<n]
                if String(decoding: head, as: UTF8.self).contains("\r\n\r\n") { break }
            }
            lock.withLock { received.append(String(decoding: head, as: UTF8.self)) }
            if hanging {
                lock.withLock { held.append(client) }
                continue
            }
            _ = response.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            close(client)
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for client in lock.withLock({ held }) { close(client) }
    }
}
