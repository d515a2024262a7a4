import Foundation
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Test connection against a real TLS server whose certificate nobody vouches for (issue 10,
/// point 3): the outcome is "TLS problem" in plain words, and the key never leaves.
@Suite("Outbound calls over TLS") struct OutboundTLSTests {
    @Test func anUntrustedCertificateIsATLSProblem() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wh-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("key.pem").path, cert = directory.appendingPathComponent("cert.pem").path
        try run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1",
                "-keyout", key, "-out", cert,
            ])
        // A free port: bind, read it back, close, then hand it to s_server.
        let port = try Loopback.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-quiet", "-www", "-key", key, "-cert", cert, "-accept", "127.0.0.1:\(port)"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        // SIGKILL: a spawned process may inherit a mask that blocks SIGTERM.
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        try waitUntilListening(port)

        let probe = HTTPProviderProbe(policy: try OutboundPolicy(parsing: "127.0.0.1/32"), timeout: 5)
        let outcome = probe.check(ProbeRequest(kind: .custom, baseURL: "https://127.0.0.1:\(port)/v1", apiKey: "sk-test-never-sent"))
        #expect(outcome.category == .tlsProblem)
        #expect(outcome.message?.contains("TLS") == true)
        // Without the operator's allowance the same address is not even dialled.
        let refused = HTTPProviderProbe(policy: OutboundPolicy(), timeout: 5)
            .check(ProbeRequest(kind: .custom, baseURL: "https://127.0.0.1:\(port)/v1", apiKey: "k"))
        #expect(refused.category == .blocked)
    }

    private func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(tool) \(arguments.joined(separator: " "))")
    }

    private func waitUntilListening(_ port: UInt16) throws {
        for _ in 0..<200 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(fd)
            if connected { return }
            usleep(25_000)
        }
        throw TestFailure("openssl s_server did not listen on \(port)")
    }
}
