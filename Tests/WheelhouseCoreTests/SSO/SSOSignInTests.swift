import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Signing in through the provider: the code flow with PKCE, state and nonce, the ID token's
/// checks by jwt-kit (tokens signed by the stand-in), and the sign-in decision.
@Suite("SSO sign-in") struct SSOSignInTests {
    @Test func aMemberOfAVerifiedDomainIsSignedIn() throws {
        let world = try SSOTestWorld()
        let browser = try world.signIn(as: "member@acme.test")
        guard case .signedIn(let token, let orgKey) = try world.progress(browser) else {
            Issue.record("not signed in")
            return
        }
        #expect(orgKey == "acme")
        #expect(try world.database.session(token: token)?.user.email == "member@acme.test")
        // The token request carried the PKCE verifier whose S256 the authorization URL sent.
        let body = try #require(world.provider.tokenRequests.last)
        #expect(body.contains("grant_type=authorization_code") && body.contains("code_verifier="))
        // Used once: asking again finds no sign-in in progress.
        #expect(try world.progress(browser) == .failed("This browser has no sign-in in progress: start it again."))
        // Nothing secret stays in the flow row.
        #expect(try world.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ssoFlow WHERE length(sealed) > 0")! } == 0)
    }

    @Test func theAuthorizationURLCarriesPKCEStateAndNonce() throws {
        let world = try SSOTestWorld()
        let departure = try world.database.startSSO(orgId: world.fixture.org.id!, redirectURI: SSOTestWorld.redirect)
        let items = Dictionary(
            uniqueKeysWithValues: (URLComponents(string: departure.authorizationURL)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(items["code_challenge_method"] == "S256")
        #expect(items["response_type"] == "code" && items["client_id"] == world.provider.clientId)
        #expect(items["redirect_uri"] == SSOTestWorld.redirect && items["scope"] == "openid email profile")
        #expect((items["state"]?.count ?? 0) >= 43 && (items["nonce"]?.count ?? 0) >= 43 && (items["code_challenge"]?.count ?? 0) == 43)
        // Only hashes of state and nonce are stored.
        let stored = try world.database.read { db in try Row.fetchOne(db, sql: "SELECT stateHash, nonceHash FROM ssoFlow")! }
        #expect((stored["stateHash"] as Data) == Data(Crypto.sha256(items["state"]!)))
        #expect((stored["nonceHash"] as Data) == Data(Crypto.sha256(items["nonce"]!)))
    }

    static let refusals: [(mode: OIDCStandIn.Mode, message: String)] = [
        (.badSignature, "The ID token's signature does not match the provider's keys."),
        (.wrongAudience, "The ID token was issued for another application (its audience is not this client ID)."),
        (.expired, "The ID token has expired."),
        (.wrongIssuer, "The ID token comes from another issuer than the one configured."),
        (.unverifiedEmail, "The provider has not verified this email address."),
    ]

    @Test(arguments: 0..<refusals.count)
    func aTokenThatFailsItsChecksSignsNobodyIn(_ index: Int) throws {
        let world = try SSOTestWorld()
        let browser = try world.signIn(as: "member@acme.test", mode: Self.refusals[index].mode)
        #expect(try world.progress(browser) == .failed(Self.refusals[index].message))
        #expect(try world.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM session")! } == 0)
    }

    @Test func aWrongOrReplayedStateIsRefused() throws {
        let world = try SSOTestWorld()
        let departure = try world.database.startSSO(orgId: world.fixture.org.id!, redirectURI: SSOTestWorld.redirect)
        let (code, state) = world.provider.authorize(departure.authorizationURL)
        #expect(throws: SSOProblem("This sign-in is unknown (wrong or forged state): start the sign-in again.")) {
            try world.database.ssoCallback(state: "forged", code: code, providerError: nil, browserToken: departure.browserToken)
        }
        #expect(throws: SSOProblem("This sign-in was started in another browser: start it again here.")) {
            try world.database.ssoCallback(state: state, code: code, providerError: nil, browserToken: "another-browser")
        }
        try world.database.ssoCallback(state: state, code: code, providerError: nil, browserToken: departure.browserToken)
        #expect(throws: SSOProblem("This sign-in was already used: start the sign-in again.")) {
            try world.database.ssoCallback(state: state, code: code, providerError: nil, browserToken: departure.browserToken)
        }
    }

    @Test func aStateOlderThanTenMinutesIsRefused() throws {
        let world = try SSOTestWorld()
        let departure = try world.database.startSSO(orgId: world.fixture.org.id!, redirectURI: SSOTestWorld.redirect)
        let (code, state) = world.provider.authorize(departure.authorizationURL)
        world.clock.advance(SSORules.flowLifetime + 1)
        #expect(throws: SSOProblem("This sign-in took longer than ten minutes: start it again.")) {
            try world.database.ssoCallback(state: state, code: code, providerError: nil, browserToken: departure.browserToken)
        }
    }

    @Test func aReplayedCodeIsRefusedByTheProviderAndSaidSo() throws {
        let world = try SSOTestWorld()
        let first = try world.database.startSSO(orgId: world.fixture.org.id!, redirectURI: SSOTestWorld.redirect)
        let (code, state) = world.provider.authorize(first.authorizationURL)
        try world.database.ssoCallback(state: state, code: code, providerError: nil, browserToken: first.browserToken)
        try world.worker.drain()
        // The same code with a fresh state of another sign-in.
        let second = try world.database.startSSO(orgId: world.fixture.org.id!, redirectURI: SSOTestWorld.redirect)
        let (_, secondState) = world.provider.authorize(second.authorizationURL)
        try world.database.ssoCallback(state: secondState, code: code, providerError: nil, browserToken: second.browserToken)
        try world.worker.drain()
        guard case .failed(let message) = try world.progress(second.browserToken) else {
            Issue.record("a replayed code signed in")
            return
        }
        #expect(message.contains("invalid_grant"))
    }

    @Test func anAddressOutsideTheVerifiedDomainsIsRefused() throws {
        let world = try SSOTestWorld()
        try world.database.seedSSODomain(orgKey: "acme", domain: "pending.test", verified: false)
        let browser = try world.signIn(as: "pat@pending.test")
        #expect(
            try world.progress(browser)
                == .failed("pat@pending.test is not in a verified domain of Acme: Wheelhouse cannot trust the provider for it."))
    }

    @Test func justInTimeJoiningAddsThePersonWithTheDefaultRole() throws {
        let world = try SSOTestWorld(jit: true)
        let browser = try world.signIn(as: "new.person@acme.test")
        guard case .signedIn = try world.progress(browser) else {
            Issue.record("not joined")
            return
        }
        let role = try world.database.read { db in
            try String.fetchOne(
                db, sql: "SELECT m.role FROM membership m JOIN user u ON u.id = m.userId WHERE u.email = 'new.person@acme.test'")
        }
        #expect(role == "member")
        #expect(try world.actions().last == .ssoJoin)
        // Owners and Admins are told in the app.
        #expect(
            try world.database.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM notification WHERE title LIKE '%through single sign-on%'")!
            } == 2)
    }

    @Test func withoutJustInTimeAStrangerIsRefused() throws {
        let world = try SSOTestWorld(jit: false)
        let browser = try world.signIn(as: "new.person@acme.test")
        #expect(
            try world.progress(browser)
                == .failed(
                    "new.person@acme.test is not a member of Acme, and joining through SSO is off: ask an Owner or Admin to invite you."))
        #expect(
            try world.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM user WHERE email = 'new.person@acme.test'")! }
                == 0)
    }

    @Test func findingTheOrganization() throws {
        let world = try SSOTestWorld()
        #expect(try world.database.ssoOrganization(emailOrKey: "Pat@ACME.test") == world.fixture.org.id)
        #expect(try world.database.ssoOrganization(emailOrKey: "acme") == world.fixture.org.id)
        #expect(throws: SSOProblem("No organization signs in with SSO for that email domain.")) {
            try world.database.ssoOrganization(emailOrKey: "pat@nowhere.test")
        }
        #expect(throws: SSOProblem("That organization has not set up single sign-on.")) {
            try world.database.ssoOrganization(emailOrKey: "other")
        }
        #expect(throws: SSOProblem("Enter your work email address or your organization's key.")) {
            try world.database.ssoOrganization(emailOrKey: " ")
        }
    }
}
