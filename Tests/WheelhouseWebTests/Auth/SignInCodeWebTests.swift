import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
@testable import WheelhouseWeb
import WheelhouseTestSupport

/// Signing in with and without two-factor, in process: the password step, the code step, a
/// recovery code instead, wrong codes throttled, and an expired or missing challenge.
@Suite("Sign-in with a code, in process") struct SignInCodeWebTests {
    static func password(_ client: TestClient, _ email: String, next: String = "") -> (TestResponse, String) {
        let form = client.get("/login")
        return (client.post("/login", [("_csrf", form.csrf), ("email", email), ("password", TestApp.password), ("next", next)]), form.csrf)
    }

    @Test func withoutTwoFactorThePasswordSignsIn() throws {
        let t = try TestApp()
        let client = t.client()
        let (response, _) = Self.password(client, "member@acme.test", next: "/account/security/sessions")
        #expect(response.status == 303 && response.location == "/account/security/sessions")
        #expect(client.cookies["wh_session"] != nil && client.cookies["wh_signin"] == nil)
    }

    @Test func withTwoFactorTheCodeComesAfterThePassword() throws {
        let t = try TestApp()
        let (secret, _) = try t.database.turnOnTwoFactor(for: t.member)
        let client = t.client()
        let (first, csrf) = Self.password(client, "member@acme.test", next: "/account/security/sessions")
        #expect(first.status == 303 && first.location?.hasPrefix("/login/two-factor?next=") == true)
        // Half signed in: a challenge cookie, no session; account pages still send to /login.
        #expect(client.cookies["wh_session"] == nil && client.cookies["wh_signin"] != nil)
        #expect(client.get("/account/security/sessions").location?.hasPrefix("/login?next=") == true)
        let page = client.get(first.location!)
        #expect(page.status == 200 && page.contains("autocomplete=\"one-time-code\""))
        #expect(page.inputValue("next") == "/account/security/sessions")

        let wrong = client.post("/login/two-factor", [("_csrf", csrf), ("code", "000000"), ("next", "/account/security/sessions")])
        #expect(wrong.status == 401 && wrong.contains("That code does not match"))
        #expect(client.cookies["wh_session"] == nil)
        // A forged token is refused before the code is looked at.
        #expect(client.post("/login/two-factor", [("_csrf", "forged"), ("code", TwoFactorWebTests.nextCode(secret))]).status == 403)

        let right = client.post(
            "/login/two-factor", [("_csrf", csrf), ("code", TwoFactorWebTests.nextCode(secret)), ("next", "/account/security/sessions")])
        #expect(right.status == 303 && right.location == "/account/security/sessions")
        #expect(client.cookies["wh_session"] != nil && client.cookies["wh_signin"] == nil)
        #expect(client.get("/account/security/sessions").status == 200)
    }

    @Test func aRecoveryCodeSignsInOnce() throws {
        let t = try TestApp()
        let (_, codes) = try t.database.turnOnTwoFactor(for: t.member)
        let client = t.client()
        let (_, csrf) = Self.password(client, "member@acme.test")
        #expect(client.post("/login/two-factor", [("_csrf", csrf), ("code", codes[9]), ("next", "")]).status == 303)
        let again = t.client()
        let (_, csrf2) = Self.password(again, "member@acme.test")
        #expect(again.post("/login/two-factor", [("_csrf", csrf2), ("code", codes[9]), ("next", "")]).status == 401)
        #expect(again.cookies["wh_session"] == nil)
    }

    static let badCodes: [(String, String)] = [
        ("empty", ""), ("over-long", String(repeating: "9", count: 41)), ("letters", "abcdef"), ("wrong", "999999"),
    ]

    @Test(arguments: badCodes) func badCodesOpenNoSession(_ label: String, _ code: String) throws {
        let t = try TestApp()
        try t.database.turnOnTwoFactor(for: t.member)
        let client = t.client()
        let (_, csrf) = Self.password(client, "member@acme.test")
        let sessions = try t.database.read { db in try SessionRecord.fetchCount(db) }
        let response = client.post("/login/two-factor", [("_csrf", csrf), ("code", code), ("next", "")])
        #expect([401, 422].contains(response.status), "\(label)")
        #expect(try t.database.read { db in try SessionRecord.fetchCount(db) } == sessions)
        #expect(client.post("/login/two-factor", [("_csrf", csrf), ("code", code), ("extra", "1")]).status == 422)
    }

    @Test func wrongCodesAreThrottledLikePasswords() throws {
        let t = try TestApp()
        let (secret, _) = try t.database.turnOnTwoFactor(for: t.member)
        let client = t.client()
        let (_, csrf) = Self.password(client, "member@acme.test")
        for _ in 0..<5 { #expect(client.post("/login/two-factor", [("_csrf", csrf), ("code", "000000"), ("next", "")]).status == 401) }
        let locked = client.post("/login/two-factor", [("_csrf", csrf), ("code", TwoFactorWebTests.nextCode(secret)), ("next", "")])
        #expect(locked.status == 429 && locked.raw.header("Retry-After") != nil)
        #expect(client.cookies["wh_session"] == nil)
    }

    @Test func withoutALiveChallengeTheCodePageSendsBackToThePassword() throws {
        let t = try TestApp()
        let client = t.client()
        let page = client.get("/login/two-factor")
        #expect(page.status == 303 && page.location == "/login?expired=1")
        #expect(client.get(page.location!).contains("That sign-in took too long"))
        let csrf = client.get("/login").csrf
        client.cookies["wh_signin"] = "made-up"
        let post = client.post("/login/two-factor", [("_csrf", csrf), ("code", "123456"), ("next", "")])
        #expect(post.status == 303 && post.location == "/login?expired=1")
    }
}
