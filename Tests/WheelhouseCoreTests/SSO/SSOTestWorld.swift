import Foundation
import GRDB
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Acme with SSO configured against an `OIDCStandIn` on loopback, its discovery fetched by a
/// real `SSOWorker` (outbound policy allowing 127.0.0.1), and acme.test verified.
struct SSOTestWorld {
    let clock = TestClock()
    let fixture: Fixture
    let provider: OIDCStandIn
    let worker: SSOWorker
    static let policy = try! OutboundPolicy(parsing: "127.0.0.1/32")
    static let redirect = "http://127.0.0.1:8080/sso/callback"

    var database: AppDatabase { fixture.database }
    var owner: Actor { Actor(user: fixture.owner, address: "test") }

    init(configured: Bool = true, jit: Bool = false, verifyDomain: Bool = true) throws {
        clock.advance(Date().timeIntervalSince(clock.now))
        let clock = self.clock
        fixture = try Fixture(now: { clock.now })
        provider = try OIDCStandIn()
        worker = SSOWorker(
            database: fixture.database, http: OutboundHTTP(policy: Self.policy), dns: DNSLookup(resolver: nil),
            baseURL: "http://127.0.0.1:8080")
        guard configured else { return }
        try configure(jit: jit)
        try worker.drain()
        if verifyDomain { try database.seedSSODomain(orgKey: "acme", domain: "acme.test", verified: true) }
    }

    func change(
        issuer: String? = nil, clientId: String? = nil, secret: String? = nil, scopes: String = "openid email profile", jit: String = "off",
        role: String = "member", version: Int = 0
    ) -> SSOConfigChange {
        SSOConfigChange(
            issuer: issuer ?? provider.issuer, clientId: clientId ?? provider.clientId, clientSecret: secret ?? provider.clientSecret,
            scopes: scopes, jit: jit, defaultRole: role, expectedVersion: version)
    }

    func configure(jit: Bool) throws {
        try database.saveSSOConfiguration(orgKey: "acme", by: owner, change(jit: jit ? "on" : "off"), policy: Self.policy)
    }

    /// A whole sign-in up to the worker's exchange; returns the browser token for `ssoProgress`.
    func signIn(as email: String = "person@acme.test", mode: OIDCStandIn.Mode = .good, tester: Int64? = nil) throws -> String {
        provider.set(mode: mode, email: email)
        let departure = try database.startSSO(orgId: fixture.org.id!, tester: tester, redirectURI: Self.redirect)
        let (code, state) = provider.authorize(departure.authorizationURL)
        try database.ssoCallback(state: state, code: code, providerError: nil, browserToken: departure.browserToken)
        try worker.drain()
        return departure.browserToken
    }

    func progress(_ browser: String) throws -> SSOProgress {
        try database.ssoProgress(browserToken: browser, address: "192.0.2.1", userAgent: "test", device: nil)
    }

    /// The SSO entries of acme's audit log, oldest first.
    func actions() throws -> [AuditAction] {
        try database.read { db in
            try AuditAction.fetchAll(db, sql: "SELECT action FROM auditEvent WHERE orgId = ? ORDER BY id", arguments: [fixture.org.id])
        }.filter { $0.area == .sso }
    }
}
