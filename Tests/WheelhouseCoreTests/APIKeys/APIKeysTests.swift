import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Making, listing, rotating and revoking keys, the lifetime policy, and what
/// `authenticateAPIKey` answers for each.
@Suite("API keys") struct APIKeysTests {
    static let day: TimeInterval = 86_400

    static func world() throws -> (Fixture, TestClock) {
        let clock = TestClock()
        return (try Fixture(now: { clock.now }), clock)
    }

    static func owner(_ f: Fixture) -> Actor { Actor(user: f.owner, address: "test") }

    static func make(
        _ f: Fixture, name: String = "CI", scopes: [String] = ["usage:write"], expiry: String = "30", date: String = ""
    ) throws -> IssuedAPIKey {
        try f.database.createAPIKey(
            orgKey: "acme", NewAPIKey(name: name, scopes: scopes, expiry: expiry, expiryDate: date), by: owner(f))
    }

    static func fieldErrors(_ body: () throws -> Void) -> FieldErrors? {
        do { try body() } catch DomainError.invalid(let errors) { return errors } catch { return nil }
        return nil
    }

    @Test func aNewKeyAuthenticatesWithItsScopesAndIsAudited() throws {
        let (f, clock) = try Self.world()
        let issued = try Self.make(f, scopes: ["org:read", "usage:write"])
        let grant = try f.database.authenticateAPIKey(issued.secret, address: "203.0.113.9")
        #expect(grant == APIKeyGrant(keyId: issued.key.id, orgId: f.org.id!, orgKey: "acme", name: "CI", scopes: [.orgRead, .usageWrite]))
        #expect(grant.allows(.membersRead) && !grant.allows(.membersWrite))
        #expect(issued.key.expiresAt == clock.now.addingTimeInterval(30 * Self.day))
        #expect(issued.key.status == .expiringSoon)
        #expect(issued.key.createdByName == "Olga Owner")
        let entry = try #require(try f.database.auditEvents(orgId: f.org.id!).first { $0.action == .apiKeyCreate })
        #expect(entry.target == "apiKey:\(issued.key.id)")
        #expect(!entry.summary.contains(issued.secret) && !entry.summary.contains(issued.key.displayPrefix))
    }

    @Test func authenticationReadsOneRowThroughTheHashIndexes() throws {
        let (f, _) = try Self.world()
        let plan = try f.database.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + AppDatabase.authenticationSQL, arguments: [Data(count: 32)])
                .map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("apiKey_secret") })
        #expect(plan.contains { $0.contains("apiKey_previous") })
        #expect(!plan.contains { $0.hasPrefix("SCAN") })
    }

    @Test func refusalsBeforeAndAfterTheDatabase() throws {
        let (f, _) = try Self.world()
        #expect(throws: APIKeyRefusal.missing) { try f.database.authenticateAPIKey(nil, address: "x") }
        #expect(throws: APIKeyRefusal.missing) { try f.database.authenticateAPIKey("", address: "x") }
        #expect(throws: APIKeyRefusal.malformed) { try f.database.authenticateAPIKey("sk-live-123", address: "x") }
        let unknown = APIKeyFormat.generate()
        #expect(throws: APIKeyRefusal.unknown) { try f.database.authenticateAPIKey(unknown, address: "x") }
        var typo = Array(unknown.utf8)
        typo[10] = typo[10] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
        #expect(throws: APIKeyRefusal.checksum) { try f.database.authenticateAPIKey(String(decoding: typo, as: UTF8.self), address: "x") }
    }

    @Test func onlyAHashIsStoredNeverThePlaintext() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wh-keys-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("wheelhouse.sqlite").path
        let database = try AppDatabase.open(path: path, hasher: .fastForTests, readers: 2, masterKey: .key(.generate()))
        let f = try Fixture(database: database)
        let (_, signedIn) = try database.signIn(email: "owner@acme.test", password: Fixture.password, address: "t", userAgent: "t")
        let made = try database.createAPIKey(
            orgKey: "acme", NewAPIKey(name: "CI", scopes: ["org:read"], expiry: "30"), by: Self.owner(f), revealTo: signedIn.session)
        let rotated = try database.rotateAPIKey(
            orgKey: "acme", id: made.key.id, grace: "3600", expectedVersion: 1, by: Self.owner(f), revealTo: signedIn.session)
        var bytes = Data()
        for suffix in ["", "-wal"] {
            if let data = FileManager.default.contents(atPath: path + suffix) { bytes.append(data) }
        }
        for secret in [made.secret, rotated.secret] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil)
            #expect(bytes.range(of: Data(secret.dropFirst(4).prefix(20).utf8)) == nil)
            #expect(bytes.range(of: Data(Crypto.sha256(secret))) != nil)
        }
        // The one-time slot opens once, for its session only.
        #expect(try database.takeAPIKeyReveal(keyId: made.key.id, session: signedIn.session) == rotated.secret)
        #expect(try database.takeAPIKeyReveal(keyId: made.key.id, session: signedIn.session) == nil)
    }

    @Test func scopesMustBeKnownNonEmptyAndGrantable() throws {
        let (f, _) = try Self.world()
        #expect(Self.fieldErrors { _ = try Self.make(f, scopes: []) }?.messages(for: "scopes") == ["Choose at least one scope."])
        #expect(Self.fieldErrors { _ = try Self.make(f, scopes: ["org:admin"]) }?.messages(for: "scopes").count == 1)
        // A Member may not manage keys at all; their grantable set also lacks the sensitive scopes.
        #expect(!APIScope.grantable(by: .member).contains(.membersWrite))
        #expect(!APIScope.grantable(by: .member).contains(.auditRead))
        var errors = FieldErrors()
        _ = AppDatabase.checkScopes(["members:write", "org:read"], role: .member, into: &errors)
        #expect(errors.messages(for: "scopes").count == 1)
        #expect(throws: DomainError.forbidden(.manageAPIKeys)) {
            _ = try f.database.createAPIKey(
                orgKey: "acme", NewAPIKey(name: "M", scopes: ["org:read"], expiry: "30"), by: Actor(user: f.member, address: "t"))
        }
        #expect(throws: DomainError.notFound) {
            _ = try f.database.createAPIKey(
                orgKey: "acme", NewAPIKey(name: "O", scopes: ["org:read"], expiry: "30"), by: Actor(user: f.outsider, address: "t"))
        }
    }

    @Test func namesAndExpiriesAreChecked() throws {
        let (f, clock) = try Self.world()
        _ = try Self.make(f)
        #expect(Self.fieldErrors { _ = try Self.make(f, name: "ci") }?.messages(for: "name").count == 1)
        #expect(Self.fieldErrors { _ = try Self.make(f, name: "") }?.messages(for: "name") == ["Name is required."])
        #expect(Self.fieldErrors { _ = try Self.make(f, name: "a\u{7}b") }?.messages(for: "name").count == 1)
        #expect(Self.fieldErrors { _ = try Self.make(f, name: String(repeating: "n", count: 61)) }?.messages(for: "name").count == 1)
        #expect(Self.fieldErrors { _ = try Self.make(f, name: "X", expiry: "45") }?.messages(for: "expiry").count == 1)
        #expect(
            Self.fieldErrors { _ = try Self.make(f, name: "X", expiry: "date", date: "2026-02-30") }?.messages(for: "expiry_date").count
                == 1)
        #expect(
            Self.fieldErrors { _ = try Self.make(f, name: "X", expiry: "date", date: "1999-01-01") }?.messages(for: "expiry_date").count
                == 1)
        let tenDays = clock.now.addingTimeInterval(10 * Self.day)
        let dated = try Self.make(f, name: "Dated", expiry: "date", date: UTCDay.string(tenDays))
        #expect(dated.key.expiresAt == UTCDay.startOfDay(tenDays))
        #expect(try Self.make(f, name: "Forever", expiry: "never").key.expiresAt == nil)
    }

    @Test func thePolicyLimitsNewKeysAndBlocksOldOnesWithoutDeletingThem() throws {
        let (f, clock) = try Self.world()
        let forever = try Self.make(f, name: "Forever", expiry: "never")
        let year = try Self.make(f, name: "Year", expiry: "365")
        let month = try Self.make(f, name: "Month", expiry: "30")
        let (setting, blocked) = try f.database.setAPIKeyPolicy(orgKey: "acme", value: "90", expectedVersion: 0, by: Self.owner(f))
        #expect(setting == APIKeyPolicySetting(policy: .days90, version: 1))
        #expect(blocked == 2)
        #expect(throws: APIKeyRefusal.blockedByPolicy) { try f.database.authenticateAPIKey(forever.secret, address: "x") }
        #expect(throws: APIKeyRefusal.blockedByPolicy) { try f.database.authenticateAPIKey(year.secret, address: "x") }
        _ = try f.database.authenticateAPIKey(month.secret, address: "x")
        let access = try f.database.access(orgKey: "acme", userId: f.owner.id!)
        #expect(try f.database.apiKeys(access).map(\.status) == [.expiringSoon, .blockedByPolicy, .blockedByPolicy])
        // New keys must fit; a stale form changes nothing.
        #expect(Self.fieldErrors { _ = try Self.make(f, name: "N", expiry: "never") }?.messages(for: "expiry").count == 1)
        #expect(Self.fieldErrors { _ = try Self.make(f, name: "N", expiry: "365") }?.messages(for: "expiry").count == 1)
        let tooFar = UTCDay.string(clock.now.addingTimeInterval(120 * Self.day))
        #expect(Self.fieldErrors { _ = try Self.make(f, name: "N", expiry: "date", date: tooFar) }?.messages(for: "expiry_date").count == 1)
        _ = try Self.make(f, name: "N", expiry: "90")
        #expect(throws: DomainError.staleVersion) {
            try f.database.setAPIKeyPolicy(orgKey: "acme", value: "none", expectedVersion: 0, by: Self.owner(f))
        }
        #expect(
            Self.fieldErrors { try f.database.setAPIKeyPolicy(orgKey: "acme", value: "45", expectedVersion: 1, by: Self.owner(f)) } != nil)
        // Relaxing it lets them work again.
        try f.database.setAPIKeyPolicy(orgKey: "acme", value: "none", expectedVersion: 1, by: Self.owner(f))
        _ = try f.database.authenticateAPIKey(forever.secret, address: "x")
        #expect(try f.database.auditEvents(orgId: f.org.id!).filter { $0.action == .apiKeyPolicy }.count == 2)
    }

    @Test func rotationKeepsTheKeyAndHonoursTheGrace() throws {
        let (f, clock) = try Self.world()
        let made = try Self.make(f, scopes: ["org:read"])
        let rotated = try f.database.rotateAPIKey(orgKey: "acme", id: made.key.id, grace: "3600", expectedVersion: 1, by: Self.owner(f))
        #expect(rotated.key.id == made.key.id && rotated.key.name == "CI" && rotated.key.scopes == [.orgRead])
        #expect(rotated.key.expiresAt == made.key.expiresAt)
        #expect(rotated.secret != made.secret)
        #expect(rotated.key.previousUntil == clock.now.addingTimeInterval(3_600))
        #expect(try f.database.authenticateAPIKey(made.secret, address: "x").keyId == made.key.id)
        #expect(try f.database.authenticateAPIKey(rotated.secret, address: "x").keyId == made.key.id)
        clock.advance(3_599)
        _ = try f.database.authenticateAPIKey(made.secret, address: "x")
        clock.advance(1)
        #expect(throws: APIKeyRefusal.revoked) { try f.database.authenticateAPIKey(made.secret, address: "x") }
        _ = try f.database.authenticateAPIKey(rotated.secret, address: "x")
        // The same rotation sent again (same version) makes no second successor.
        #expect(throws: DomainError.staleVersion) {
            _ = try f.database.rotateAPIKey(orgKey: "acme", id: made.key.id, grace: "3600", expectedVersion: 1, by: Self.owner(f))
        }
        _ = try f.database.authenticateAPIKey(rotated.secret, address: "x")
        #expect(try f.database.auditEvents(orgId: f.org.id!).filter { $0.action == .apiKeyRotate }.count == 1)
    }

    @Test func immediateGraceAndRevokingTheOldSecretNow() throws {
        let (f, _) = try Self.world()
        let made = try Self.make(f)
        let now = try f.database.rotateAPIKey(orgKey: "acme", id: made.key.id, grace: "0", expectedVersion: 1, by: Self.owner(f))
        #expect(throws: APIKeyRefusal.revoked) { try f.database.authenticateAPIKey(made.secret, address: "x") }
        #expect(
            Self.fieldErrors {
                try f.database.revokePreviousAPIKeySecret(orgKey: "acme", id: made.key.id, expectedVersion: 2, by: Self.owner(f))
            } != nil)
        let week = try f.database.rotateAPIKey(orgKey: "acme", id: made.key.id, grace: "604800", expectedVersion: 2, by: Self.owner(f))
        _ = try f.database.authenticateAPIKey(now.secret, address: "x")
        #expect(
            Self.fieldErrors {
                _ = try f.database.rotateAPIKey(orgKey: "acme", id: made.key.id, grace: "5", expectedVersion: 3, by: Self.owner(f))
            }?
            .messages(for: "grace").count == 1)
        try f.database.revokePreviousAPIKeySecret(orgKey: "acme", id: made.key.id, expectedVersion: 3, by: Self.owner(f))
        #expect(throws: APIKeyRefusal.revoked) { try f.database.authenticateAPIKey(now.secret, address: "x") }
        _ = try f.database.authenticateAPIKey(week.secret, address: "x")
    }

    @Test func revokeIsImmediateAndTheKeyStaysListed() throws {
        let (f, _) = try Self.world()
        let made = try Self.make(f)
        let rotated = try f.database.rotateAPIKey(orgKey: "acme", id: made.key.id, grace: "86400", expectedVersion: 1, by: Self.owner(f))
        let revoked = try f.database.revokeAPIKey(orgKey: "acme", id: made.key.id, expectedVersion: 2, by: Self.owner(f))
        #expect(revoked.status == .revoked)
        #expect(throws: APIKeyRefusal.revoked) { try f.database.authenticateAPIKey(rotated.secret, address: "x") }
        #expect(throws: APIKeyRefusal.revoked) { try f.database.authenticateAPIKey(made.secret, address: "x") }
        #expect(throws: DomainError.staleVersion) {
            try f.database.revokeAPIKey(orgKey: "acme", id: made.key.id, expectedVersion: 2, by: Self.owner(f))
        }
        let access = try f.database.access(orgKey: "acme", userId: f.owner.id!)
        #expect(try f.database.apiKeys(access).map(\.status) == [.revoked])
        // Its name is free again; another organization cannot see or touch it.
        _ = try Self.make(f)
        let other = try f.database.access(orgKey: "other", userId: f.outsider.id!)
        #expect(throws: DomainError.notFound) { try f.database.apiKey(id: made.key.id, other) }
        #expect(throws: DomainError.notFound) {
            try f.database.revokeAPIKey(orgKey: "other", id: made.key.id, expectedVersion: 3, by: Actor(user: f.outsider, address: "t"))
        }
    }

    @Test func expiredKeysAreRefusedAndStayListed() throws {
        let (f, clock) = try Self.world()
        let made = try Self.make(f, expiry: "7")
        clock.advance(7 * Self.day)
        #expect(throws: APIKeyRefusal.expired) { try f.database.authenticateAPIKey(made.secret, address: "x") }
        let access = try f.database.access(orgKey: "acme", userId: f.owner.id!)
        #expect(try f.database.apiKeys(access).map(\.status) == [.expired])
        #expect(
            Self.fieldErrors {
                _ = try f.database.rotateAPIKey(orgKey: "acme", id: made.key.id, grace: "0", expectedVersion: 1, by: Self.owner(f))
            } != nil)
    }
}
