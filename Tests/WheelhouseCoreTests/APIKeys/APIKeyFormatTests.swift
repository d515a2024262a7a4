import Foundation
import Testing
@testable import WheelhouseCore

/// `whk_` + 43 base62 characters of randomness + a 6-character CRC32: shape and checksum are
/// checked without any database.
@Suite("API key format") struct APIKeyFormatTests {
    @Test func aNewKeyHasTheFixedShapeAndPassesItsOwnChecks() throws {
        for _ in 0..<50 {
            let key = APIKeyFormat.generate()
            #expect(key.hasPrefix("whk_"))
            #expect(key.utf8.count == APIKeyFormat.length)
            #expect(key.utf8.count == 53)
            #expect(key.dropFirst(4).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            try APIKeyFormat.parse(key)
        }
        #expect(APIKeyFormat.generate() != APIKeyFormat.generate())
    }

    @Test func base62IsFixedLengthAndZeroPadded() {
        #expect(APIKeyFormat.base62([0, 0, 0, 0], length: 6) == "000000")
        #expect(APIKeyFormat.base62([0, 0, 0, 61], length: 6) == "00000z")
        #expect(APIKeyFormat.base62([0, 0, 0, 62], length: 6) == "000010")
        #expect(APIKeyFormat.base62([0xFF, 0xFF, 0xFF, 0xFF], length: 6) == "4gfFC3")
        #expect(APIKeyFormat.base62([UInt8](repeating: 0xFF, count: 32), length: 43).count == 43)
    }

    @Test func crc32MatchesZlib() {
        // The standard check value of CRC-32/ISO-HDLC.
        #expect(APIKeyFormat.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test(arguments: [
        "", "whk_", "ghp_" + String(repeating: "a", count: 49), "whk_" + String(repeating: "a", count: 48),
        "whk_" + String(repeating: "a", count: 50), "WHK_" + String(repeating: "a", count: 49),
        "whk_" + String(repeating: "a", count: 48) + "-", "whk_" + String(repeating: "é", count: 49),
        "Bearer whk_" + String(repeating: "a", count: 49),
    ])
    func wrongPrefixLengthOrAlphabetIsMalformed(_ presented: String) {
        #expect(throws: APIKeyRefusal.malformed) { try APIKeyFormat.parse(presented) }
    }

    @Test func aOneCharacterTypoIsCaughtByTheChecksum() throws {
        let key = APIKeyFormat.generate()
        var typos = 0
        for position in 4..<key.utf8.count {
            var bytes = Array(key.utf8)
            bytes[position] = bytes[position] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
            let typo = String(decoding: bytes, as: UTF8.self)
            #expect(throws: APIKeyRefusal.checksum) { try APIKeyFormat.parse(typo) }
            typos += 1
        }
        #expect(typos == 49)
        // Two neighbours swapped, too.
        var bytes = Array(key.utf8)
        if let i = (4..<(bytes.count - 1)).first(where: { bytes[$0] != bytes[$0 + 1] }) {
            bytes.swapAt(i, i + 1)
            #expect(throws: APIKeyRefusal.checksum) { try APIKeyFormat.parse(String(decoding: bytes, as: UTF8.self)) }
        }
    }

    @Test func theDisplayPrefixIsTenCharacters() {
        let key = APIKeyFormat.make(body: String(repeating: "Q", count: 43))
        #expect(APIKeyFormat.displayPrefix(key) == "whk_QQQQQQ")
    }
}
