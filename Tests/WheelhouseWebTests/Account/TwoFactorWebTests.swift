import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
@testable import WheelhouseWeb
import WheelhouseTestSupport

/// Two-factor sign-in through the app, in process: enrolment from what the page shows, the
/// recovery codes shown once, turning it off, and bad input that changes nothing.
@Suite("Two-factor, in process") struct TwoFactorWebTests {
    static let page = "/account/security/two-factor"

    static func secret(_ t: TestApp, _ user: User) throws -> [UInt8] {
        guard let secret = try t.database.twoFactorSecret(userId: user.id!) else { throw TestFailure("no two-factor secret") }
        return secret
    }
    static func currentCode(_ secret: [UInt8]) -> String { TOTP(secret: secret).code(step: TOTP.step(at: Date())) }
    /// The next step's code: still accepted (±1 step) after the current one was used.
    static func nextCode(_ secret: [UInt8]) -> String { TOTP(secret: secret).code(step: TOTP.step(at: Date()) + 1) }

    static func notices(_ t: TestApp) throws -> Int {
        try t.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE kind = 'notice'")! }
    }

    /// The setup key as the page prints it, in groups of four.
    static func shownSecret(_ page: TestResponse) throws -> [UInt8] {
        guard let start = page.html.range(of: "id=\"two-factor-secret\">"),
            let end = page.html[start.upperBound...].range(of: "</p>"),
            let secret = Base32.decode(String(page.html[start.upperBound..<end.lowerBound]))
        else { throw TestFailure("no setup key on the page") }
        return secret
    }

    @Test func enrolmentShowsAQRCodeAndTheKeyAndTheCodesOnce() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "admin@acme.test")
        let setup = client.get(Self.page)
        #expect(setup.status == 200)
        #expect(setup.contains("<svg class=\"qr-code\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "))
        #expect(setup.html.components(separatedBy: "<rect ").count > 60)
        #expect(setup.contains("otpauth://totp/Wheelhouse:admin@acme.test?secret="))
        // No script of its own: the only script is the layout's enhancement file.
        #expect(setup.html.components(separatedBy: "<script").count == 2 && !setup.contains("<script>"))
        let secret = try Self.shownSecret(setup)
        #expect(secret == (try Self.secret(t, t.admin)))
        // A reload shows the same key.
        #expect(try Self.shownSecret(client.get(Self.page)) == secret)

        let on = client.post(Self.page, [("_csrf", setup.csrf), ("password", TestApp.password), ("code", Self.currentCode(secret))])
        #expect(on.status == 303 && on.location == Self.page)
        let codes = client.get(Self.page)
        #expect(codes.contains("Two-factor sign-in is on. Save your recovery codes now"))
        #expect(codes.html.components(separatedBy: "<li><code>").count == 11)
        #expect(codes.contains("10 recovery codes left."))
        let again = client.get(Self.page)
        #expect(!again.contains("<li><code>") && again.contains("Two-factor sign-in is on</h2>"))
        #expect(try t.database.hasTwoFactor(userId: t.admin.id!))
        #expect(try Self.notices(t) == 1)
    }

    static let badEnrolments: [(String, [(String, String)])] = [
        ("empty code", [("code", "")]),
        ("five digits", [("code", "12345")]),
        ("letters", [("code", "abcdef")]),
        ("wrong code", [("password", TestApp.password), ("code", "000000")]),
        ("over-long", [("code", String(repeating: "1", count: 41))]),
        ("control characters", [("code", "12\u{0}456")]),
        ("unknown field", [("code", "123456"), ("admin", "1")]),
        ("a session without the password", [("code", "123456")]),
        ("a wrong password", [("code", "123456"), ("password", "not the password at all")]),
    ]

    @Test(arguments: badEnrolments) func badEnrolmentChangesNothing(_ label: String, _ fields: [(String, String)]) throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "admin@acme.test")
        let csrf = client.get(Self.page).csrf
        let response = client.post(Self.page, [("_csrf", csrf)] + fields)
        #expect(response.status == 422, "\(label)")
        #expect(response.contains("error-summary"), "\(label)")
        #expect(try !t.database.hasTwoFactor(userId: t.admin.id!), "\(label)")
        #expect(try Self.notices(t) == 0)
        // Invalid UTF-8 and a missing token are refused the same way.
        let raw = client.send(
            "POST", Self.page, contentType: "application/x-www-form-urlencoded", body: Array("_csrf=\(csrf)&code=%FF%FE".utf8))
        #expect(raw.status == 422)
        #expect(client.post(Self.page, [("code", Self.currentCode(try Self.secret(t, t.admin)))]).status == 403)
        #expect(try !t.database.hasTwoFactor(userId: t.admin.id!))
    }

    static let badDisables: [(String, (String, String))] = [
        ("wrong password", ("wrong password", "next")), ("empty password", ("", "next")),
        ("wrong code", (TestApp.password, "000000")), ("empty code", (TestApp.password, "")),
        ("code used to turn it on", (TestApp.password, "current")),
        ("over-long password", (String(repeating: "p", count: 1025), "next")),
    ]

    @Test(arguments: badDisables) func badTurningOffChangesNothing(_ label: String, _ given: (String, String)) throws {
        let t = try TestApp()
        let (secret, _) = try t.database.turnOnTwoFactor(for: t.admin)
        let client = try Self.signInWithCode(t, "admin@acme.test", secret: secret, step: 1)
        let csrf = client.get(Self.page).csrf
        let code = given.1 == "next" ? Self.nextCode(secret) : given.1 == "current" ? Self.currentCode(secret) : given.1
        let before = try Self.notices(t)
        let response = client.post(Self.page + "/disable", [("_csrf", csrf), ("password", given.0), ("code", code)])
        #expect(response.status == 422, "\(label)")
        #expect(try t.database.hasTwoFactor(userId: t.admin.id!), "\(label)")
        #expect(try Self.notices(t) == before)
        #expect(client.post(Self.page + "/disable", [("password", TestApp.password), ("code", Self.nextCode(secret))]).status == 403)
    }

    @Test func turningItOffWithThePasswordAndARecoveryCode() throws {
        let t = try TestApp()
        let (secret, codes) = try t.database.turnOnTwoFactor(for: t.admin)
        let client = try Self.signInWithCode(t, "admin@acme.test", secret: secret, step: 1)
        let csrf = client.get(Self.page).csrf
        let off = client.post(Self.page + "/disable", [("_csrf", csrf), ("password", TestApp.password), ("code", codes[0])])
        #expect(off.status == 303)
        #expect(client.get(Self.page).contains("Two-factor sign-in is off."))
        #expect(try !t.database.hasTwoFactor(userId: t.admin.id!))
    }

    /// Password, then the code of the step `step` steps from now.
    static func signInWithCode(_ t: TestApp, _ email: String, secret: [UInt8], step: Int64) throws -> TestClient {
        let client = t.client()
        let form = client.get("/login")
        let first = client.post("/login", [("_csrf", form.csrf), ("email", email), ("password", TestApp.password), ("next", "")])
        guard first.status == 303, first.location == "/login/two-factor" else { throw TestFailure("no code asked: \(first)") }
        let code = TOTP(secret: secret).code(step: TOTP.step(at: Date()) + step)
        let second = client.post("/login/two-factor", [("_csrf", form.csrf), ("code", code), ("next", "")])
        guard second.status == 303, client.cookies["wh_session"] != nil else { throw TestFailure("code refused: \(second)") }
        return client
    }
}
