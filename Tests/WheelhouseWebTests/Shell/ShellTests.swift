import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("Sign-in, shell and errors, in process") struct ShellTests {
    @Test func signingInRenewsTheSessionAndLandsOnTheFirstOrganization() throws {
        let t = try TestApp()
        let client = t.client()
        let form = client.get("/login")
        #expect(form.status == 200)
        #expect(client.cookies["wh_login"] == form.csrf)
        let response = client.post(
            "/login",
            [
                ("_csrf", form.csrf), ("email", "owner@acme.test"),
                ("password", TestApp.password), ("next", ""),
            ])
        #expect(response.status == 303)
        #expect(response.location == "/")
        let cookie = try #require(response.raw.headers.first { $0.0 == "Set-Cookie" && $0.1.hasPrefix("wh_session=") }?.1)
        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Lax"))
        #expect(!cookie.contains("Secure"), "http base URL")
        #expect(client.get("/").location == "/orgs/acme")

        // A browser that still carries a session cookie and signs in again gets a new id.
        let first = try #require(client.cookies["wh_session"])
        let again = t.client()
        let form2 = again.get("/login")
        again.cookies["wh_session"] = first
        #expect(
            again.post(
                "/login",
                [
                    ("_csrf", form2.csrf), ("email", "owner@acme.test"),
                    ("password", TestApp.password), ("next", ""),
                ]
            ).status == 303)
        #expect(again.cookies["wh_session"] != first, "a new session id at every sign-in")
        #expect(try t.database.session(token: first) == nil, "the old session is ended")
    }

    @Test func anonymousVisitorsAreSentToSignInAndBack() throws {
        let t = try TestApp()
        let client = t.client()
        let response = client.get("/orgs/acme/settings/general")
        #expect(response.status == 303)
        #expect(response.location == "/login?next=/orgs/acme/settings/general")
        let form = client.get("/login?next=/orgs/acme/settings/general")
        #expect(form.inputValue("next") == "/orgs/acme/settings/general")
        let signIn = client.post(
            "/login",
            [
                ("_csrf", form.csrf), ("email", "member@acme.test"),
                ("password", TestApp.password), ("next", "/orgs/acme/settings/general"),
            ])
        #expect(signIn.location == "/orgs/acme/settings/general")
    }

    @Test(arguments: ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
    func nextNeverLeavesTheSite(next: String) throws {
        let t = try TestApp()
        let client = t.client()
        let form = client.get("/login")
        let response = client.post(
            "/login",
            [
                ("_csrf", form.csrf), ("email", "owner@acme.test"),
                ("password", TestApp.password), ("next", next),
            ])
        #expect(response.location == "/")
    }

    @Test func badSignInsAreRefusedWithoutASession() throws {
        let t = try TestApp()
        let client = t.client()
        let form = client.get("/login")
        let wrong = client.post("/login", [("_csrf", form.csrf), ("email", "owner@acme.test"), ("password", "nope"), ("next", "")])
        #expect(wrong.status == 401)
        #expect(wrong.contains("The email or password is incorrect."))
        #expect(wrong.contains("value=\"owner@acme.test\""))
        let empty = client.post("/login", [("_csrf", form.csrf), ("email", ""), ("password", ""), ("next", "")])
        #expect(empty.status == 422)
        #expect(empty.contains("Enter your email address.") && empty.contains("Enter your password."))
        let forged = client.post(
            "/login",
            [
                ("_csrf", "forged"), ("email", "owner@acme.test"),
                ("password", TestApp.password), ("next", ""),
            ])
        #expect(forged.status == 403)
        #expect(client.cookies["wh_session"] == nil)
        #expect(try t.database.read { db in try SessionRecord.fetchCount(db) } == 0)
    }

    @Test func repeatedFailuresAreThrottled() throws {
        let t = try TestApp()
        let client = t.client()
        let form = client.get("/login")
        for _ in 0..<5 {
            _ = client.post("/login", [("_csrf", form.csrf), ("email", "admin@acme.test"), ("password", "guess"), ("next", "")])
        }
        let locked = client.post(
            "/login",
            [
                ("_csrf", form.csrf), ("email", "admin@acme.test"),
                ("password", TestApp.password), ("next", ""),
            ])
        #expect(locked.status == 429)
        #expect(locked.raw.header("Retry-After") != nil)
        #expect(locked.contains("Too many failed sign-ins"))
    }

    @Test func signingOutNeedsTheTokenAndEndsTheSession() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get("/orgs/acme/settings/general")
        #expect(client.post("/logout", [("_csrf", "wrong")]).status == 403)
        #expect(client.get("/orgs/acme/settings/general").status == 200)
        let out = client.post("/logout", [("_csrf", page.csrf)])
        #expect(out.status == 303)
        #expect(out.location == "/login?signed_out=1")
        #expect(client.get("/login?signed_out=1").contains("You have been signed out."))
        #expect(client.get("/orgs/acme/settings/general").status == 303)
    }

    @Test func outsidersAndUnknownOrganizationsGet404NotAHint() throws {
        let t = try TestApp()
        let outsider = try t.client(signedInAs: "out@other.test")
        for path in ["/orgs/acme/settings/general", "/orgs/acme/settings/billing", "/orgs/acme", "/orgs/nope/settings/general"] {
            let response = outsider.get(path)
            #expect(response.status == 404, "\(path)")
            #expect(!response.contains("Acme"), "\(path) names nothing of the org")
        }
        #expect(outsider.get("/orgs/other/settings/nope").status == 404)
        #expect(outsider.get("/nowhere").status == 404)
    }

    @Test func theOrgSwitcherListsEveryOrganizationAndNewOrganization() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let single = client.get("/orgs/acme/settings/general")
        #expect(single.contains("org-switcher") && single.contains("New organization…"))
        #expect(!single.contains("href=\"/orgs/acme-labs/settings/general\""))
        try t.database.createOwner(
            NewOwner(
                email: "owner@acme.test", name: "Olga Owner", password: TestApp.password,
                orgKey: "acme-labs", orgName: "Acme Labs"))
        let page = client.get("/orgs/acme/settings/general")
        #expect(page.contains("org-switcher"))
        #expect(page.contains("href=\"/orgs/acme-labs\""))
    }

    @Test func everyResponseCarriesTheSecurityHeaders() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        for response in [
            client.get("/login"), client.get("/orgs/acme/settings/general"), client.get("/missing"),
            client.send("PUT", "/login"),
        ] {
            let csp = try #require(response.raw.header("Content-Security-Policy"))
            #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"))
            #expect(response.raw.header("X-Frame-Options") == "DENY")
            #expect(response.raw.header("X-Content-Type-Options") == "nosniff")
            #expect(response.raw.header("Referrer-Policy") == "same-origin")
            #expect(response.raw.header("X-Request-Id")?.count == 16)
        }
        #expect(client.send("PUT", "/login").status == 405)
        #expect(client.send("DELETE", "/orgs/acme/settings/general").status == 405)
    }

    @Test func errorPagesShareTheLayoutAndNeverShowInternals() throws {
        let t = try TestApp()
        let page = try t.client(signedInAs: "member@acme.test").get("/orgs/acme/settings/billing")
        #expect(page.contains("<main id=\"main\">"))
        #expect(page.contains("request id"))
        #expect(!page.contains("Error("))
    }
}
