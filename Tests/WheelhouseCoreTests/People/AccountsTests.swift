import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

@Suite("Migrations and owners") struct MigrationTests {
    @Test func migratingCreatesTheSchemaAndIsIdempotent() throws {
        let database = try AppDatabase.inMemory()
        try Migrations.migrator.migrate(database.writer)
        let tables = try database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb%' ORDER BY name")
        }
        let expected: Set = [
            "auditEvent", "loginFailure", "membership", "organization", "session", "user", "workspace",
            "invitation", "outbox", "team", "teamMember", "workspaceAccess", "workflow", "agent",
        ]
        #expect(expected.isSubset(of: Set(tables)), "\(tables)")
        #expect(try database.isEmpty())
        #expect(try database.read { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") } == true)
    }

    @Test func createOwnerMakesTheOrgItsOwnerAPersonalWorkspaceAndAnAuditEntry() throws {
        let database = try AppDatabase.inMemory()
        let (user, org) = try database.createOwner(
            NewOwner(
                email: "a@b.test", name: "A", password: "long enough pw",
                orgKey: "acme-2", orgName: "Acme Two"))
        #expect(try database.access(orgKey: "acme-2", userId: user.id!).role == .owner)
        #expect(try database.stats(orgId: org.id!) == OrgStats(members: 1, workspaces: 1))
        #expect(try database.auditEvents(orgId: org.id!).map(\.action) == [.organizationCreate])
        #expect(try !database.isEmpty())
    }

    @Test func createOwnerReportsEveryBadFieldAndATakenKey() throws {
        let database = try AppDatabase.inMemory()
        do {
            try database.createOwner(NewOwner(email: "nope", name: "", password: "short", orgKey: "Bad Key", orgName: ""))
            Issue.record("expected errors")
        } catch DomainError.invalid(let errors) {
            #expect(Set(errors.byField.keys) == ["email", "name", "password", "org_key", "org_name"])
        }
        try database.createOwner(NewOwner(email: "a@b.test", name: "A", password: "long enough pw", orgKey: "acme", orgName: "Acme"))
        #expect(throws: DomainError.self) {
            try database.createOwner(NewOwner(email: "c@d.test", name: "C", password: "long enough pw", orgKey: "acme", orgName: "Again"))
        }
        #expect(try database.read { db in try Organization.fetchCount(db) } == 1)
    }
}

@Suite("Sessions and sign-in") struct SessionTests {
    @Test func signInOpensASessionStoredOnlyAsAHash() throws {
        let f = try Fixture()
        let (token, signedIn) = try f.database.signIn(
            email: "OWNER@acme.test", password: Fixture.password,
            address: "1.2.3.4", userAgent: "test")
        #expect(signedIn.user.id == f.owner.id)
        #expect(try f.database.session(token: token)?.user.email == "owner@acme.test")
        let stored = try f.database.read { db in try SessionRecord.fetchAll(db) }
        #expect(stored.count == 1)
        #expect(stored[0].tokenHash == Data(Crypto.sha256(token)))
        #expect(!stored[0].tokenHash.elementsEqual(token.utf8))
        try f.database.signOut(token: token)
        #expect(try f.database.session(token: token) == nil)
    }

    @Test func wrongPasswordAndUnknownEmailAreTheSameError() throws {
        let f = try Fixture()
        #expect(throws: DomainError.invalidCredentials) {
            try f.database.signIn(email: "owner@acme.test", password: "wrong", address: "a", userAgent: "")
        }
        #expect(throws: DomainError.invalidCredentials) {
            try f.database.signIn(email: "nobody@acme.test", password: "wrong", address: "a", userAgent: "")
        }
    }

    @Test func anAttackerAtOneAddressLocksOnlyThatPairNeverTheOwnerElsewhere() throws {
        let clock = TestClock()
        let f = try Fixture(now: { clock.now })
        // Given an attacker who keeps guessing the Owner's password from one address
        for _ in 0..<8 {
            _ = try? f.database.signIn(email: "owner@acme.test", password: "guess", address: "9.9.9.9", userAgent: "")
        }
        // Then that address is refused even the right password for the window
        #expect(throws: DomainError.throttled(retryAfterSeconds: 900)) {
            try f.database.signIn(email: "owner@acme.test", password: Fixture.password, address: "9.9.9.9", userAgent: "")
        }
        // And the Owner signs in at once from another address, never used before
        #expect(throws: Never.self) {
            try f.database.signIn(email: "owner@acme.test", password: Fixture.password, address: "1.1.1.1", userAgent: "")
        }
        // And the owner's success does not forgive the attacker's pair
        #expect(throws: DomainError.self) {
            try f.database.signIn(email: "owner@acme.test", password: "guess", address: "9.9.9.9", userAgent: "")
        }
        clock.advance(15 * 60 + 1)
        #expect(throws: Never.self) {
            try f.database.signIn(email: "owner@acme.test", password: Fixture.password, address: "9.9.9.9", userAgent: "")
        }
    }

    @Test func manyFailuresOfOneAccountFromManyAddressesSlowButNeverLockIt() throws {
        let clock = TestClock()
        let f = try Fixture(now: { clock.now })
        _ = try f.database.signIn(email: "owner@acme.test", password: Fixture.password, address: "10.0.0.1", userAgent: "")
        // Given 16 failures from 8 addresses
        for i in 0..<16 {
            _ = try? f.database.signIn(email: "owner@acme.test", password: "guess", address: "5.5.5.\(i / 2)", userAgent: "")
        }
        // Then a new address waits seconds, not minutes, and then gets in
        do {
            _ = try f.database.signIn(email: "owner@acme.test", password: Fixture.password, address: "8.8.8.8", userAgent: "")
            Issue.record("expected a short wait")
        } catch DomainError.throttled(let seconds) {
            #expect(seconds >= 1 && seconds <= SessionRules.maxSlowdown)
            clock.advance(TimeInterval(seconds))
        }
        #expect(throws: Never.self) {
            try f.database.signIn(email: "owner@acme.test", password: Fixture.password, address: "8.8.8.8", userAgent: "")
        }
        // And the address the Owner signed in from before is not slowed at all
        #expect(throws: Never.self) {
            try f.database.signIn(email: "owner@acme.test", password: Fixture.password, address: "10.0.0.1", userAgent: "")
        }
    }

    @Test func twentyFailuresFromOneAddressSlowStrangersThereButNotKnownPeople() throws {
        let clock = TestClock()
        let f = try Fixture(now: { clock.now })
        _ = try f.database.signIn(email: "member@acme.test", password: Fixture.password, address: "6.6.6.6", userAgent: "")
        // Given someone behind the same NAT guessing many accounts
        for i in 0..<25 {
            _ = try? f.database.signIn(email: "guess\(i)@acme.test", password: "guess", address: "6.6.6.6", userAgent: "")
        }
        // Then a person who signed in there before is not held up
        #expect(throws: Never.self) {
            try f.database.signIn(email: "member@acme.test", password: Fixture.password, address: "6.6.6.6", userAgent: "")
        }
        // And a newcomer there waits at most a minute, then gets in
        do {
            _ = try f.database.signIn(email: "admin@acme.test", password: Fixture.password, address: "6.6.6.6", userAgent: "")
            Issue.record("expected a short wait")
        } catch DomainError.throttled(let seconds) {
            #expect(seconds <= SessionRules.maxSlowdown)
            clock.advance(TimeInterval(seconds))
        }
        #expect(throws: Never.self) {
            try f.database.signIn(email: "admin@acme.test", password: Fixture.password, address: "6.6.6.6", userAgent: "")
        }
    }

    @Test func sessionsEndWhenIdleOrTooOld() throws {
        let clock = TestClock()
        let f = try Fixture(now: { clock.now })
        let (idle, _) = try f.database.signIn(email: "owner@acme.test", password: Fixture.password, address: "a", userAgent: "")
        clock.advance(SessionRules.idleTimeout + 1)
        #expect(try f.database.session(token: idle) == nil)

        let (busy, _) = try f.database.signIn(email: "owner@acme.test", password: Fixture.password, address: "a", userAgent: "")
        for _ in 0..<15 {
            clock.advance(SessionRules.idleTimeout - 60)
            _ = try f.database.session(token: busy)
        }
        #expect(try f.database.session(token: busy) == nil, "absolute expiry applies however busy the session is")
    }

    @Test func flashShowsOnce() throws {
        let f = try Fixture()
        let (token, signedIn) = try f.database.signIn(email: "owner@acme.test", password: Fixture.password, address: "a", userAgent: "")
        try f.database.setFlash(Flash(kind: "success", message: "Saved."), for: signedIn.session)
        let session = try #require(try f.database.session(token: token)).session
        #expect(try f.database.takeFlash(for: session) == Flash(kind: "success", message: "Saved."))
        let again = try #require(try f.database.session(token: token)).session
        #expect(try f.database.takeFlash(for: again) == nil)
    }
}

@Suite("Policy") struct PolicyTests {
    /// PRODUCT.md §3, written out: the table the product promises.
    @Test func theTableMatchesTheSpecification() {
        let expected: [Action: Set<Role>] = [
            .viewOrganization: [.owner, .admin, .member],
            .editGeneral: [.owner, .admin],
            .manageMembers: [.owner, .admin],
            .manageTeams: [.owner, .admin],
            .manageWorkspaceAccess: [.owner, .admin],
            .transferOwnership: [.owner],
            .deleteOrganization: [.owner],
            .createWorkspace: [.owner, .admin],
            .manageOrgCredentials: [.owner, .admin],
            .useOwnCredentials: [.owner, .admin, .member],
            .viewMemberSecretCounts: [.owner],
            .viewUsage: [.owner, .admin],
            .viewBilling: [.owner, .admin],
            .viewAuditLog: [.owner, .admin],
            .manageAuditRetention: [.owner],
            .viewPrivacy: [.owner, .admin],
            .managePrivacy: [.owner],
            .manageBilling: [.owner],
            .exportOrganizationData: [.owner],
            .manageAPIKeys: [.owner, .admin],
            .manageIntegrations: [.owner, .admin],
            .manageSSO: [.owner, .admin],
        ]
        for action in Action.allCases {
            #expect(Policy.roles(for: action) == expected[action], "\(action)")
            for role in Role.allCases {
                #expect(Policy.allows(role, action) == expected[action]!.contains(role))
            }
        }
        #expect(Policy.requiredRole(for: .editGeneral) == .admin)
        #expect(Policy.requiredRole(for: .manageBilling) == .owner)
    }
}

@Suite("Crypto") struct CryptoTests {
    @Test func passwordsVerifyAndSaltsDiffer() {
        let hasher = PasswordHasher.fastForTests
        let a = hasher.hash("secret password")
        let b = hasher.hash("secret password")
        #expect(a != b)
        #expect(a.hasPrefix("scrypt$10$8$1$"))
        #expect(hasher.verify("secret password", against: a))
        #expect(!hasher.verify("secret passworD", against: a))
        #expect(!hasher.verify("secret password", against: "scrypt$99$8$1$AA$AA"))
        #expect(!hasher.verify("x", against: "garbage"))
    }

    @Test func aesGCMRoundTripsAndRefusesTamperingOrMovedCiphertext() throws {
        let key = try AESGCM(key: Crypto.randomBytes(32))
        let sealed = key.seal(Array("sk-live-123".utf8), associatedData: Array("org:1/secret:7".utf8))
        #expect(try key.open(sealed, associatedData: Array("org:1/secret:7".utf8)) == Array("sk-live-123".utf8))
        var tampered = sealed
        tampered[14] ^= 1
        #expect(throws: AESGCM.Failure.self) { try key.open(tampered, associatedData: Array("org:1/secret:7".utf8)) }
        #expect(throws: AESGCM.Failure.self) { try key.open(sealed, associatedData: Array("org:2/secret:7".utf8)) }
        let other = try AESGCM(key: Crypto.randomBytes(32))
        #expect(throws: AESGCM.Failure.self) { try other.open(sealed, associatedData: Array("org:1/secret:7".utf8)) }
        #expect(key.seal([], associatedData: []).count == 28)
    }

    @Test func hashesAndEncodingsMatchKnownValues() {
        #expect(Crypto.sha256("abc").hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            Crypto.hmacSHA256(key: Array("key".utf8), data: Array("The quick brown fox jumps over the lazy dog".utf8)).hexString
                == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        let bytes = Crypto.randomBytes(32)
        #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        #expect(!Base64URL.encode(bytes).contains(where: { "+/=".contains($0) }))
        #expect(Crypto.randomToken() != Crypto.randomToken())
    }
}
