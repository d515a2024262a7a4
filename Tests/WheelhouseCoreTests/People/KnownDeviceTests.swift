import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Sign-in from a new browser: the browser's device value, stored hashed per person, decides
/// whether a sign-in is emailed about.
@Suite("Known browsers") struct KnownDeviceTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }
    let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    func newBrowserMails(_ email: String) throws -> [String] {
        try database.read { db in
            try String.fetchAll(
                db, sql: "SELECT body FROM outbox WHERE recipient = ? AND subject = 'New sign-in to your Wheelhouse account' ORDER BY id",
                arguments: [email])
        }
    }

    @discardableResult
    func signIn(_ user: User, device: String?, userAgent: String? = nil) throws -> String {
        try database.signIn(
            email: user.email, password: Fixture.password, address: "198.51.100.7", userAgent: userAgent ?? firefox, device: device
        ).token
    }

    @Test func aKnownBrowserIsSilentAndANewOneIsMailedOnce() throws {
        let here = Crypto.randomToken(), there = Crypto.randomToken()
        try signIn(fixture.member, device: here)
        let first = try newBrowserMails("member@acme.test")
        #expect(first.count == 1)
        #expect(first[0].contains("Browser and system: Firefox on Linux") && first[0].contains("Address: 198.51.100.7"))
        #expect(first[0].contains("Time: 2026-") && first[0].contains(" UTC"))
        // The same browser again: nothing. Another one: one more email. Each only to its person.
        clock.advance(60)
        try signIn(fixture.member, device: here)
        #expect(try newBrowserMails("member@acme.test").count == 1)
        try signIn(fixture.member, device: there)
        #expect(try newBrowserMails("member@acme.test").count == 2)
        // The same browser is new for another person who signs in with it.
        try signIn(fixture.admin, device: here)
        #expect(try newBrowserMails("admin@acme.test").count == 1)
        // Only hashes are stored, different per person.
        let hashes = try database.read { db in try Data.fetchAll(db, sql: "SELECT tokenHash FROM knownDevice") }
        #expect(hashes.count == 3 && Set(hashes).count == 3 && !hashes.contains(Data(here.utf8)))
        // The mail links to the sessions page on the configured base URL.
        let mail = try #require(
            try database.claimDueMail(baseURL: "https://wh.example", limit: 10).first { $0.recipient == "member@acme.test" })
        #expect(mail.body.contains("https://wh.example/account/security/sessions"))
        #expect(mail.body.contains("This email cannot be switched off"))
    }

    @Test func theSecondStepOfATwoFactorSignInIsWhereTheBrowserCounts() throws {
        let device = Crypto.randomToken()
        let (secret, _) = try database.turnOnTwoFactor(for: fixture.admin, now: clock.now)
        #expect(try newBrowserMails("admin@acme.test").isEmpty)
        var challenge = ""
        do { try signIn(fixture.admin, device: device) } catch AccountProblem.secondFactorNeeded(let token) { challenge = token }
        #expect(try newBrowserMails("admin@acme.test").isEmpty, "the password alone opens no session")
        clock.advance(60)
        let code = TOTP(secret: secret).code(step: TOTP.step(at: clock.now))
        _ = try database.completeSignIn(challenge: challenge, code: code, address: "198.51.100.7", userAgent: firefox, device: device)
        #expect(try newBrowserMails("admin@acme.test").count == 1)
    }

    @Test func aMalformedValueIsNeverRememberedAndAlwaysMailed() throws {
        try signIn(fixture.member, device: "not-a-device")
        try signIn(fixture.member, device: "not-a-device")
        #expect(try newBrowserMails("member@acme.test").count == 2)
        #expect(try database.knownDeviceCount(userId: fixture.member.id!) == 0)
        // No browser at all (the CLI, a test): nothing recorded, nothing sent.
        try signIn(fixture.member, device: nil)
        #expect(try newBrowserMails("member@acme.test").count == 2)
    }

    @Test func theListOfBrowsersIsBoundedByForgettingTheLeastRecentlyUsed() throws {
        let devices = (0..<(DeviceRules.maxPerUser + 5)).map { _ in Crypto.randomToken() }
        for device in devices {
            clock.advance(60)
            try signIn(fixture.member, device: device)
        }
        #expect(try database.knownDeviceCount(userId: fixture.member.id!) == DeviceRules.maxPerUser)
        // The newest are kept: signing in with the latest again sends nothing; the first is new again.
        let sent = try newBrowserMails("member@acme.test").count
        try signIn(fixture.member, device: devices.last)
        #expect(try newBrowserMails("member@acme.test").count == sent)
        try signIn(fixture.member, device: devices.first)
        #expect(try newBrowserMails("member@acme.test").count == sent + 1)
    }

    @Test func theFirstSignInOfANewAccountIsSilent() throws {
        _ = try database.invite(
            orgKey: "acme", addresses: ["newbie@acme.test"], role: .member, by: Actor(user: fixture.owner, address: "t"))
        let token = try #require(try database.membersPage(orgId: fixture.org.id!, MembersQuery()).entries.compactMap(\.linkToken).first)
        _ = try database.acceptInvitationAsNewUser(token: token, name: "Nina New", password: "long enough password", address: "a")
        let mail = try #require(try database.claimDueMail(baseURL: "https://wh.test", limit: 10).first { $0.subject.contains("Confirm") })
        let confirm = String(try #require(mail.body.components(separatedBy: "https://wh.test/confirm/").last?.prefix { !$0.isWhitespace }))
        let device = Crypto.randomToken()
        _ = try database.confirmEmail(token: confirm, password: "long enough password", address: "a", userAgent: firefox, device: device)
        #expect(try newBrowserMails("newbie@acme.test").isEmpty)
        // The browser is now known: signing in from it later is silent too, from another one is not.
        _ = try database.signIn(
            email: "newbie@acme.test", password: "long enough password", address: "a", userAgent: firefox, device: device)
        #expect(try newBrowserMails("newbie@acme.test").isEmpty)
        _ = try database.signIn(
            email: "newbie@acme.test", password: "long enough password", address: "a", userAgent: firefox, device: Crypto.randomToken())
        #expect(try newBrowserMails("newbie@acme.test").count == 1)
    }
}
