import COpenSSL
import Foundation

/// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP) with HMAC-SHA1, the algorithm
/// every authenticator app reads from an `otpauth://` URI: 30-second steps, 6 digits in use.
public struct TOTP: Sendable {
    public static let period: Int64 = 30
    public static let digits = 6
    /// Steps either side of now that are accepted, for clocks that drift and codes typed slowly.
    public static let window: Int64 = 1
    /// 160 bits: RFC 4226 §4 recommends the HMAC's output length.
    public static let secretLength = 20

    public let secret: [UInt8]

    public init(secret: [UInt8]) { self.secret = secret }

    /// The step a moment falls in: whole periods since the Unix epoch.
    public static func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    /// The code for one step (RFC 4226 §5.3's dynamic truncation), zero-padded to `digits`.
    public func code(step: Int64, digits: Int = TOTP.digits) -> String {
        var counter = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { counter[7 - i] = UInt8(truncatingIfNeeded: UInt64(bitPattern: step) >> (8 * UInt64(i))) }
        let mac = Crypto.hmacSHA1(key: secret, data: counter)
        let offset = Int(mac[19] & 0x0F)
        let binary =
            (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let text = String(binary % modulus)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// The step a typed code matches within ±`window` of `now` and after `lastUsedStep`, so a
    /// code (or an older one) is never accepted twice; nil when none does. Every candidate is
    /// compared in constant time.
    public func matchingStep(_ typed: String, at now: Date, after lastUsedStep: Int64) -> Int64? {
        let cleaned = Self.cleaned(typed)
        guard cleaned.count == Self.digits else { return nil }
        let current = Self.step(at: now)
        var found: Int64?
        for step in (current - Self.window)...(current + Self.window) where step > lastUsedStep {
            if Crypto.constantTimeEquals(Array(code(step: step).utf8), Array(cleaned.utf8)), found == nil { found = step }
        }
        return found
    }

    /// Digits only: people type codes with spaces ("123 456") as apps show them.
    static func cleaned(_ typed: String) -> String {
        String(typed.unicodeScalars.filter { $0 != " " && $0 != "-" }.map(Character.init).prefix(12))
    }

    /// The URI an authenticator app reads from the QR code (Google Authenticator's Key Uri Format).
    public static func uri(secret: [UInt8], account: String, issuer: String = "Wheelhouse") -> String {
        func encode(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~@"))) ?? ""
        }
        return "otpauth://totp/\(encode(issuer)):\(encode(account))?secret=\(Base32.encode(secret))"
            + "&issuer=\(encode(issuer))&algorithm=SHA1&digits=\(digits)&period=\(period)"
    }
}

extension Crypto {
    public static func hmacSHA1(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        guard wh_hmac_sha1(key, Int32(key.count), data, data.count, &out) == 1 else { fatalError("HMAC-SHA1 failed") }
        return out
    }
}

/// RFC 4648 §6 base32 without padding: how TOTP secrets are typed into authenticator apps.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int(buffer >> UInt32(bits - 5) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt32(5 - bits) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Case and spaces ignored; nil for any other character.
    public static func decode(_ text: String) -> [UInt8]? {
        var out = [UInt8]()
        var buffer: UInt32 = 0
        var bits = 0
        for scalar in text.uppercased().unicodeScalars where scalar != " " && scalar != "=" {
            guard scalar.isASCII, let index = alphabet.firstIndex(of: UInt8(scalar.value)) else { return nil }
            buffer = buffer << 5 | UInt32(index)
            bits += 5
            if bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits - 8)))
                bits -= 8
            }
        }
        return out
    }

    /// In groups of four, as the enrolment page shows it for typing by hand.
    public static func grouped(_ text: String) -> String {
        var out = ""
        for (i, c) in text.enumerated() {
            if i > 0 && i % 4 == 0 { out.append(" ") }
            out.append(c)
        }
        return out
    }
}
