import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// `notify(…)` writes an inbox row and/or queues an email by the person's preferences, in the
/// caller's transaction; locked kinds reach them whatever is stored.
@Suite("Notification fan-out") struct NotificationFanOutTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    func delivered(_ user: User) throws -> (inbox: Int, mail: Int) {
        try database.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM notification WHERE userId = ?", arguments: [user.id!])!,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE kind = 'notice' AND recipient = ?", arguments: [user.email])!
            )
        }
    }

    func clearDeliveries() throws {
        try database.writer.write { db in
            try db.execute(sql: "DELETE FROM notification")
            try db.execute(sql: "DELETE FROM outbox")
        }
    }

    func raise(_ kind: NotificationKind, to user: User) throws {
        try database.writer.write { db in
            try AppDatabase.notify(
                db, userId: user.id!, orgId: fixture.org.id, kind: kind, title: "Something happened", link: "/orgs/acme/settings/members",
                now: clock.now)
        }
    }

    @Test func eachCombinationOfChannelsDeliversExactlyThose() throws {
        let cases: [(Set<NotificationChannel>, inbox: Int, mail: Int)] = [
            ([.email], 0, 1), ([.inApp], 1, 0), ([.email, .inApp], 1, 1), ([], 0, 0),
        ]
        for (channels, inbox, mail) in cases {
            try clearDeliveries()
            let version = try database.notificationPreferences(userId: fixture.member.id!).version
            try database.saveNotificationPreferences(
                userId: fixture.member.id!, choices: [.memberJoined: channels], expectedVersion: version)
            #expect(try database.notificationPreferences(userId: fixture.member.id!).channels(.memberJoined) == channels)
            try raise(.memberJoined, to: fixture.member)
            let got = try delivered(fixture.member)
            #expect(got.inbox == inbox && got.mail == mail, "channels \(channels)")
        }
        // Another person keeps the defaults: in the app, no email, for a member joining.
        try clearDeliveries()
        try raise(.memberJoined, to: fixture.admin)
        #expect(try delivered(fixture.admin) == (1, 0))
    }

    @Test func aLockedKindIgnoresAStoredOffAndCannotBeSavedOff() throws {
        try database.writer.write { db in
            for channel in ["email", "in-app"] {
                try db.execute(
                    sql: "INSERT INTO notificationPreference (userId, kind, channel, enabled) VALUES (?, ?, ?, 0)",
                    arguments: [fixture.owner.id!, NotificationKind.passwordChanged.rawValue, channel])
            }
        }
        // Security events are emailed only, and the stored "off" is ignored.
        #expect(try database.notificationPreferences(userId: fixture.owner.id!).channels(.passwordChanged) == [.email])
        try raise(.passwordChanged, to: fixture.owner)
        #expect(try delivered(fixture.owner) == (0, 1))
        #expect {
            try database.saveNotificationPreferences(userId: fixture.owner.id!, choices: [.newBrowserSignIn: []], expectedVersion: 0)
        } throws: { error in
            guard case DomainError.invalid(let errors) = error else { return false }
            return errors.form.first?.contains("cannot be switched off") == true
        }
        #expect(try database.notificationPreferences(userId: fixture.owner.id!).version == 0)
    }

    @Test func aStaleVersionIsRefusedAndChangesNothing() throws {
        let userId = fixture.member.id!
        #expect(try database.saveNotificationPreferences(userId: userId, choices: [.roleChanged: [.inApp]], expectedVersion: 0))
        #expect(throws: DomainError.staleVersion) {
            try database.saveNotificationPreferences(userId: userId, choices: [.roleChanged: []], expectedVersion: 0)
        }
        let stored = try database.notificationPreferences(userId: userId)
        #expect(stored.version == 1 && stored.channels(.roleChanged) == [.inApp])
        // Saving the same choices again is not a change: the version stays.
        #expect(try !database.saveNotificationPreferences(userId: userId, choices: [.roleChanged: [.inApp]], expectedVersion: 1))
        #expect(try database.notificationPreferences(userId: userId).version == 1)
        // Back to the default: no override row is kept, so a later change of defaults reaches it.
        try database.saveNotificationPreferences(userId: userId, choices: [.roleChanged: [.inApp, .email]], expectedVersion: 1)
        #expect(try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM notificationPreference") } == 0)
    }

    @Test func theEmailCarriesTheConsoleLinkOnTheConfiguredBaseURLBeforeItsFooter() throws {
        try raise(.roleChanged, to: fixture.member)
        let mail = try #require(try database.claimDueMail(baseURL: "https://console.example.test", limit: 5).first)
        #expect(mail.recipient == "member@acme.test" && mail.subject == "Something happened")
        #expect(mail.body.hasPrefix("Hello Max Member,\n\nSomething happened."))
        let link = try #require(mail.body.range(of: "Open it in Wheelhouse: https://console.example.test/orgs/acme/settings/members"))
        let footer = try #require(mail.body.range(of: "You can choose which emails Wheelhouse sends you"))
        #expect(link.upperBound < footer.lowerBound)
    }

    @Test func nothingIsDeliveredWhenTheChangeRollsBack() throws {
        struct Rollback: Error {}
        #expect(throws: Rollback.self) {
            try database.writer.write { db in
                try AppDatabase.notify(
                    db, userId: fixture.member.id!, orgId: fixture.org.id, kind: .roleChanged, title: "x", link: nil, now: clock.now)
                throw Rollback()
            }
        }
        #expect(try delivered(fixture.member) == (0, 0))
    }
}
