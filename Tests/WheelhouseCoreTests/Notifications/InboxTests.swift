import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

@Suite("Notification inbox") struct InboxTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    /// `count` notifications for `user`, one a minute, oldest first; returns their ids.
    @discardableResult
    func notify(_ user: User, _ count: Int, orgId: Int64? = nil) throws -> [Int64] {
        var ids: [Int64] = []
        for n in 0..<count {
            clock.advance(60)
            try database.seedNotification(
                userId: user.id!, orgId: orgId ?? fixture.org.id, kind: .dataExportReady, title: "Export \(n) is ready",
                link: "/orgs/acme/settings/general", createdAt: clock.now)
            ids.append(try database.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM notification")! })
        }
        return ids
    }

    @Test func theUnreadCountIsOnePersonsAndStopsAtTheCap() throws {
        try notify(fixture.owner, 3)
        try notify(fixture.admin, 2)
        #expect(try database.unreadNotificationCount(userId: fixture.owner.id!) == 3)
        #expect(try database.unreadNotificationCount(userId: fixture.admin.id!) == 2)
        #expect(try database.unreadNotificationCount(userId: fixture.member.id!) == 0)
        try notify(fixture.member, AppDatabase.unreadCountCap + 5)
        #expect(try database.unreadNotificationCount(userId: fixture.member.id!) == AppDatabase.unreadCountCap)
    }

    /// The count runs on every signed-in page (on org pages once per commit, with the org view):
    /// one search of the partial index, never a scan of the table.
    @Test func theUnreadCountReadsOnlyThePartialIndex() throws {
        let plan = try database.read { db in
            try Row.fetchAll(
                db, sql: "EXPLAIN QUERY PLAN SELECT count(*) FROM (SELECT 1 FROM notification WHERE userId = ? AND readAt IS NULL LIMIT ?)",
                arguments: [1, 100]
            ).map { $0["detail"] as String }
        }
        // SQLite still reads `readAt` from each row it counts (it does not drop an IS NULL term a
        // partial index implies): at most `unreadCountCap` rows, found by the index.
        #expect(
            plan.contains { $0.hasPrefix("SEARCH notification USING") && $0.hasSuffix("INDEX notification_unread (userId=?)") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN notification") }, "\(plan)")
    }

    @Test func keysetPagesListEveryNotificationOnceWhileNewOnesArrive() throws {
        let ids = try notify(fixture.owner, 60)
        try notify(fixture.admin, 10)
        var seen: [Int64] = []
        var page = try database.notifications(userId: fixture.owner.id!, limit: 25)
        #expect(!page.hasNewer)
        while true {
            seen += page.entries.map(\.notification.id)
            // Notifications arriving meanwhile go on the newest page, never into older ones.
            try notify(fixture.owner, 1)
            guard page.hasOlder, let last = page.entries.last?.notification.id else { break }
            page = try database.notifications(userId: fixture.owner.id!, before: last, limit: 25)
            #expect(page.hasNewer)
        }
        #expect(seen == ids.reversed())
        // And back: newer pages from the oldest one reach the newest, again each once.
        var back: [Int64] = []
        page = try database.notifications(userId: fixture.owner.id!, before: ids[10], limit: 25)
        back += page.entries.map(\.notification.id)
        while page.hasNewer, let first = page.entries.first?.notification.id {
            page = try database.notifications(userId: fixture.owner.id!, after: first, limit: 25)
            back = page.entries.map(\.notification.id) + back
        }
        #expect(Set(back).count == back.count)
        #expect(back.count == 10 + 3 + 50)  // below ids[10], and everything from it up, with the 3 that arrived
        #expect(try database.notifications(userId: fixture.owner.id!, after: Int64.max - 1).entries.count == 25)
    }

    @Test func markingOneReadIsIdempotentAndOnlyTheOwnersNotification() throws {
        let ids = try notify(fixture.owner, 2)
        #expect(try database.markNotificationRead(id: ids[0], userId: fixture.owner.id!))
        #expect(try !database.markNotificationRead(id: ids[0], userId: fixture.owner.id!))
        #expect(try database.unreadNotificationCount(userId: fixture.owner.id!) == 1)
        // Another person's id and an unknown id get the same answer, and nothing changes.
        #expect(throws: DomainError.notFound) { try database.markNotificationRead(id: ids[1], userId: fixture.admin.id!) }
        #expect(throws: DomainError.notFound) { try database.markNotificationRead(id: 999_999, userId: fixture.admin.id!) }
        #expect(try database.unreadNotificationCount(userId: fixture.owner.id!) == 1)
        let readAt = try database.notifications(userId: fixture.owner.id!).entries.first { $0.notification.id == ids[0] }?.notification
            .readAt
        #expect(readAt == clock.now)
    }

    @Test func markingAllReadTouchesOnlyThatPerson() throws {
        try notify(fixture.owner, 4)
        try notify(fixture.admin, 2)
        #expect(try database.markAllNotificationsRead(userId: fixture.owner.id!) == 4)
        #expect(try database.markAllNotificationsRead(userId: fixture.owner.id!) == 0)
        #expect(try database.unreadNotificationCount(userId: fixture.owner.id!) == 0)
        #expect(try database.unreadNotificationCount(userId: fixture.admin.id!) == 2)
        #expect(try database.notifications(userId: fixture.owner.id!).entries.count == 4)
    }

    /// A person who left an organization keeps its notifications, but without their links or the
    /// organization's name.
    @Test func aNotificationOfAnOrganizationLeftKeepsNoLink() throws {
        try notify(fixture.member, 1)
        let before = try #require(try database.notifications(userId: fixture.member.id!).entries.first)
        #expect(before.notification.link == "/orgs/acme/settings/general" && before.orgName == "Acme" && !before.orgLeft)
        try database.writer.write { db in
            try db.execute(sql: "DELETE FROM membership WHERE userId = ?", arguments: [fixture.member.id!])
        }
        let after = try #require(try database.notifications(userId: fixture.member.id!).entries.first)
        #expect(after.notification.link == nil && after.orgName == nil && after.orgLeft)
        #expect(after.notification.title == "Export 0 is ready")
    }
}
