import Foundation
import Testing
@testable import WheelhouseCore

/// The prepared HMAC key behind invitation links gives exactly one-shot HMAC-SHA256's result.
@Suite("Prepared HMAC-SHA256 keys") struct HMACKeyTests {
    @Test func matchesTheKnownValueAndOneShotHMAC() {
        let known = Crypto.HMACKey(Array("key".utf8)).sign(Array("The quick brown fox jumps over the lazy dog".utf8))
        #expect(known.hexString == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        for length in [0, 1, 31, 32, 33, 64, 65, 1000] {
            let key = Crypto.randomBytes(32), data = Crypto.randomBytes(length)
            let prepared = Crypto.HMACKey(key)
            #expect(prepared.sign(data) == Crypto.hmacSHA256(key: key, data: data))
            #expect(prepared.sign(data) == prepared.sign(data), "the prepared state is not consumed")
        }
    }

    @Test func invitationTokensAreUnchanged() {
        let key = Crypto.randomBytes(32), nonce = Data(Crypto.randomBytes(16))
        #expect(
            InvitationLinks(key: key).token(nonce: nonce)
                == Base64URL.encode(Crypto.hmacSHA256(key: key, data: Array("invitation:".utf8) + Array(nonce))))
    }
}

extension HMACKeyTests {
    @Test func base64URLMatchesFoundationsWithoutPadding() {
        for length in 0...70 {
            let bytes = Crypto.randomBytes(length)
            let expected = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(Base64URL.encode(bytes) == expected)
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }
}
