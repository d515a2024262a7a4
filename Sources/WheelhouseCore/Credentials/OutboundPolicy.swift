import Foundation

/// One IP address as its bytes: 4 for IPv4, 16 for IPv6.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// A numeric address such as `10.0.0.1` or `fd00::1` (no names, no zone ids).
    public init?(_ text: String) {
        if !text.contains(":") {
            var v4 = in_addr()
            guard inet_pton(AF_INET, text, &v4) == 1 else { return nil }
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else {
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
        }
    }

    public var isV4: Bool { bytes.count == 4 }

    /// The IPv4 address an IPv6 address carries: IPv4-mapped, IPv4-compatible, NAT64 (64:ff9b::/96)
    /// and 6to4 (2002::/16). Such an address is judged by the IPv4 address inside.
    public var embeddedV4: IPAddress? {
        guard !isV4 else { return nil }
        let b = bytes
        let zero10 = b[0..<10].allSatisfy { $0 == 0 }
        if zero10 && b[10] == 0xFF && b[11] == 0xFF { return IPAddress(bytes: Array(b[12..<16])) }
        if zero10 && b[10] == 0 && b[11] == 0 && !b[12..<16].allSatisfy({ $0 == 0 }) { return IPAddress(bytes: Array(b[12..<16])) }
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4..<12].allSatisfy({ $0 == 0 }) {
            return IPAddress(bytes: Array(b[12..<16]))
        }
        if b[0] == 0x20 && b[1] == 0x02 { return IPAddress(bytes: Array(b[2..<6])) }
        return nil
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var copy = bytes
        _ = inet_ntop(isV4 ? AF_INET : AF_INET6, &copy, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An address block such as `10.0.0.0/8` or `fd00::/8`.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefix: Int

    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = IPAddress(String(parts[0])) else { return nil }
        let maxPrefix = address.bytes.count * 8
        guard let prefix = parts.count == 2 ? Int(parts[1]) : maxPrefix, (0...maxPrefix).contains(prefix) else { return nil }
        (self.address, self.prefix) = (address, prefix)
    }

    public func contains(_ other: IPAddress) -> Bool {
        guard other.bytes.count == address.bytes.count else { return false }
        var bits = prefix
        for (a, b) in zip(address.bytes, other.bytes) where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if a & mask != b & mask { return false }
            bits -= 8
        }
        return true
    }

    public var description: String { "\(address)/\(prefix)" }
}

/// Where outbound calls (Test connection) may go. Public addresses only, unless the operator
/// allows blocks with `WHEELHOUSE_OUTBOUND_ALLOW` (comma-separated CIDRs), e.g. a self-hosted
/// model server on `10.0.0.0/8`. Checked on every address a host resolves to, and the
/// connection then goes to that checked address.
public struct OutboundPolicy: Sendable, Equatable {
    public var allowed: [CIDR]

    public init(allowed: [CIDR] = []) { self.allowed = allowed }

    /// Parses `WHEELHOUSE_OUTBOUND_ALLOW`; an entry that is not a CIDR is an error naming it.
    public init(parsing text: String) throws {
        var blocks: [CIDR] = []
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            guard let block = CIDR(entry) else { throw PolicyError.notACIDR(entry) }
            blocks.append(block)
        }
        self.allowed = blocks
    }

    public enum PolicyError: Error, CustomStringConvertible, Equatable {
        case notACIDR(String)
        public var description: String {
            switch self {
            case .notACIDR(let entry): "“\(entry)” is not an address block such as 10.0.0.0/8 or fd00::/8"
            }
        }
    }

    /// Blocks that are never a public service: loopback, private, shared (CGNAT), link-local,
    /// unspecified, multicast, broadcast, reserved, documentation and benchmark ranges.
    static let refused: [CIDR] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
        "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "100::/64", "2001::/32", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ].compactMap(CIDR.init)

    /// True when a connection to `address` may be made.
    public func permits(_ address: IPAddress) -> Bool {
        if allowed.contains(where: { $0.contains(address) }) { return true }
        if let inner = address.embeddedV4 {
            if allowed.contains(where: { $0.contains(inner) }) { return true }
            return permits(inner) && !Self.refused.contains { $0.contains(address) }
        }
        return !Self.refused.contains { $0.contains(address) }
    }
}
