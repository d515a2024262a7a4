import Foundation
import Testing
@testable import WheelhouseCore

/// The rules of a new password (NIST SP 800-63B rev. 4) against the list shipped in `Resources/`.
@Suite("Password rules") struct PasswordPolicyTests {
    /// The repository's list, found from this file's path: the one `serve` loads.
    static let blocklist = try! PasswordBlocklist(
        contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Resources/common-passwords.txt").path)

    static let owner = PasswordPolicy.Owner(email: "olga.owner@acme.test", name: "Olga Owner", hasTwoFactor: false)

    static func errors(_ password: String, _ owner: PasswordPolicy.Owner = owner) -> [String] {
        var errors = FieldErrors()
        PasswordPolicy.check(password, for: owner, blocklist: blocklist, into: &errors)
        return errors.messages(for: "password")
    }

    @Test func theShippedListIsARealListReadWithoutItsHeader() {
        #expect(Self.blocklist.count > 3000)
        #expect(Self.blocklist.contains("password1") && Self.blocklist.contains("PASSWORD1"))
        #expect(
            !Self.blocklist.contains(
                "# Common passwords refused for new passwords (PasswordBlocklist). Source: Debian package john-data 1.9.0-2,"))
    }

    @Test func aPasswordOnTheListIsRefusedWhateverItsCase() {
        // 8 characters pass the length rule with two-factor on: only the list refuses them.
        let twoFactor = PasswordPolicy.Owner(email: "x@acme.test", name: "X Y", hasTwoFactor: true)
        for common in ["password", "Password1", "iloveyou", "baseball", "PRINCESS"] {
            #expect(Self.errors(common, twoFactor).first?.contains("list of common passwords") == true, "\(common)")
        }
        #expect(Self.errors("trombone giraffe", twoFactor).isEmpty)
        // Padded to any length, a word of the list is still refused.
        #expect(Self.errors("password1234567!").first?.contains("list of common passwords") == true)
        #expect(Self.errors("2026!!Baseball2026").first?.contains("list of common passwords") == true)
        #expect(Self.errors(String(repeating: "a", count: 20)).first?.contains("one character repeated") == true)
    }

    @Test func fourteenCharactersAreTooFewAndFifteenEnoughForAPasswordOnlyAccount() {
        #expect(Self.errors(String(repeating: "k", count: 7) + "qwzxvbn").first?.contains("at least 15 characters") == true)
        #expect(Self.errors(String(repeating: "k", count: 8) + "qwzxvbn").isEmpty)
        // Code points are counted, not bytes: 15 accented letters are 30 bytes and enough.
        #expect(Self.errors(String(repeating: "éà", count: 7) + "ü").isEmpty)
        #expect(Self.errors(String(repeating: " ", count: 20)).first?.contains("at least 15") == true)
    }

    @Test func eightCharactersAreEnoughOnceTwoFactorIsOn() {
        let twoFactor = PasswordPolicy.Owner(email: "x@acme.test", name: "X Y", hasTwoFactor: true)
        #expect(Self.errors("qwzxvbnk", twoFactor).isEmpty)
        #expect(Self.errors("qwzxvbn", twoFactor).first?.contains("at least 8 characters") == true)
    }

    @Test func sixtyFourAndMoreAreAcceptedUpToTheCapAndNoMore() {
        let sixtyFour = String(repeating: "plum tree ", count: 6) + "a b!"
        #expect(sixtyFour.count == 64 && Self.errors(sixtyFour).isEmpty)
        #expect(Self.errors(String(repeating: "xq", count: 100) + "?").isEmpty)
        #expect(Self.errors(String(repeating: "qz", count: PasswordPolicy.maxBytes / 2)).isEmpty)
        #expect(Self.errors(String(repeating: "qz", count: PasswordPolicy.maxBytes / 2) + "q").first?.contains("at most 256 bytes") == true)
        // A megabyte is refused by its length alone (never hashed).
        #expect(Self.errors(String(repeating: "q", count: 1 << 20)).count == 1)
    }

    @Test func anyCharactersWithoutCompositionRulesButNoControlCharacters() {
        for fine in ["all lowercase words here", "ALL UPPER CASE WORDS", "日本語のパスワードですとても長い文", "emoji 🙂🙂🙂 and words"] {
            #expect(Self.errors(fine).isEmpty, "\(fine)")
        }
        #expect(Self.errors("a tab\there in the middle").first?.contains("control characters") == true)
    }

    @Test func thePersonsEmailOrNameInsideIsRefusedCaseInsensitively() {
        #expect(Self.errors("my olga.owner secret!!").first?.contains("email address or name") == true)
        #expect(Self.errors("xx OLGA OWNER xx 2026").first?.contains("email address or name") == true)
        #expect(Self.errors("the Owner of everything").first?.contains("“owner”") == true)
        #expect(Self.errors("plain unrelated words").isEmpty)
        // One- and two-letter parts are not looked for: they would refuse almost anything.
        let short = PasswordPolicy.Owner(email: "jo@acme.test", name: "Al Bo", hasTwoFactor: false)
        #expect(Self.errors("job alb bolster ok", short).isEmpty)
    }
}
