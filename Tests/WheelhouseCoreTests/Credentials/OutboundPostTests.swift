import Foundation
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// A POST goes out with its body and headers, under the same address rules as a GET.
@Suite("Outbound POST") struct OutboundPostTests {
    @Test func aPostCarriesItsBodyAndHeadersToAnAllowedAddress() throws {
        let (listener, port) = try Loopback.bind(listening: 4)
        defer { close(listener) }
        let received = Received()
        let server = Thread {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            var request: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !String(decoding: request, as: UTF8.self).hasSuffix("payload-end") {
                let count = read(client, &buffer, buffer.count)
                if count <= 0 { break }
                request += buffer[0..<count]
            }
            received.text = String(decoding: request, as: UTF8.self)
            let answer = "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            _ = answer.withCString { write(client, $0, strlen($0)) }
        }
        server.start()

        let http = OutboundHTTP(policy: try OutboundPolicy(parsing: "127.0.0.1/32"), timeout: 5)
        let body = Array("{\"a\":1,\"payload-end".utf8)
        let result = http.post(
            "http://127.0.0.1:\(port)/hook", headers: [("Content-Type", "application/json"), ("X-Check", "yes")], body: body)
        #expect(result == .response(status: 202, body: Array("ok".utf8)))
        #expect(received.text.hasPrefix("POST /hook HTTP/1.1"))
        #expect(received.text.contains("X-Check: yes"))
        #expect(received.text.contains("Content-Length: \(body.count)"))
        #expect(received.text.hasSuffix("{\"a\":1,\"payload-end"))

        // The default policy refuses loopback before any connection is made.
        #expect(
            OutboundHTTP(policy: OutboundPolicy(), timeout: 5).post("http://127.0.0.1:\(port)/hook", headers: [], body: body) == .blocked)
    }
}

private final class Received: @unchecked Sendable {
    var text = ""
}
