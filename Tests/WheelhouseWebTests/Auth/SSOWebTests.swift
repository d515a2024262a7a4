import Foundation
import Testing
import WheelhouseCore
import WheelhouseTestSupport
@testable import WheelhouseWeb

/// Sign in with SSO through the web app: the start form, the hop to the provider (a page that
/// refreshes to it), the callback, the no-script wait while the worker exchanges the code, and
/// the SSO tab's forms.
@Suite("SSO web") struct SSOWebTests {
    struct World {
        let t: TestApp
        let provider: OIDCStandIn
        let worker: SSOWorker

        init(configure: Bool = true) throws {
            t = try TestApp()
            provider = try OIDCStandIn()
            worker = SSOWorker(
                database: t.database, http: OutboundHTTP(policy: TestApp.standInPolicy), dns: DNSLookup(resolver: nil),
                baseURL: "http://127.0.0.1:8080")
            guard configure else { return }
            try t.database.saveSSOConfiguration(
                orgKey: "acme", by: Actor(user: t.owner, address: "test"),
                SSOConfigChange(
                    issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret, scopes: "openid email",
                    jit: "off", defaultRole: "member", expectedVersion: 0), policy: TestApp.standInPolicy)
            try worker.drain()
            try t.database.seedSSODomain(orgKey: "acme", domain: "acme.test", verified: true)
        }

        /// The provider's address from the page that hops to it.
        static func departure(_ page: TestResponse) -> String? {
            guard let start = page.html.range(of: "content=\"0; url=") else { return nil }
            return String(page.html[start.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
        }
    }

    @Test func aMemberSignsInThroughTheProvider() throws {
        let world = try World()
        world.provider.set(mode: .good, email: "member@acme.test")
        let client = world.t.client()
        let login = client.get("/login")
        #expect(login.contains("Sign in with SSO"))
        let leaving = client.post("/sso/start", [("_csrf", login.csrf), ("who", "member@acme.test")])
        #expect(leaving.status == 200)
        let url = try #require(World.departure(leaving))
        #expect(url.hasPrefix(world.provider.issuer + "/authorize?") && url.contains("code_challenge_method=S256"))
        #expect(client.cookies[SSOSignInController.browserCookie] != nil)
        let (code, state) = world.provider.authorize(url)
        let back = client.get("/sso/callback?code=\(code)&state=\(state)")
        #expect(back.status == 303 && back.location == "/sso/continue")
        // The worker has not run yet: the page waits, refreshing itself without script.
        let waiting = client.get("/sso/continue")
        #expect(waiting.status == 200 && waiting.contains("<meta http-equiv=\"refresh\" content=\"1\">"))
        try world.worker.drain()
        let done = client.get("/sso/continue")
        #expect(done.status == 303 && done.location == "/orgs/acme")
        #expect(client.get("/orgs/acme/settings/general").status == 200)
        // The same callback again: already used, no session.
        let replay = world.t.client()
        #expect(replay.get("/sso/callback?code=\(code)&state=\(state)").status == 400)
    }

    @Test func aWrongStateOrBadTokenGetsAClearPageAndNoSession() throws {
        let world = try World()
        let client = world.t.client()
        let forged = client.get("/sso/callback?code=x&state=forged")
        #expect(forged.status == 400 && forged.contains("wrong or forged state"))
        world.provider.set(mode: .wrongAudience, email: "member@acme.test")
        let login = client.get("/login")
        let url = try #require(World.departure(client.post("/sso/start", [("_csrf", login.csrf), ("who", "acme")])))
        let (code, state) = world.provider.authorize(url)
        _ = client.get("/sso/callback?code=\(code)&state=\(state)")
        try world.worker.drain()
        let refused = client.get("/sso/continue")
        #expect(refused.status == 403 && refused.contains("its audience is not this client ID"))
        #expect(client.cookies[Visit.sessionCookie] == nil)
    }

    @Test func theStartFormSaysWhatIsWrong() throws {
        let world = try World(configure: false)
        let client = world.t.client()
        let login = client.get("/login")
        for (who, message) in [
            ("", "Enter your work email address or your organization&#39;s key."),
            ("pat@nowhere.test", "No organization signs in with SSO for that email domain."),
            ("acme", "That organization has not set up single sign-on."),
        ] {
            let page = client.post("/sso/start", [("_csrf", login.csrf), ("who", who)])
            #expect(
                page.status == 422 && (page.contains(message) || page.contains(message.replacingOccurrences(of: "&#39;", with: "'"))),
                "\(who)")
        }
        #expect(client.post("/sso/start", [("_csrf", "forged"), ("who", "acme")]).status == 403)
    }

    static let badForms: [(path: String, fields: [(String, String)], field: String)] = [
        (
            "/orgs/acme/settings/sso/config",
            [
                ("version", "0"), ("issuer", "http://login.acme.test"), ("client_id", "c"), ("client_secret", "s"), ("scopes", "openid"),
                ("jit", "off"), ("default_role", "member"),
            ], "issuer"
        ),
        (
            "/orgs/acme/settings/sso/config",
            [
                ("version", "0"), ("issuer", "https://login.acme.test"), ("client_id", ""), ("client_secret", "s"), ("scopes", "openid"),
                ("jit", "off"), ("default_role", "member"),
            ], "client_id"
        ),
        (
            "/orgs/acme/settings/sso/config",
            [
                ("version", "0"), ("issuer", "https://login.acme.test"), ("client_id", "c"), ("client_secret", "s"), ("scopes", "email"),
                ("jit", "off"), ("default_role", "member"),
            ], "scopes"
        ),
        (
            "/orgs/acme/settings/sso/config",
            [
                ("version", "0"), ("issuer", "https://login.acme.test"), ("client_id", "c"), ("client_secret", "s"), ("scopes", "openid"),
                ("jit", "x"), ("default_role", "owner"),
            ], "default_role"
        ),
        ("/orgs/acme/settings/sso/domains", [("domain", "bücher.de")], "domain"),
        ("/orgs/acme/settings/sso/domains", [("domain", "\u{1}x.test")], "domain"),
    ]

    @Test(arguments: 0..<badForms.count)
    func aBadFormComesBackWithItsValuesAndA422(_ index: Int) throws {
        let (client, csrf) = try RouteMatrixTests.World().client(.owner)
        let row = Self.badForms[index]
        let page = client.post(row.path, [("_csrf", csrf)] + row.fields)
        #expect(page.status == 422, "\(row.path) \(row.field)")
        #expect(page.contains("id=\"\(row.field)-error\""), "\(row.field)")
    }

    @Test func thePageShowsTheRedirectURLAndTheDiscovery() throws {
        let world = try World()
        let client = try world.t.client(signedInAs: "admin@acme.test")
        let page = client.get("/orgs/acme/settings/sso")
        #expect(page.status == 200)
        #expect(page.contains("http://127.0.0.1:8080/sso/callback"))
        #expect(page.contains("Discovery succeeded") && page.contains("k1 (ES256)"))
        #expect(page.contains("acme.test") && page.contains("Test sign-in"))
        #expect(!page.contains(world.provider.clientSecret))
    }

    @Test func enforcedSSORefusesThePasswordWithALinkToSSO() throws {
        let world = try World()
        let owner = Actor(user: world.t.owner, address: "test")
        world.provider.set(mode: .good, email: "owner@acme.test")
        let departure = try world.t.database.startSSO(
            orgId: world.t.org.id!, tester: world.t.owner.id, redirectURI: "http://127.0.0.1:8080/sso/callback")
        let (code, state) = world.provider.authorize(departure.authorizationURL)
        try world.t.database.ssoCallback(state: state, code: code, providerError: nil, browserToken: departure.browserToken)
        try world.worker.drain()
        _ = try world.t.database.ssoProgress(browserToken: departure.browserToken, address: "x", userAgent: "", device: nil)
        try world.t.database.setSSOEnforcement(
            orgKey: "acme", by: owner, SSOEnforcementChange(enforce: "on", breakGlass: ["", ""], expectedVersion: 1))
        let client = world.t.client()
        let login = client.get("/login")
        let refused = client.post(
            "/login", [("_csrf", login.csrf), ("email", "member@acme.test"), ("password", TestApp.password), ("next", "")])
        #expect(refused.status == 403 && refused.contains("signs in with single sign-on") && refused.contains("/sso/start?who=acme"))
        #expect(refused.contains("href=\"/sso/start?who=acme\">Continue with single sign-on</a>"), "a link to SSO beside the refusal")
    }
}
