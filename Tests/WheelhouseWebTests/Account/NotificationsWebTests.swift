import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("Notification inbox, in process") struct NotificationsWebTests {
    static let inbox = "/account/notifications"

    /// Notifications for `user`, a minute apart, oldest first; `read` of them (the oldest) read.
    @discardableResult
    static func seed(_ t: TestApp, _ user: User, _ count: Int, read: Int = 0, title: String = "Export") throws -> [Int64] {
        let start = Date().addingTimeInterval(-Double(count) * 60)
        var ids: [Int64] = []
        for n in 0..<count {
            let at = start.addingTimeInterval(Double(n) * 60)
            try t.database.seedNotification(
                userId: user.id!, orgId: t.org.id, kind: .dataExportReady, title: "\(title) \(n) is ready",
                link: "/orgs/acme/settings/general", createdAt: at, readAt: n < read ? at : nil)
            ids.append(try t.database.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM notification")! })
        }
        return ids
    }

    static func unread(_ t: TestApp, _ user: User) throws -> Int { try t.database.unreadNotificationCount(userId: user.id!) }

    @Test func theInboxListsOnlyOnesOwnNotificationsWithTheUnreadMarked() throws {
        let t = try TestApp()
        try Self.seed(t, t.owner, 3, read: 1)
        try Self.seed(t, t.admin, 1, title: "Admin’s export")
        let page = try t.client(signedInAs: "owner@acme.test").get(Self.inbox)
        #expect(page.status == 200)
        for n in 0..<3 { #expect(page.contains(">Export \(n) is ready</a>")) }
        #expect(!page.contains("Admin’s export"))
        #expect(page.html.components(separatedBy: "<span class=\"status status-unread\">Unread</span>").count == 3)
        #expect(page.html.components(separatedBy: ">Mark read</button>").count == 3)
        #expect(page.contains(">Mark all read</button>") && page.contains("2 unread notifications."))
        #expect(page.contains("<a class=\"inbox-link\" href=\"/account/notifications\" aria-current=\"page\">Notifications"))
        // When: relative, with the exact time in the title.
        #expect(page.contains("minutes ago</time>") && page.contains(" UTC\">"))
        #expect(page.contains("<h1>Notifications</h1>"))
    }

    @Test func theHeaderOfASettingsPageCountsTheUnreadAndShowsNoBadgeAtZero() throws {
        let t = try TestApp()
        try Self.seed(t, t.owner, 4, read: 1)
        let owner = try t.client(signedInAs: "owner@acme.test").get("/orgs/acme/settings/general")
        #expect(owner.contains("Notifications<span class=\"count-badge\" aria-hidden=\"true\">3</span>"))
        #expect(owner.contains("<span class=\"visually-hidden\"> (3 unread notifications)</span>"))
        let member = try t.client(signedInAs: "member@acme.test").get("/orgs/acme/settings/members")
        #expect(member.contains("<a class=\"inbox-link\" href=\"/account/notifications\">Notifications</a>"))
        #expect(!member.contains("count-badge"))
        try Self.seed(t, t.member, AppDatabase.unreadCountCap + 1)
        let many = try t.client(signedInAs: "member@acme.test").get("/orgs/acme/settings/members")
        #expect(many.contains(">99+</span>") && many.contains("(more than 99 unread notifications)"))
    }

    @Test func markReadNeedsTheCSRFTokenAndRedirectsWithAFlash() throws {
        let t = try TestApp()
        let ids = try Self.seed(t, t.owner, 2)
        let client = try t.client(signedInAs: "owner@acme.test")
        let csrf = client.get(Self.inbox).csrf
        let path = Self.inbox + "/\(ids[1])/read"
        #expect(client.post(path, []).status == 403)
        #expect(client.post(path, [("_csrf", "forged")]).status == 403)
        #expect(try Self.unread(t, t.owner) == 2)
        let done = client.post(path, [("_csrf", csrf)])
        #expect(done.status == 303 && done.location == Self.inbox)
        #expect(try Self.unread(t, t.owner) == 1)
        let after = client.get(Self.inbox)
        #expect(after.contains("Marked as read.") && after.contains("(1 unread notification)"))
        #expect(client.post(path, [("_csrf", csrf)]).status == 303)
        #expect(client.get(Self.inbox).contains("That notification was already read."))
    }

    @Test func anotherPersonsNotificationIsA404AndStaysUnread() throws {
        let t = try TestApp()
        let theirs = try Self.seed(t, t.admin, 1)[0]
        let client = try t.client(signedInAs: "owner@acme.test")
        let csrf = client.get(Self.inbox).csrf
        let refused = client.post(Self.inbox + "/\(theirs)/read", [("_csrf", csrf)])
        #expect(refused.status == 404)
        #expect(client.post(Self.inbox + "/\(theirs + 1000)/read", [("_csrf", csrf)]).status == 404)
        #expect(try Self.unread(t, t.admin) == 1)
    }

    @Test(arguments: ["abc", "-1", "0", "007", "99999999999999999999", "1.5", "%31"])
    func anUnreadableIdIsA404NotAnError(_ id: String) throws {
        let t = try TestApp()
        try Self.seed(t, t.owner, 1)
        let client = try t.client(signedInAs: "owner@acme.test")
        let csrf = client.get(Self.inbox).csrf
        #expect(client.post(Self.inbox + "/\(id)/read", [("_csrf", csrf)]).status == 404)
        #expect(try Self.unread(t, t.owner) == 1)
    }

    @Test func markAllReadClearsTheBadgeAndKeepsThePage() throws {
        let t = try TestApp()
        try Self.seed(t, t.owner, 3)
        try Self.seed(t, t.admin, 2)
        let client = try t.client(signedInAs: "owner@acme.test")
        let csrf = client.get(Self.inbox).csrf
        #expect(client.post(Self.inbox + "/read-all", [("_csrf", "")]).status == 403)
        let done = client.post(Self.inbox + "/read-all", [("_csrf", csrf), ("from", "before=2")])
        #expect(done.status == 303 && done.location == Self.inbox + "?before=2")
        #expect(try Self.unread(t, t.owner) == 0 && Self.unread(t, t.admin) == 2)
        let general = client.get("/orgs/acme/settings/general")
        #expect(!general.contains("count-badge"))
        let page = client.get(Self.inbox)
        #expect(page.contains("Everything is read.") && !page.contains("Mark all read") && !page.contains("status-unread"))
        let again = client.post(Self.inbox + "/read-all", [("_csrf", csrf), ("from", "elsewhere=1")])
        #expect(again.location == Self.inbox)
        #expect(client.get(Self.inbox).contains("There was nothing unread."))
    }

    @Test func aFieldTheFormDoesNotTakeIsA422AndChangesNothing() throws {
        let t = try TestApp()
        try Self.seed(t, t.owner, 1)
        let client = try t.client(signedInAs: "owner@acme.test")
        let csrf = client.get(Self.inbox).csrf
        let refused = client.post(Self.inbox + "/read-all", [("_csrf", csrf), ("everything", "1")])
        #expect(refused.status == 422 && refused.contains("This form does not take an unexpected field: “everything”"))
        #expect(try Self.unread(t, t.owner) == 1)
    }

    @Test func olderAndNewerPagesByKeyset() throws {
        let t = try TestApp()
        let ids = try Self.seed(t, t.owner, 30)
        let client = try t.client(signedInAs: "owner@acme.test")
        let first = client.get(Self.inbox)
        #expect(first.html.components(separatedBy: "<li class=\"inbox-item").count == 26)
        #expect(first.contains("href=\"/account/notifications?before=\(ids[5])\" rel=\"next\">Older →</a>"))
        #expect(!first.contains("rel=\"prev\""))
        let older = client.get(Self.inbox + "?before=\(ids[5])")
        #expect(older.html.components(separatedBy: "<li class=\"inbox-item").count == 6)
        #expect(older.contains("href=\"/account/notifications?after=\(ids[4])\" rel=\"prev\">← Newer</a>"))
        #expect(older.inputValue("from") == "before=\(ids[5])")
        let back = client.get(Self.inbox + "?after=\(ids[4])")
        #expect(back.contains(">Export 29 is ready</a>") && back.contains(">Export 5 is ready</a>") && !back.contains(">Export 4 is"))
    }

    @Test(arguments: ["before=abc", "after=-3", "before=99999999999999999999", "before="])
    func anUnreadablePageIsA400WithTheNewest(_ query: String) throws {
        let t = try TestApp()
        try Self.seed(t, t.owner, 2)
        let page = try t.client(signedInAs: "owner@acme.test").get(Self.inbox + "?" + query)
        #expect(page.status == 400 && page.contains("is not a page of your notifications: showing the newest."))
        #expect(page.contains(">Export 1 is ready</a>"))
    }

    @Test func signedOutVisitorsAreSentToSignInAndTheirPostsRefused() throws {
        let t = try TestApp()
        let client = t.client()
        let page = client.get(Self.inbox)
        #expect(page.status == 303 && page.location == "/login?next=/account/notifications")
        #expect(client.post(Self.inbox + "/read-all", [("_csrf", "x")]).status == 403)
    }

    @Test func aNotificationOfAnOrganizationLeftShowsNoLink() throws {
        let t = try TestApp()
        try Self.seed(t, t.member, 1)
        try t.database.leave(orgKey: "acme", by: Actor(user: t.member, address: "test"))
        let page = try t.client(signedInAs: "member@acme.test").get(Self.inbox)
        #expect(page.status == 200)
        #expect(page.contains("Export 0 is ready") && !page.contains("/orgs/acme/settings/general"))
        #expect(page.contains("about an organization you are no longer a member of"))
    }
}
