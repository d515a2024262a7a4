import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// The OpenID Connect configuration: validation, the sealed secret, and the discovery fetch run
/// by the worker through OutboundHTTP against a provider on loopback.
@Suite("SSO configuration") struct SSOConfigurationTests {
    static let badInput: [(field: String, change: @Sendable (SSOTestWorld) -> SSOConfigChange)] = [
        ("issuer", { $0.change(issuer: "") }),
        ("issuer", { $0.change(issuer: "ftp://login.example.com") }),
        ("issuer", { $0.change(issuer: "http://login.example.com") }),
        ("issuer", { $0.change(issuer: "https://user:pw@login.example.com") }),
        ("issuer", { $0.change(issuer: "https://login.example.com/?tenant=1") }),
        ("issuer", { $0.change(issuer: "https://login.example.com/\u{7}") }),
        ("issuer", { $0.change(issuer: "https://" + String(repeating: "a", count: 600) + ".com") }),
        ("client_id", { $0.change(clientId: "") }),
        ("client_id", { $0.change(clientId: "tab\there") }),
        ("client_secret", { $0.change(secret: "") }),
        ("client_secret", { $0.change(secret: String(repeating: "s", count: 501)) }),
        ("scopes", { $0.change(scopes: "email profile") }),
        ("scopes", { $0.change(scopes: "openid \"email\"") }),
        ("scopes", { $0.change(scopes: "") }),
        ("jit", { $0.change(jit: "maybe") }),
        ("default_role", { $0.change(role: "owner") }),
    ]

    @Test(arguments: 0..<badInput.count)
    func badInputIsRefusedBesideItsField(_ index: Int) throws {
        let world = try SSOTestWorld(configured: false)
        let (field, change) = Self.badInput[index]
        #expect {
            try world.database.saveSSOConfiguration(orgKey: "acme", by: world.owner, change(world), policy: SSOTestWorld.policy)
        } throws: { error in
            guard case DomainError.invalid(let errors) = error else { return false }
            return !errors.messages(for: field).isEmpty
        }
        #expect(try world.actions().filter { $0 == .ssoConfigure }.isEmpty)
    }

    @Test func savingSealsTheSecretAuditsAndDiscoveryFindsTheKeys() throws {
        let world = try SSOTestWorld(configured: false)
        let saved = try world.database.saveSSOConfiguration(orgKey: "acme", by: world.owner, world.change(), policy: SSOTestWorld.policy)
        #expect(saved.discovery.pending)
        #expect(saved.secretHint == "sta…6789")
        let stored = try world.database.read { db in try Data.fetchOne(db, sql: "SELECT sealedSecret FROM ssoConfig")! }
        #expect(!String(decoding: stored, as: UTF8.self).contains(world.provider.clientSecret))
        try world.worker.drain()
        let access = try world.database.access(orgKey: "acme", userId: world.fixture.owner.id!)
        let config = try #require(try world.database.ssoConfiguration(access))
        #expect(config.discovery.ok == true)
        #expect(config.discovery.tokenEndpoint == world.provider.issuer + "/token")
        #expect(config.discovery.keys == "k1 (ES256)")
        #expect(try world.actions() == [.ssoConfigure, .ssoDiscovery])
        // A stale form is refused; keeping the secret works when the issuer stays.
        #expect(throws: DomainError.staleVersion) {
            try world.database.saveSSOConfiguration(orgKey: "acme", by: world.owner, world.change(secret: ""), policy: SSOTestWorld.policy)
        }
        let kept = try world.database.saveSSOConfiguration(
            orgKey: "acme", by: world.owner, world.change(secret: "", jit: "on", version: 1), policy: SSOTestWorld.policy)
        #expect(kept.secretHint == "sta…6789" && kept.jit)
        // A new issuer needs the secret again.
        #expect {
            try world.database.saveSSOConfiguration(
                orgKey: "acme", by: world.owner, world.change(issuer: "https://login.example.com", secret: "", version: 2),
                policy: SSOTestWorld.policy)
        } throws: {
            ($0 as? DomainError).map { if case .invalid(let e) = $0 { !e.messages(for: "client_secret").isEmpty } else { false } } ?? false
        }
    }

    @Test func discoveryFailuresAreSaidInPlainWords() throws {
        let world = try SSOTestWorld(configured: false)
        // The default policy refuses loopback: the fetch is blocked, said so.
        let strict = SSOWorker(
            database: world.database, http: OutboundHTTP(policy: OutboundPolicy()), dns: DNSLookup(resolver: nil), baseURL: "http://x")
        try world.database.saveSSOConfiguration(orgKey: "acme", by: world.owner, world.change(), policy: SSOTestWorld.policy)
        try strict.drain()
        let access = try world.database.access(orgKey: "acme", userId: world.fixture.owner.id!)
        let config = try #require(try world.database.ssoConfiguration(access))
        #expect(config.discovery.ok == false)
        #expect(config.discovery.error?.contains("private or local address") == true)
        #expect(!config.isUsable)
        // An issuer with a path the provider does not serve: HTTP 404, named.
        try world.database.saveSSOConfiguration(
            orgKey: "acme", by: world.owner, world.change(issuer: world.provider.issuer + "/tenant", version: 1),
            policy: SSOTestWorld.policy)
        try world.worker.drain()
        let again = try #require(try world.database.ssoConfiguration(access))
        #expect(again.discovery.error?.contains("HTTP 404") == true)
    }

    @Test func masterKeyRotationKeepsTheSecretUsable() throws {
        let world = try SSOTestWorld()
        let newKey = MasterKey.generate()
        #expect(try world.database.rotateMasterKey(to: newKey).toVersion == 2)
        let reopened = try world.database.reopened(with: newKey)
        let worker = SSOWorker(
            database: reopened, http: OutboundHTTP(policy: SSOTestWorld.policy), dns: DNSLookup(resolver: nil),
            baseURL: "http://127.0.0.1:8080")
        let departure = try reopened.startSSO(orgId: world.fixture.org.id!, redirectURI: SSOTestWorld.redirect)
        let (code, state) = world.provider.authorize(departure.authorizationURL)
        try reopened.ssoCallback(state: state, code: code, providerError: nil, browserToken: departure.browserToken)
        try worker.drain()
        // The token call went out (the secret decrypted under the new key) and the token checked out.
        #expect(world.provider.tokenRequests.count == 1)
        let progress = try reopened.ssoProgress(browserToken: departure.browserToken, address: "192.0.2.1", userAgent: "", device: nil)
        #expect(
            progress
                == .failed("person@acme.test is not a member of Acme, and joining through SSO is off: ask an Owner or Admin to invite you.")
        )
    }
}
