/// The shape of a platform API key: `whk_` + a 256-bit random body in base62 (43 characters,
/// zero-padded) + the CRC32 of the body in base62 (6 characters). The fixed prefix lets secret
/// scanners recognise a leaked key; the checksum lets `parse` refuse a typo without reading the
/// database (the same design as GitHub's tokens).
public enum APIKeyFormat {
    public static let prefix = "whk_"
    static let bodyLength = 43
    static let checksumLength = 6
    public static let length = prefix.utf8.count + bodyLength + checksumLength
    /// How much of a key the list shows: enough to tell keys apart, far too little to guess one.
    static let displayLength = prefix.utf8.count + 6

    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// A new key from 32 bytes of OpenSSL's CSPRNG.
    public static func generate() -> String {
        make(body: base62(Crypto.randomBytes(32), length: bodyLength))
    }

    /// The key for a given body (tests build typos with it).
    static func make(body: String) -> String {
        prefix + body + base62(bigEndian(crc32(Array(body.utf8))), length: checksumLength)
    }

    /// What the list shows of a key (`whk_a1B2c3`).
    public static func displayPrefix(_ key: String) -> String { String(key.prefix(displayLength)) }

    /// Checks the shape, then the checksum, in that order; nothing else. A key that passes may
    /// still be unknown, revoked or expired: only the database can tell.
    public static func parse(_ presented: String) throws(APIKeyRefusal) {
        let bytes = Array(presented.utf8)
        guard bytes.count == length, bytes.starts(with: prefix.utf8),
            bytes[prefix.utf8.count...].allSatisfy(isBase62)
        else { throw .malformed }
        let body = Array(bytes[prefix.utf8.count..<(length - checksumLength)])
        let checksum = bytes[(length - checksumLength)...]
        guard checksum.elementsEqual(base62(bigEndian(crc32(body)), length: checksumLength).utf8) else { throw .checksum }
    }

    private static func isBase62(_ c: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
    }

    /// A big-endian unsigned number as `length` base62 digits, most significant first.
    static func base62(_ number: [UInt8], length: Int) -> String {
        var digits = number
        var out = [UInt8](repeating: alphabet[0], count: length)
        for position in stride(from: length - 1, through: 0, by: -1) {
            // Long division of the whole number by 62; the remainder is the next digit.
            var remainder = 0
            for i in digits.indices {
                let value = remainder << 8 | Int(digits[i])
                digits[i] = UInt8(value / 62)
                remainder = value % 62
            }
            out[position] = alphabet[remainder]
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// CRC-32 (IEEE 802.3, reflected, as zlib computes it).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}
