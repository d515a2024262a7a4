import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// "Last used" without a write per request, and the expiry notices.
@Suite("API key usage and notices") struct APIKeyUsageTests {
    static let day: TimeInterval = 86_400

    @Test func authenticationsWriteNothingUntilTheFlushWritesOneRow() throws {
        let clock = TestClock()
        let f = try Fixture(now: { clock.now })
        let owner = Actor(user: f.owner, address: "t")
        let used = try f.database.createAPIKey(orgKey: "acme", NewAPIKey(name: "CI", scopes: ["usage:write"], expiry: "30"), by: owner)
        _ = try f.database.createAPIKey(orgKey: "acme", NewAPIKey(name: "Idle", scopes: ["org:read"], expiry: "30"), by: owner)
        let changesBefore = try f.database.read { db in db.totalChangesCount }
        for i in 0..<100 {
            clock.advance(1)
            _ = try f.database.authenticateAPIKey(used.secret, address: "198.51.100.\(i % 3)")
        }
        #expect(try f.database.read { db in db.totalChangesCount } == changesBefore)
        let access = try f.database.access(orgKey: "acme", userId: f.owner.id!)
        #expect(try f.database.apiKeys(access).allSatisfy { $0.lastUsedAt == nil })
        #expect(try f.database.flushAPIKeyUsage() == 1)
        let keys = try f.database.apiKeys(access)
        let row = try #require(keys.first { $0.name == "CI" })
        #expect(row.lastUsedAt == clock.now)
        #expect(row.lastUsedAddress == "198.51.100.0")
        #expect(keys.first { $0.name == "Idle" }?.lastUsedAt == nil)
        // Nothing new: no transaction at all.
        let afterFlush = try f.database.read { db in db.totalChangesCount }
        #expect(try f.database.flushAPIKeyUsage() == 0)
        #expect(try f.database.read { db in db.totalChangesCount } == afterFlush)
    }

    @Test func eachExpiryNoticeGoesOnceByMailAndInTheApp() throws {
        let clock = TestClock()
        let f = try Fixture(now: { clock.now })
        let admin = Actor(user: f.admin, address: "t")
        _ = try f.database.createAPIKey(orgKey: "acme", NewAPIKey(name: "CI", scopes: ["usage:write"], expiry: "60"), by: admin)
        // A 7-day key never gets the 30- or 7-day notices: both were past when it was made.
        _ = try f.database.createAPIKey(orgKey: "acme", NewAPIKey(name: "Short", scopes: ["org:read"], expiry: "7"), by: admin)
        let revoked = try f.database.createAPIKey(orgKey: "acme", NewAPIKey(name: "Gone", scopes: ["org:read"], expiry: "30"), by: admin)
        try f.database.revokeAPIKey(orgKey: "acme", id: revoked.key.id, expectedVersion: 1, by: admin)

        func notices() throws -> [String] {
            try f.database.read { db in
                try String.fetchAll(
                    db, sql: "SELECT subject FROM outbox WHERE kind = 'notice' AND recipient = 'admin@acme.test' ORDER BY id")
            }
        }
        #expect(try f.database.sendAPIKeyExpiryNotices() == 0)
        clock.advance(30 * Self.day)  // CI: 30 days left; Short: expired
        #expect(try f.database.sendAPIKeyExpiryNotices() == 1)
        #expect(try f.database.sendAPIKeyExpiryNotices() == 0)
        clock.advance(23 * Self.day)  // 7 days left
        #expect(try f.database.sendAPIKeyExpiryNotices() == 1)
        clock.advance(6 * Self.day + 3_600)  // under a day left
        #expect(try f.database.sendAPIKeyExpiryNotices() == 1)
        #expect(try f.database.sendAPIKeyExpiryNotices() == 0)
        #expect(
            try notices() == [
                "API key “CI” of Acme expires in 30 days", "API key “CI” of Acme expires in 7 days",
                "API key “CI” of Acme expires in 1 day",
            ])
        let inbox = try f.database.notifications(userId: f.admin.id!).entries.map(\.notification)
        #expect(inbox.count == 3)
        #expect(inbox.allSatisfy { $0.kind == NotificationKind.apiKeyExpiring && $0.link == "/orgs/acme/settings/api-keys" })
    }

    @Test func aLateJobSendsOnlyTheMostUrgentNotice() throws {
        let clock = TestClock()
        let f = try Fixture(now: { clock.now })
        let owner = Actor(user: f.owner, address: "t")
        _ = try f.database.createAPIKey(orgKey: "acme", NewAPIKey(name: "CI", scopes: ["org:read"], expiry: "90"), by: owner)
        clock.advance(89 * Self.day + 3_600)
        #expect(try f.database.sendAPIKeyExpiryNotices() == 1)
        #expect(try f.database.sendAPIKeyExpiryNotices() == 0)
        let subjects = try f.database.read { db in try String.fetchAll(db, sql: "SELECT subject FROM outbox WHERE kind = 'notice'") }
        #expect(subjects == ["API key “CI” of Acme expires in 1 day"])
    }
}
