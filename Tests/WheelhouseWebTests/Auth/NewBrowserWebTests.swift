import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// The device cookie and the new-browser email through the sign-in form, in process.
@Suite("Sign-in from a new browser, in process") struct NewBrowserWebTests {
    static let subject = "New sign-in to your Wheelhouse account"

    static func newBrowserMails(_ t: TestApp, _ email: String) throws -> Int {
        try t.database.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE recipient = ? AND subject = ?", arguments: [email, subject])!
        }
    }

    @Test func theFirstSignInOfABrowserSetsALongLivedDeviceCookieAndIsEmailedOnce() throws {
        let t = try TestApp()
        let browser = t.client()
        let form = browser.get("/login")
        let signedIn = browser.post(
            "/login", [("_csrf", form.csrf), ("email", "member@acme.test"), ("password", TestApp.password), ("next", "")])
        #expect(signedIn.status == 303)
        let cookie = try #require(signedIn.raw.headers.first { $0.0 == "Set-Cookie" && $0.1.hasPrefix("wh_device=") }?.1)
        #expect(cookie.contains("; HttpOnly; SameSite=Lax; Max-Age=\(400 * 86_400)") && !cookie.contains("Secure"))
        let device = try #require(browser.cookies["wh_device"])
        #expect(DeviceRules.isWellFormed(device))
        #expect(try Self.newBrowserMails(t, "member@acme.test") == 1)
        // Signed out and in again with the same browser: the same value, no second email.
        #expect(browser.post("/logout", [("_csrf", browser.get("/account").csrf)]).status == 303)
        try browser.signIn(email: "member@acme.test", password: TestApp.password)
        #expect(browser.cookies["wh_device"] == device)
        #expect(try Self.newBrowserMails(t, "member@acme.test") == 1)
        // Another browser, or a tampered cookie: a new one, emailed.
        try t.client().signIn(email: "member@acme.test", password: TestApp.password)
        let tampered = t.client()
        tampered.cookies["wh_device"] = device + "x"
        try tampered.signIn(email: "member@acme.test", password: TestApp.password)
        #expect(tampered.cookies["wh_device"] != device + "x")
        #expect(try Self.newBrowserMails(t, "member@acme.test") == 3)
        // Nobody else was told.
        #expect(try Self.newBrowserMails(t, "admin@acme.test") == 0)
    }
}
