import COpenSSL
import Foundation

/// Cryptographic building blocks over OpenSSL's libcrypto. Nothing here invents cryptography:
/// each function is one well-known primitive with the parameters chosen in one place.
public enum Crypto {
    /// `count` bytes from OpenSSL's CSPRNG. A failing RNG is not recoverable: stop.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { fatalError("RAND_bytes failed") }
        return bytes
    }

    /// A random 256-bit value as URL-safe base64 text: session ids, CSRF tokens, invitation tokens.
    public static func randomToken() -> String {
        Base64URL.encode(randomBytes(32))
    }

    public static func sha256<Bytes: ContiguousBytes>(_ data: Bytes) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        data.withUnsafeBytes { raw in
            _ = SHA256(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count, &digest)
        }
        return digest
    }

    public static func sha256(_ text: String) -> [UInt8] {
        sha256(Array(text.utf8))
    }

    public static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        guard wh_hmac_sha256(key, Int32(key.count), data, data.count, &out) == 1 else {
            fatalError("HMAC-SHA256 failed")
        }
        return out
    }

    /// An HMAC-SHA256 key set up once, for keys used on every request (invitation links).
    public final class HMACKey: @unchecked Sendable {
        // Only read after `init`: OpenSSL copies the states, never changes them.
        private let prepared: UnsafeMutablePointer<wh_hmac_key>

        public init(_ key: [UInt8]) {
            guard let prepared = wh_hmac_key_new(key, key.count) else { fatalError("HMAC-SHA256 key set-up failed") }
            self.prepared = prepared
        }

        deinit { wh_hmac_key_free(prepared) }

        public func sign(_ data: [UInt8]) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: 32)
            guard wh_hmac_key_sign(prepared, data, data.count, &out) == 1 else { fatalError("HMAC-SHA256 failed") }
            return out
        }
    }

    /// Compares in time that depends only on the lengths, never on where the bytes differ.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, a.count) == 0 }
        }
    }
}

/// Passwords are hashed with scrypt (memory-hard; Argon2 is not in Debian 12's OpenSSL 3.0).
/// The stored form names its parameters, so they can be raised later without a migration:
/// `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`.
public struct PasswordHasher: Sendable {
    public var log2N: UInt64
    public var r: UInt64 = 8
    public var p: UInt64 = 1
    /// Called before every scrypt derivation: tests count them to prove what is checked first.
    public var observe: (@Sendable () -> Void)? = nil

    /// N = 2^15, r = 8: about 60 ms and 32 MiB per hash on this class of machine.
    public static let standard = PasswordHasher(log2N: 15)
    /// Cheap parameters for tests only: the format and code path stay the same.
    public static let fastForTests = PasswordHasher(log2N: 10)

    public init(log2N: UInt64) { self.log2N = log2N }

    public func hash(_ password: String) -> String {
        let salt = Crypto.randomBytes(16)
        let derived = derive(password, salt: salt, log2N: log2N, r: r, p: p)
        return "scrypt$\(log2N)$\(r)$\(p)$\(Base64URL.encode(salt))$\(Base64URL.encode(derived))"
    }

    public func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt",
            let log2N = UInt64(parts[1]), let r = UInt64(parts[2]), let p = UInt64(parts[3]),
            (1...20).contains(log2N), let salt = Base64URL.decode(parts[4]),
            let expected = Base64URL.decode(parts[5])
        else { return false }
        return Crypto.constantTimeEquals(derive(password, salt: salt, log2N: log2N, r: r, p: p), expected)
    }

    /// Burns the same time as a real verification, so an unknown email is not told apart by timing.
    public func verifyNothing(_ password: String) {
        _ = derive(password, salt: [UInt8](repeating: 0, count: 16), log2N: log2N, r: r, p: p)
    }

    private func derive(_ password: String, salt: [UInt8], log2N: UInt64, r: UInt64, p: UInt64) -> [UInt8] {
        observe?()
        var out = [UInt8](repeating: 0, count: 32)
        let utf8 = Array(password.utf8)
        let ok = utf8.withUnsafeBufferPointer { pw in
            pw.withMemoryRebound(to: CChar.self) { chars in
                wh_scrypt(chars.baseAddress, chars.count, salt, salt.count, 1 << log2N, r, p, &out, out.count)
            }
        }
        guard ok == 1 else { fatalError("scrypt failed") }
        return out
    }
}

/// AES-256-GCM with a fresh 96-bit nonce per seal. The sealed form is nonce ‖ ciphertext ‖ tag.
public struct AESGCM: Sendable {
    public enum Failure: Error { case badKey, tamperedOrWrongKey }
    private let key: [UInt8]

    public init(key: [UInt8]) throws {
        guard key.count == 32 else { throw Failure.badKey }
        self.key = key
    }

    public func seal(_ plaintext: [UInt8], associatedData: [UInt8]) -> [UInt8] {
        let nonce = Crypto.randomBytes(12)
        var cipher = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: 16)
        guard
            wh_aes256gcm_seal(
                key, nonce, associatedData, Int32(associatedData.count),
                plaintext, Int32(plaintext.count), &cipher, &tag) == 1
        else { fatalError("AES-256-GCM seal failed") }
        return nonce + cipher + tag
    }

    public func open(_ sealed: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        guard sealed.count >= 28 else { throw Failure.tamperedOrWrongKey }
        let nonce = Array(sealed[0..<12])
        let cipher = Array(sealed[12..<(sealed.count - 16)])
        let tag = Array(sealed[(sealed.count - 16)...])
        var plain = [UInt8](repeating: 0, count: cipher.count)
        guard
            wh_aes256gcm_open(
                key, nonce, associatedData, Int32(associatedData.count),
                cipher, Int32(cipher.count), tag, &plain) == 1
        else { throw Failure.tamperedOrWrongKey }
        return plain
    }
}

/// URL-safe base64 without padding (RFC 4648 §5): fits in cookies, URLs and form fields as is.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Without padding. Written out rather than Foundation's base64 and three replacements: it
    /// runs for every invitation link on the Members page.
    public static func encode(_ bytes: [UInt8]) -> String {
        let length = (bytes.count * 4 + 2) / 3
        return alphabet.withUnsafeBufferPointer { alphabet in
            String(unsafeUninitializedCapacity: length) { out in
                var i = 0, o = 0
                func put(_ n: UInt32, _ shift: UInt32) { out[o] = alphabet[Int(n >> shift & 63)]; o += 1 }
                while i + 2 < bytes.count {
                    let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
                    put(n, 18); put(n, 12); put(n, 6); put(n, 0)
                    i += 3
                }
                let rest = bytes.count - i
                if rest > 0 {
                    let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
                    put(n, 18); put(n, 12)
                    if rest == 2 { put(n, 6) }
                }
                return o
            }
        }
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { Array($0) }
    }
}

public extension Array where Element == UInt8 {
    /// Lowercase hex; on the request path (request ids), so no `String(format:)`.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
