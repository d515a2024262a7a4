import Foundation
import Testing
@testable import WheelhouseCore

/// TOTP and base32 against their RFCs' own examples, and the QR code from libqrencode.
@Suite("TOTP, base32 and QR codes") struct TOTPTests {
    /// RFC 6238 appendix B, the SHA-1 rows: the seed is the ASCII text "12345678901234567890".
    static let rfc6238: [(Int64, String)] = [
        (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ]

    @Test(arguments: rfc6238) func rfc6238AppendixBSHA1Vectors(time: Int64, expected: String) {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        let step = TOTP.step(at: Date(timeIntervalSince1970: TimeInterval(time)))
        #expect(totp.code(step: step, digits: 8) == expected)
        // The 6 digits in use are the same number's last six (RFC 4226 §5.3: modulo 10^6).
        #expect(totp.code(step: step) == String(expected.suffix(6)))
    }

    @Test func aCodeIsAcceptedOneStepEitherSideAndNeverTwice() {
        let totp = TOTP(secret: Crypto.randomBytes(20))
        let now = Date(timeIntervalSince1970: 1_790_000_015)
        let step = TOTP.step(at: now)
        for offset in [-1, 0, 1] as [Int64] {
            #expect(totp.matchingStep(totp.code(step: step + offset), at: now, after: 0) == step + offset)
        }
        for offset in [-2, 2] as [Int64] {
            #expect(totp.matchingStep(totp.code(step: step + offset), at: now, after: 0) == nil)
        }
        // Replay: the step already used, and any before it, are refused.
        #expect(totp.matchingStep(totp.code(step: step), at: now, after: step) == nil)
        #expect(totp.matchingStep(totp.code(step: step - 1), at: now, after: step) == nil)
        #expect(totp.matchingStep(totp.code(step: step + 1), at: now, after: step) == step + 1)
        // Spaces as apps show them are fine; other lengths and letters are not.
        let code = totp.code(step: step)
        #expect(totp.matchingStep(String(code.prefix(3)) + " " + String(code.suffix(3)), at: now, after: 0) == step)
        #expect(totp.matchingStep(String(code.prefix(5)), at: now, after: 0) == nil)
        #expect(totp.matchingStep("abcdef", at: now, after: 0) == nil)
    }

    @Test func base32MatchesRFC4648() {
        let vectors = [
            ("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI"),
        ]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded) == Array(plain.utf8))
            #expect(Base32.decode(encoded.lowercased()) == Array(plain.utf8))
        }
        #expect(Base32.decode("MZ1W") == nil)
        #expect(Base32.grouped("ABCDEFGHIJ") == "ABCD EFGH IJ")
    }

    @Test func theURICarriesTheSecretAndTheParameters() {
        let uri = TOTP.uri(secret: Array("12345678901234567890".utf8), account: "ada+x@acme.test")
        #expect(
            uri == "otpauth://totp/Wheelhouse:ada%2Bx@acme.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                + "&issuer=Wheelhouse&algorithm=SHA1&digits=6&period=30")
    }

    @Test func libqrencodeDrawsAQRCodeWithItsFinderPatterns() throws {
        let code = try #require(QRCode("otpauth://totp/Wheelhouse:ada@acme.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"))
        // Version n is 17 + 4n modules wide; this much text needs more than version 1.
        #expect(code.size > 21 && (code.size - 17) % 4 == 0)
        // The three finder patterns: a dark 7 × 7 ring with a light ring inside, in three corners.
        for (ox, oy) in [(0, 0), (code.size - 7, 0), (0, code.size - 7)] {
            for i in 0..<7 {
                #expect(code.isDark(x: ox + i, y: oy) && code.isDark(x: ox + i, y: oy + 6))
                #expect(code.isDark(x: ox, y: oy + i) && code.isDark(x: ox + 6, y: oy + i))
            }
            #expect(!code.isDark(x: ox + 1, y: oy + 1) && code.isDark(x: ox + 3, y: oy + 3))
        }
        // The timing pattern between the top finders alternates, starting dark (ISO/IEC 18004 §6.3.5).
        for x in 8..<(code.size - 8) { #expect(code.isDark(x: x, y: 6) == (x % 2 == 0)) }
    }
}
