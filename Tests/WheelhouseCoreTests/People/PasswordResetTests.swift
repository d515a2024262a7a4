import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Reset links: one hour, once, only hashed at rest, limited per address asked for and per
/// network address, and every session of the person ends.
@Suite("Password reset links") struct PasswordResetTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }
    static let blocklist = PasswordPolicyTests.blocklist
    static let newPassword = "zebra violin quartz 9081"

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    /// Requests a link for `email` and returns its token, read from the email as the worker renders it.
    func requestToken(_ email: String = "member@acme.test", address: String = "203.0.113.1") throws -> String {
        try database.requestPasswordReset(email: email, address: address)
        let mail = try #require(try database.claimDueMail(baseURL: "https://wh.test", limit: 10).first { $0.subject.contains("Reset") })
        let line = try #require(mail.body.split(separator: "\n").first { $0.contains("/password/reset/") })
        return String(try #require(line.split(separator: "/").last))
    }

    func reset(_ token: String, _ password: String = newPassword) throws -> String? {
        try database.resetPassword(token: token, new: password, address: "203.0.113.1", userAgent: "UA", blocklist: Self.blocklist)
    }

    @Test func aLinkSetsTheNewPasswordEndsEverySessionAndWorksOnce() throws {
        _ = try database.signIn(email: "member@acme.test", password: Fixture.password, address: "a", userAgent: "")
        _ = try database.signIn(email: "admin@acme.test", password: Fixture.password, address: "a", userAgent: "")
        let token = try requestToken()
        #expect(try database.passwordReset(token: token) == "member@acme.test")
        let session = try #require(try reset(token))
        // Only the new session is left, and it is the member's.
        #expect(try database.session(token: session)?.user.id == fixture.member.id)
        let left = try database.reader.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM session WHERE userId = ?", arguments: [fixture.member.id!])!
        }
        #expect(left == 1)
        #expect(
            try database.reader.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM session WHERE userId = ?", arguments: [fixture.admin.id!])!
            } == 1)
        _ = try database.signIn(email: "member@acme.test", password: Self.newPassword, address: "b", userAgent: "")
        #expect(throws: PasswordResetProblem.used) { try reset(token, "another fine passphrase") }
        #expect(throws: PasswordResetProblem.used) { try database.passwordReset(token: token) }
        let notice = try #require(try database.claimDueMail(baseURL: "https://wh.test", limit: 10).first)
        #expect(notice.subject == "Your Wheelhouse password was reset" && notice.recipient == "member@acme.test")
    }

    @Test func aLinkExpiresAfterAnHourAndItsUnsentMailIsCancelled() throws {
        let token = try requestToken()
        clock.advance(PasswordResetRules.lifetime - 1)
        #expect(try database.passwordReset(token: token) == "member@acme.test")
        clock.advance(1)
        #expect(throws: PasswordResetProblem.expired) { try reset(token) }
        // A link whose mail had not left yet is never sent once expired.
        try database.requestPasswordReset(email: "admin@acme.test", address: "x")
        clock.advance(PasswordResetRules.lifetime)
        #expect(try database.claimDueMail(baseURL: "https://wh.test", limit: 10).isEmpty)
        #expect(throws: DomainError.invalidCredentials) {
            try database.signIn(email: "member@acme.test", password: Self.newPassword, address: "b", userAgent: "")
        }
    }

    @Test func usingOneLinkClosesTheOthersAndAnUnknownTokenIsUnknown() throws {
        let first = try requestToken(), second = try requestToken()
        #expect(first != second)
        _ = try reset(second)
        #expect(throws: PasswordResetProblem.unknown) { try reset(first, "another fine passphrase") }
        #expect(throws: PasswordResetProblem.unknown) { try database.passwordReset(token: "not-a-token") }
        #expect(throws: PasswordResetProblem.unknown) { try database.passwordReset(token: String(repeating: "a", count: 5000)) }
    }

    @Test func theTokenIsStoredOnlyAsItsSHA256() throws {
        let token = try requestToken()
        let stored = try database.reader.read { db in try Data.fetchOne(db, sql: "SELECT tokenHash FROM passwordReset")! }
        #expect(stored == Data(Crypto.sha256(token)))
        #expect(Base64URL.decode(token)?.count == 32)  // 256 bits
        // No table holds the token, as text or as its bytes.
        let dump = try database.reader.read { db -> [UInt8] in
            var bytes: [UInt8] = []
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                    for value in row.databaseValues {
                        switch value.storage {
                        case .string(let s): bytes += Array(s.utf8)
                        case .blob(let b): bytes += Array(b)
                        default: break
                        }
                    }
                }
            }
            return bytes
        }
        let tokenBytes = Array(token.utf8), raw = Base64URL.decode(token)!
        #expect(!Self.contains(dump, tokenBytes) && !Self.contains(dump, raw))
        #expect(Self.contains(dump, Array(Data(Crypto.sha256(token)))))
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    @Test func requestsAreLimitedPerAddressAskedForAndPerNetworkAddressKnownOrNot() throws {
        for n in 0..<PasswordResetRules.perEmail {
            try database.requestPasswordReset(email: "Member@acme.test", address: "10.0.0.\(n)")
        }
        #expect(throws: DomainError.self) { try database.requestPasswordReset(email: "member@ACME.test", address: "10.0.1.1") }
        // An address nobody has is limited the same way (the limit tells nothing).
        for _ in 0..<PasswordResetRules.perEmail { try database.requestPasswordReset(email: "nobody@acme.test", address: "10.0.2.1") }
        #expect(throws: DomainError.self) { try database.requestPasswordReset(email: "nobody@acme.test", address: "10.0.2.2") }
        for n in 0..<(PasswordResetRules.perAddress - PasswordResetRules.perEmail) {
            try database.requestPasswordReset(email: "x\(n)@acme.test", address: "10.0.2.1")
        }
        #expect(throws: DomainError.self) { try database.requestPasswordReset(email: "fresh@acme.test", address: "10.0.2.1") }
        clock.advance(PasswordResetRules.window + 1)
        try database.requestPasswordReset(email: "member@acme.test", address: "10.0.2.1")
        // Only real accounts got links: the member's five and the last one.
        #expect(try database.reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM passwordReset")! } == 6)
    }

    @Test func aRefusedNewPasswordKeepsTheLinkOpenAndChangesNothing() throws {
        let token = try requestToken()
        for bad in ["short", "password1234567!", "my member@acme passphrase", String(repeating: "z", count: 300)] {
            #expect(throws: DomainError.self) { try reset(token, bad) }
        }
        #expect(try database.passwordReset(token: token) == "member@acme.test")
        _ = try database.signIn(email: "member@acme.test", password: Fixture.password, address: "a", userAgent: "")
    }
}
