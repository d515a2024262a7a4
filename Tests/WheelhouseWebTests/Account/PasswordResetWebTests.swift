import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// Reset links as the tests get them: requested through the domain, read from the email.
enum PasswordResetLinks {
    /// The path of a new reset link of `email` (`/password/reset/…`).
    static func request(_ t: TestApp, _ email: String, address: String = "198.51.100.7") throws -> String {
        try t.database.requestPasswordReset(email: email, address: address)
        return try #require(try lastLink(t))
    }

    /// The link of the newest reset email in the outbox, if any.
    static func lastLink(_ t: TestApp) throws -> String? {
        let mail = try t.database.claimDueMail(baseURL: "http://127.0.0.1:8080", limit: 50).last { $0.subject.contains("Reset") }
        guard let line = mail?.body.split(separator: "\n").first(where: { $0.contains("/password/reset/") }),
            let start = line.range(of: "/password/reset/")?.lowerBound
        else { return nil }
        return String(line[start...])
    }
}

@Suite("Forgot password, in process") struct PasswordResetWebTests {
    static let newPassword = "zebra violin quartz 9081"

    @Test func theSignInPageLinksToForgotPasswordAndTheAnswerIsTheSameForAnyAddress() throws {
        let t = try TestApp()
        let client = t.client()
        #expect(client.get("/login").contains("<a href=\"/password/forgot\">Forgot password?</a>"))
        var pages: [String] = []
        for email in ["member@acme.test", "nobody@acme.test"] {
            let form = client.get("/password/forgot")
            let sent = client.post("/password/forgot", [("_csrf", form.csrf), ("email", email)])
            #expect(sent.status == 303 && sent.location == "/password/forgot?sent=1")
            pages.append(client.get(sent.location!).html.replacingOccurrences(of: form.csrf, with: ""))
        }
        #expect(pages[0] == pages[1] && pages[0].contains("If an account uses that address"))
        // Only the real account got an email.
        let mail = try t.database.claimDueMail(baseURL: "http://127.0.0.1:8080", limit: 10)
        #expect(mail.map(\.recipient) == ["member@acme.test"])
    }

    @Test func aResetLinkSetsThePasswordEndsEverySessionAndSignsIn() throws {
        let t = try TestApp()
        let old = try t.client(signedInAs: "member@acme.test")
        let link = try PasswordResetLinks.request(t, "member@acme.test")
        let browser = t.client()
        let form = browser.get(link)
        #expect(form.status == 200 && form.contains("member@acme.test") && form.contains("autocomplete=\"new-password\""))
        let done = browser.post(link, [("_csrf", form.csrf), ("new_password", Self.newPassword)])
        #expect(done.status == 303 && done.location == "/")
        #expect(browser.get("/orgs/acme/settings/general").contains("Your password has been changed and you are signed in."))
        #expect(old.get("/account").status == 303)
        #expect(browser.get(link).status == 410)
        #expect(browser.post(link, [("_csrf", browser.get("/account").csrf), ("new_password", "another fine passphrase")]).status == 410)
        #expect(throws: Never.self) { try t.client().signIn(email: "member@acme.test", password: Self.newPassword) }
        let notices = try t.database.claimDueMail(baseURL: "http://127.0.0.1:8080", limit: 10)
        #expect(notices.contains { $0.subject == "Your Wheelhouse password was reset" })
    }

    @Test func badResetInputChangesNothingAndKeepsTheLinkOpen() throws {
        let t = try TestApp()
        let link = try PasswordResetLinks.request(t, "member@acme.test")
        let client = t.client()
        let csrf = client.get(link).csrf
        let before = try AccountWebTests.state(t)
        let cases: [(String, [(String, String)], Int)] = [
            ("empty", [("new_password", "")], 422),
            ("14 characters", [("new_password", "qwzxvbnkqwzxvb")], 422),
            ("common", [("new_password", "password1234567!")], 422),
            ("name inside", [("new_password", "max member forever")], 422),
            ("huge", [("new_password", String(repeating: "ab", count: 50_000))], 422),
            ("unknown field", [("new_password", Self.newPassword), ("user_id", "\(t.owner.id!)")], 422),
        ]
        for (label, fields, status) in cases {
            let response = client.post(link, [("_csrf", csrf)] + fields)
            #expect(response.status == status, "\(label): \(response)")
            #expect(response.contains("error-summary"), "\(label)")
            #expect(try AccountWebTests.state(t) == before, "\(label)")
        }
        #expect(client.post(link, [("_csrf", "forged"), ("new_password", Self.newPassword)]).status == 403)
        #expect(t.client().post(link, [("new_password", Self.newPassword)]).status == 403)
        let bad = client.send(
            "POST", link, contentType: "application/x-www-form-urlencoded", body: Array("_csrf=\(csrf)&new_password=%FF%FE%FD".utf8))
        #expect(bad.status == 422)
        #expect(try AccountWebTests.state(t) == before)
        #expect(client.get(link).status == 200)
        // Forgot: bad addresses are a 422 and send nothing.
        let forgot = client.get("/password/forgot").csrf
        for email in ["", "not-an-address", String(repeating: "a", count: 250) + "@x.test", "a\u{0}b@x.test"] {
            #expect(client.post("/password/forgot", [("_csrf", forgot), ("email", email)]).status == 422, "\(email.prefix(20))")
        }
        #expect(client.post("/password/forgot", [("_csrf", "forged"), ("email", "member@acme.test")]).status == 403)
        #expect(try AccountWebTests.state(t) == before)
    }

    @Test func requestsAreThrottledWithAClear429() throws {
        let t = try TestApp()
        let client = t.client()
        let csrf = client.get("/password/forgot").csrf
        for _ in 0..<PasswordResetRules.perEmail {
            #expect(client.post("/password/forgot", [("_csrf", csrf), ("email", "member@acme.test")]).status == 303)
        }
        let outbox = try AccountWebTests.state(t)
        let throttled = client.post("/password/forgot", [("_csrf", csrf), ("email", "MEMBER@acme.test")])
        #expect(throttled.status == 429 && throttled.contains("Too many reset requests") && throttled.raw.header("Retry-After") != nil)
        #expect(throttled.contains("value=\"MEMBER@acme.test\""))
        #expect(try AccountWebTests.state(t) == outbox)
        // Another address from the same network is still served (until the per-network limit).
        #expect(client.post("/password/forgot", [("_csrf", csrf), ("email", "admin@acme.test")]).status == 303)
    }

    @Test func unknownAndExpiredLinksSayWhich() throws {
        let t = try TestApp()
        let client = t.client()
        let unknown = client.get("/password/reset/not-a-real-token")
        #expect(unknown.status == 404 && unknown.contains("This link is not valid") && unknown.contains("href=\"/password/forgot\""))
        #expect(client.send("DELETE", "/password/reset/x").status == 405)
    }
}
