import CResolv
import Foundation

/// Where TXT lookups go: `WHEELHOUSE_DNS_RESOLVER` (`host:port`, an IPv4 address) or the system's
/// resolver (`/etc/resolv.conf`).
public struct DNSResolverAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// Parses `127.0.0.1:5353` or `127.0.0.1` (port 53); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = IPAddress(String(parts[0])), address.isV4 else { return nil }
        let port = parts.count == 2 ? Int(parts[1]) : 53
        guard let port, (1...65535).contains(port) else { return nil }
        (host, self.port) = (String(parts[0]), port)
    }

    public var description: String { "\(host):\(port)" }
}

/// What a TXT lookup found.
public enum TXTAnswer: Sendable, Equatable {
    case records([String])
    case noSuchName
    case noAnswer
    case malformed

    /// The answer in words, as the domain's row shows it.
    var summary: String {
        switch self {
        case .records(let found) where found.isEmpty: "no TXT record"
        case .records(let found): found.map { "“\(String($0.prefix(120)))”" }.joined(separator: ", ")
        case .noSuchName: "the domain does not exist (NXDOMAIN)"
        case .noAnswer: "the DNS server did not answer"
        case .malformed: "the DNS answer could not be read"
        }
    }
}

/// TXT lookups through libresolv. Blocks the calling thread: only `SSOWorker` calls it.
public struct DNSLookup: Sendable {
    public var resolver: DNSResolverAddress?
    public var timeoutSeconds: Int

    public init(resolver: DNSResolverAddress?, timeoutSeconds: Int = 2) {
        (self.resolver, self.timeoutSeconds) = (resolver, timeoutSeconds)
    }

    public func txt(_ name: String) -> TXTAnswer {
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let count = buffer.withUnsafeMutableBufferPointer { out in
            wh_txt_lookup(name, resolver?.host, Int32(resolver?.port ?? 53), Int32(timeoutSeconds), out.baseAddress, out.count)
        }
        switch count {
        case -1: return .noSuchName
        case -2, -4: return .noAnswer
        case ..<0: return .malformed
        case 0: return .records([])
        default:
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .records(text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        }
    }
}
