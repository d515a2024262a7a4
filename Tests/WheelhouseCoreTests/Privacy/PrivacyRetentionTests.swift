import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// The Privacy tab's retention windows: the Owner's form, and the job that applies them to ended
/// sessions, read notifications and delivered mail (usage events: `UsageEventPruneTests`).
@Suite("Privacy retention") struct PrivacyRetentionTests {
    static let day: TimeInterval = 86_400

    static func world() throws -> (Fixture, TestClock) {
        let clock = TestClock()
        return (try Fixture(now: { clock.now }), clock)
    }

    static func owner(_ f: Fixture) -> Actor { Actor(user: f.owner, address: "test") }

    static func windows(
        _ usage: String = "forever", _ sessions: String = "forever", _ notes: String = "forever", _ mail: String = "forever"
    )
        -> [PrivacyDataClass: String]
    {
        [.usageEvents: usage, .endedSessions: sessions, .readNotifications: notes, .mailBodies: mail]
    }

    static func count(_ f: Fixture, _ sql: String) throws -> Int { try f.database.read { db in try Int.fetchOne(db, sql: sql)! } }

    @Test func foreverIsTheDefaultAndTheJobRemovesNothing() throws {
        let (f, clock) = try Self.world()
        #expect(try f.database.privacySetting(orgId: f.org.id!) == .defaults)
        _ = try f.database.signIn(email: "member@acme.test", password: Fixture.password, address: "a", userAgent: "t")
        clock.advance(3_000 * Self.day)
        #expect(try f.database.prunePrivacyData().isEmpty)
        #expect(try Self.count(f, "SELECT count(*) FROM session") == 1)
        #expect(try f.database.lastPrivacyPrune(orgId: f.org.id!) == nil)
    }

    @Test func theOwnerSavesTheWindowsWithOneEntryAndAVersion() throws {
        let (f, _) = try Self.world()
        let saved = try f.database.setPrivacyRetention(
            orgKey: "acme", values: Self.windows("365", "forever", "forever", "90"), expectedVersion: 0, by: Self.owner(f))
        #expect(saved.version == 1 && saved.window(.usageEvents) == .days365 && saved.window(.mailBodies) == .days90)
        let entry = try #require(try f.database.auditEvents(orgId: f.org.id!).last)
        #expect(entry.action == .privacyRetention && entry.actorUserId == f.owner.id)
        #expect(entry.summary == "raw usage events forever → 365 days; delivered mail bodies forever → 90 days")
        // The same values again write nothing; another change moves the one version on.
        #expect(
            try f.database.setPrivacyRetention(
                orgKey: "acme", values: Self.windows("365", "forever", "forever", "90"), expectedVersion: 1, by: Self.owner(f)
            ).version == 1)
        #expect(try f.database.auditEvents(orgId: f.org.id!).last == entry)
        #expect(try f.database.setPIIMasking(orgKey: "acme", value: "on", expectedVersion: 1, by: Self.owner(f)).version == 2)
        #expect(try f.database.auditEvents(orgId: f.org.id!).last?.summary == "PII masking for Admins off → on")
    }

    @Test func refusedValuesStaleVersionsAndAdminsChangeNothing() throws {
        let (f, _) = try Self.world()
        for bad in [Self.windows("60"), Self.windows("", "30"), [.usageEvents: "30"], Self.windows("30\u{0}"), Self.windows("Forever")] {
            #expect(throws: DomainError.self) {
                try f.database.setPrivacyRetention(orgKey: "acme", values: bad, expectedVersion: 0, by: Self.owner(f))
            }
        }
        for value in ["", "yes", "ON", "on\n"] {
            #expect(throws: DomainError.self) {
                try f.database.setPIIMasking(orgKey: "acme", value: value, expectedVersion: 0, by: Self.owner(f))
            }
            #expect(throws: DomainError.self) {
                try f.database.setTrainingOptOut(orgKey: "acme", value: value, expectedVersion: 0, by: Self.owner(f))
            }
        }
        try f.database.setTrainingOptOut(orgKey: "acme", value: "on", expectedVersion: 0, by: Self.owner(f))
        #expect {
            try f.database.setPrivacyRetention(orgKey: "acme", values: Self.windows("30"), expectedVersion: 0, by: Self.owner(f))
        } throws: { ($0 as? DomainError).map { if case .staleVersion = $0 { true } else { false } } ?? false }
        #expect {
            try f.database.setPIIMasking(orgKey: "acme", value: "on", expectedVersion: 1, by: Actor(user: f.admin, address: "test"))
        } throws: { ($0 as? DomainError).map { if case .forbidden = $0 { true } else { false } } ?? false }
        let setting = try f.database.privacySetting(orgId: f.org.id!)
        #expect(setting.version == 1 && !setting.masking && setting.window(.usageEvents) == .forever)
        #expect(try f.database.auditEvents(orgId: f.org.id!).filter { $0.action.area == .privacy }.count == 1)
    }

    @Test func theTrainingOptOutKeepsWhoAndWhen() throws {
        let (f, clock) = try Self.world()
        try f.database.setTrainingOptOut(orgKey: "acme", value: "on", expectedVersion: 0, by: Self.owner(f))
        let training = try f.database.trainingOptOut(orgId: f.org.id!)
        #expect(training == TrainingOptOut(optedOut: true, by: f.owner.id, byName: "Olga Owner", at: clock.now))
        #expect(try f.database.auditEvents(orgId: f.org.id!).last?.summary == "model training allowed → opted out")
        #expect(
            try f.database.trainingOptOut(orgId: try f.database.access(orgKey: "other", userId: f.outsider.id!).org.id!).optedOut == false)
    }

    @Test func endedSessionsGoAfterTheStrictestWindowOfTheirPerson() throws {
        let (f, clock) = try Self.world()
        let other = try f.database.access(orgKey: "other", userId: f.outsider.id!).org
        try f.database.addMember(userId: f.member.id!, orgId: other.id!, role: .member)
        try f.database.setPrivacyRetention(orgKey: "acme", values: Self.windows("forever", "90"), expectedVersion: 0, by: Self.owner(f))
        try f.database.setPrivacyRetention(
            orgKey: "other", values: Self.windows("forever", "30"), expectedVersion: 0, by: Actor(user: f.outsider, address: "t"))
        // Max is in both (30 is the strictest), Ada only in acme (90); both sessions end 12 h later, idle.
        for email in ["member@acme.test", "admin@acme.test"] {
            _ = try f.database.signIn(email: email, password: Fixture.password, address: "a", userAgent: "t")
        }
        clock.advance(SessionRules.idleTimeout + 30 * Self.day - 1)
        #expect(try f.database.prunePrivacyData().allSatisfy { $0.total == 0 })
        #expect(try Self.count(f, "SELECT count(*) FROM session") == 2)
        clock.advance(2)
        let results = try f.database.prunePrivacyData()
        #expect(results.first { $0.orgId == other.id }?.removed[.endedSessions] == 1)
        #expect(results.first { $0.orgId == f.org.id }?.removed[.endedSessions] == 0)
        #expect(try Self.count(f, "SELECT count(*) FROM session WHERE userId = \(f.admin.id!)") == 1)
        #expect(try Self.count(f, "SELECT count(*) FROM session WHERE userId = \(f.member.id!)") == 0)
        clock.advance(60 * Self.day)
        #expect(try f.database.prunePrivacyData().first { $0.orgId == f.org.id }?.removed[.endedSessions] == 1)
        #expect(try Self.count(f, "SELECT count(*) FROM session") == 0)
    }

    @Test func readNotificationsAndDeliveredMailGoInBatchesWithOneEntryAndARunRecord() throws {
        let (f, clock) = try Self.world()
        let start = clock.now
        try f.database.writer.write { db in
            for i in 0..<1_203 {
                // A kind that is in the inbox only by default: the outbox rows are the test's own.
                try AppDatabase.notify(
                    db, userId: f.member.id!, orgId: f.org.id!, kind: .memberJoined, title: "n\(i)", link: nil, now: start)
                try AppDatabase.queueNotice(db, orgId: f.org.id!, recipient: "m\(i)@acme.test", subject: "s", body: "b", now: start)
            }
            try AppDatabase.notify(
                db, userId: f.member.id!, orgId: f.org.id!, kind: .memberJoined, title: "unread", link: nil, now: start)
            try db.execute(sql: "UPDATE notification SET readAt = ? WHERE title <> 'unread'", arguments: [start])
            try db.execute(sql: "UPDATE outbox SET status = 'sent', sentAt = ? WHERE id % 2 = 0", arguments: [start])
        }
        try f.database.setPrivacyRetention(
            orgKey: "acme", values: Self.windows("forever", "forever", "30", "30"), expectedVersion: 0, by: Self.owner(f))
        clock.advance(30 * Self.day)
        #expect(try f.database.prunePrivacyData(batchSize: 500).first?.total == 0, "exactly at the edge nothing goes")
        clock.advance(1)
        let result = try #require(try f.database.prunePrivacyData(batchSize: 500).first)
        #expect(result.removed == [.readNotifications: 1_203, .mailBodies: 601])
        #expect(try Self.count(f, "SELECT count(*) FROM notification") == 1)
        #expect(try Self.count(f, "SELECT count(*) FROM outbox") == 1_203, "delivery history stays")
        #expect(
            try Self.count(f, "SELECT count(*) FROM outbox WHERE recipient = '' AND subject IS NULL AND body IS NULL AND status = 'sent'")
                == 601)
        #expect(try Self.count(f, "SELECT count(*) FROM outbox WHERE status = 'queued' AND body = 'b' AND recipient <> ''") == 602)
        let run = try #require(try f.database.lastPrivacyPrune(orgId: f.org.id!))
        #expect(run.ranAt == clock.now && run.summary == "1203 read notifications, 601 mail bodies")
        let prunes = try f.database.auditEvents(orgId: f.org.id!).filter { $0.action == .privacyPrune }
        #expect(prunes.count == 1 && prunes.first?.actorUserId == nil)
        #expect(
            prunes.first?.summary
                == "removed 1203 read notifications, 601 mail bodies (retention: read notifications 30 days, delivered mail bodies 30 days)"
        )
        // The next hour finds nothing: the run is recorded, no second entry.
        clock.advance(3_600)
        #expect(try f.database.prunePrivacyData().first?.total == 0)
        #expect(try f.database.lastPrivacyPrune(orgId: f.org.id!)?.summary == "nothing")
        #expect(try f.database.auditEvents(orgId: f.org.id!).filter { $0.action == .privacyPrune }.count == 1)
    }
}
