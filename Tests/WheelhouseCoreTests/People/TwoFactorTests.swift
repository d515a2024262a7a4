import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Two-factor sign-in in the domain: enrolment, the sign-in's second step, recovery codes and
/// turning it off, on a clock the tests move.
@Suite("Two-factor sign-in") struct TwoFactorTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    func code(_ secret: [UInt8], offset: Int64 = 0) -> String {
        TOTP(secret: secret).code(step: TOTP.step(at: clock.now) + offset)
    }

    func challenge(_ email: String = "admin@acme.test", password: String = Fixture.password) throws -> String {
        do {
            _ = try database.signIn(email: email, password: password, address: "198.51.100.7", userAgent: "Firefox/1 Linux")
        } catch AccountProblem.secondFactorNeeded(let challenge) {
            return challenge
        }
        throw TestFailure("sign-in did not ask for a code")
    }

    func mails(to email: String) throws -> [String] {
        try database.read { db in
            try String.fetchAll(
                db, sql: "SELECT subject FROM outbox WHERE recipient = ? AND kind = 'notice' ORDER BY id", arguments: [email])
        }
    }

    @Test func enrolmentKeepsOneSealedSecretUntilAFirstCodeTurnsItOn() throws {
        let admin = fixture.admin
        #expect(try database.twoFactorState(userId: admin.id!, email: admin.email) == .off)
        guard case .pending(let first) = try database.startTwoFactor(userId: admin.id!, email: admin.email) else {
            Issue.record("no enrolment"); return
        }
        // A reload shows the same secret; nothing asks for a code yet.
        #expect(try database.startTwoFactor(userId: admin.id!, email: admin.email) == .pending(first))
        #expect(try !database.hasTwoFactor(userId: admin.id!))
        #expect(first.secret.count == 20 && first.uri.contains("secret=\(first.base32)"))
        // Sealed at rest: neither the bytes nor the base32 text are in the row.
        let sealed = try database.read { db in try Data.fetchOne(db, sql: "SELECT sealed FROM twoFactor")! }
        #expect(!Array(sealed).contains(subsequence: first.secret) && !Array(sealed).contains(subsequence: Array(first.base32.utf8)))

        let (_, signedIn) = try database.signIn(email: admin.email, password: Fixture.password, address: "x", userAgent: "")
        #expect(throws: DomainError.self) {
            try database.confirmTwoFactor(
                userId: admin.id!, email: admin.email, password: Fixture.password, code: "000000", session: signedIn.session,
                address: "x")
        }
        #expect(try !database.hasTwoFactor(userId: admin.id!))
        // Without the password, a session alone cannot turn it on.
        #expect(throws: DomainError.self) {
            try database.confirmTwoFactor(
                userId: admin.id!, email: admin.email, password: "not it at all", code: code(first.secret), session: signedIn.session,
                address: "x")
        }
        let codes = try database.confirmTwoFactor(
            userId: admin.id!, email: admin.email, password: Fixture.password, code: code(first.secret), session: signedIn.session,
            address: "x")
        #expect(try database.hasTwoFactor(userId: admin.id!))
        #expect(codes.count == 10 && Set(codes).count == 10)
        #expect(codes.allSatisfy { $0.count == 19 && $0.split(separator: "-").count == 4 })
        #expect(try mails(to: admin.email) == ["Two-factor sign-in is on"])
        // Shown once, to the session that turned it on only.
        let (_, other) = try database.signIn(email: "member@acme.test", password: Fixture.password, address: "x", userAgent: "")
        #expect(try database.takeRecoveryCodes(userId: admin.id!, session: other.session) == nil)
        #expect(try database.takeRecoveryCodes(userId: admin.id!, session: signedIn.session) == codes)
        #expect(try database.takeRecoveryCodes(userId: admin.id!, session: signedIn.session) == nil)
    }

    @Test func recoveryCodesAreStoredHashedAndWorkOnce() throws {
        let (_, codes) = try database.turnOnTwoFactor(for: fixture.admin, now: clock.now)
        let stored = try database.read { db in try Data.fetchAll(db, sql: "SELECT codeHash FROM recoveryCode") }
        #expect(stored.count == 10 && stored.allSatisfy { $0.count == 32 })
        let everything = try database.read { db in try String.fetchAll(db, sql: "SELECT hex(codeHash) FROM recoveryCode") }.joined()
        for code in codes { #expect(!everything.localizedCaseInsensitiveContains(Array(code.utf8).hexString)) }

        // Typed in capitals without dashes, it still counts; the second time it does not.
        let typed = codes[3].uppercased().replacingOccurrences(of: "-", with: " ")
        let (_, signedIn) = try database.completeSignIn(challenge: try challenge(), code: typed, address: "198.51.100.7", userAgent: "")
        #expect(signedIn.user.id == fixture.admin.id)
        #expect(try mails(to: fixture.admin.email).last == "A recovery code was used to sign in")
        #expect(throws: DomainError.invalidCredentials) {
            try database.completeSignIn(challenge: try challenge(), code: codes[3], address: "198.51.100.7", userAgent: "")
        }
        guard case .on(_, let left) = try database.twoFactorState(userId: fixture.admin.id!, email: fixture.admin.email) else {
            Issue.record("two-factor is not on"); return
        }
        #expect(left == 9)
    }

    @Test func signInAsksForACodeAfterThePasswordAndRefusesItsReplay() throws {
        let (secret, _) = try database.turnOnTwoFactor(for: fixture.admin, now: clock.now)
        let sessionsBefore = try database.read { db in try SessionRecord.fetchCount(db) }
        let first = try challenge()
        // The right password alone opens no session.
        #expect(try database.read { db in try SessionRecord.fetchCount(db) } == sessionsBefore)
        #expect(try database.signInChallengeIsLive(first))
        clock.advance(30)
        let now = code(secret)
        let (_, signedIn) = try database.completeSignIn(challenge: first, code: now, address: "198.51.100.7", userAgent: "UA")
        #expect(signedIn.user.email == "admin@acme.test" && signedIn.session.userAgent == "UA")
        // The challenge is spent, and the same code never works again, even with a new challenge.
        #expect(try !database.signInChallengeIsLive(first))
        #expect(throws: AccountProblem.challengeExpired) {
            try database.completeSignIn(challenge: first, code: now, address: "198.51.100.7", userAgent: "")
        }
        #expect(throws: DomainError.invalidCredentials) {
            try database.completeSignIn(challenge: try challenge(), code: now, address: "198.51.100.7", userAgent: "")
        }
        // People without two-factor sign in with the password alone.
        #expect(try database.signIn(email: "member@acme.test", password: Fixture.password, address: "x", userAgent: "").token.count > 20)
    }

    @Test func aChallengeLastsFiveMinutesAndWrongCodesAreThrottledLikePasswords() throws {
        let (secret, _) = try database.turnOnTwoFactor(for: fixture.admin, now: clock.now)
        let stale = try challenge()
        clock.advance(AccountProblem.challengeLifetime + 1)
        #expect(throws: AccountProblem.challengeExpired) {
            try database.completeSignIn(challenge: stale, code: code(secret), address: "198.51.100.7", userAgent: "")
        }
        let live = try challenge()
        for _ in 0..<5 {
            #expect(throws: DomainError.invalidCredentials) {
                try database.completeSignIn(challenge: live, code: "000000", address: "198.51.100.7", userAgent: "")
            }
        }
        // Locked for this account and address, even with the right code…
        #expect(throws: DomainError.self) {
            try database.completeSignIn(challenge: live, code: code(secret), address: "198.51.100.7", userAgent: "")
        }
        do {
            _ = try database.completeSignIn(challenge: live, code: code(secret), address: "198.51.100.7", userAgent: "")
        } catch DomainError.throttled(let seconds) {
            #expect(seconds > 0)
        }
        // …and the password step too: the failures are the account's.
        #expect(throws: DomainError.self) {
            try database.signIn(email: "admin@acme.test", password: Fixture.password, address: "198.51.100.7", userAgent: "")
        }
    }

    @Test func turningItOffNeedsThePasswordAndACode() throws {
        let admin = fixture.admin
        let (secret, _) = try database.turnOnTwoFactor(for: admin, now: clock.now)
        #expect(throws: DomainError.self) {
            try database.disableTwoFactor(
                userId: admin.id!, email: admin.email, password: "wrong password", code: code(secret, offset: 1), address: "x")
        }
        #expect(throws: DomainError.self) {
            try database.disableTwoFactor(userId: admin.id!, email: admin.email, password: Fixture.password, code: "123456", address: "x")
        }
        #expect(try database.hasTwoFactor(userId: admin.id!))
        try database.disableTwoFactor(
            userId: admin.id!, email: admin.email, password: Fixture.password, code: code(secret, offset: 1), address: "x")
        #expect(try !database.hasTwoFactor(userId: admin.id!))
        #expect(try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM recoveryCode")! } == 0)
        #expect(try mails(to: admin.email) == ["Two-factor sign-in is on", "Two-factor sign-in is off"])
    }

    @Test func rotatingTheMasterKeyKeepsTwoFactorWorking() throws {
        let (secret, _) = try database.turnOnTwoFactor(for: fixture.admin, now: clock.now)
        let newKey = MasterKey.generate()
        _ = try database.rotateMasterKey(to: newKey)
        let rotated = try database.reopened(with: newKey)
        clock.advance(30)
        let challenge = try challenge()
        #expect(throws: Never.self) {
            try rotated.completeSignIn(challenge: challenge, code: code(secret), address: "198.51.100.7", userAgent: "")
        }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard !subsequence.isEmpty, count >= subsequence.count else { return false }
        return (0...(count - subsequence.count)).contains { self[$0..<($0 + subsequence.count)].elementsEqual(subsequence) }
    }
}
