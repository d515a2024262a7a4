import Foundation
import GRDB

/// One entry of a person's inbox as the inbox shows it: the notification, and the organization it
/// is about while the person still belongs to it.
public struct InboxEntry: Sendable, Equatable {
    /// Its `link` is nil when it pointed into an organization the person has left: the page
    /// there answers 404 anyway, and the inbox should not keep a door open to it.
    public var notification: AppNotification
    /// The organization's name, only while the person is a member.
    public var orgName: String?
    /// The notification is about an organization the person no longer belongs to.
    public var orgLeft: Bool
}

/// One page of an inbox, newest first, with whether newer or older entries exist beyond it.
public struct InboxPage: Sendable {
    public var entries: [InboxEntry]
    public var hasNewer: Bool
    public var hasOlder: Bool
}

extension AppDatabase {
    public static let inboxPageSize = 25
    /// The badge counts no further: the count reads at most this many index entries, so a
    /// neglected inbox costs every page no more than a tidy one.
    public static let unreadCountCap = 100

    /// How many of `userId`'s notifications are unread, at most `unreadCountCap` (the header
    /// shows "99+" beyond). One read of the partial index `notification_unread`.
    public func unreadNotificationCount(userId: Int64) throws -> Int {
        try threadReaders.read(or: reader) { db in try Self.unreadNotificationCount(db, userId: userId) }
    }

    /// The same in the caller's read: the org pages read it with the org view, so it is
    /// remembered with it until the next commit (`pageReads`).
    static func unreadNotificationCount(_ db: Database, userId: Int64) throws -> Int {
        let statement = try db.cachedStatement(
            sql: "SELECT count(*) FROM (SELECT 1 FROM notification WHERE userId = ? AND readAt IS NULL LIMIT ?)")
        return try Int.fetchOne(statement, arguments: [userId, unreadCountCap]) ?? 0
    }

    /// A page of `userId`'s notifications, newest first: `before` an id for older ones, `after`
    /// an id for newer ones (at most one of them), nil for the newest. Keyset pages on the id, so
    /// a page stays the same while notifications arrive; a person only ever sees their own.
    public func notifications(userId: Int64, before: Int64? = nil, after: Int64? = nil, limit: Int = inboxPageSize) throws
        -> InboxPage
    {
        try reader.read { db in
            var entries: [InboxEntry]
            if let after {
                entries = try Self.inboxEntries(db, userId: userId, "n.id > ?", after, order: "ASC", limit: limit).reversed()
                // Past the newest: the newest page instead of an empty one.
                if entries.isEmpty { entries = try Self.inboxEntries(db, userId: userId, nil, nil, order: "DESC", limit: limit) }
            } else {
                entries = try Self.inboxEntries(db, userId: userId, before.map { _ in "n.id < ?" }, before, order: "DESC", limit: limit)
            }
            guard let first = entries.first?.notification.id, let last = entries.last?.notification.id else {
                return InboxPage(entries: [], hasNewer: false, hasOlder: false)
            }
            func exists(_ condition: String, _ id: Int64) throws -> Bool {
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM notification WHERE userId = ? AND \(condition))", arguments: [userId, id])
                    ?? false
            }
            return InboxPage(entries: entries, hasNewer: try exists("id > ?", first), hasOlder: try exists("id < ?", last))
        }
    }

    private static func inboxEntries(
        _ db: Database, userId: Int64, _ condition: String?, _ id: Int64?, order: String, limit: Int
    ) throws -> [InboxEntry] {
        var arguments: StatementArguments = [userId]
        if let id { arguments += [id] }
        arguments += [limit]
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT n.id, n.userId, n.orgId, n.kind, n.title, n.link, n.createdAt, n.readAt, o.displayName,
                    m.userId IS NOT NULL AS member
                FROM notification n
                LEFT JOIN organization o ON o.id = n.orgId
                LEFT JOIN membership m ON m.orgId = n.orgId AND m.userId = n.userId
                WHERE n.userId = ?\(condition.map { " AND " + $0 } ?? "") ORDER BY n.id \(order) LIMIT ?
                """, arguments: arguments)
        // A kind this version does not know (a row written by a newer version) is left out.
        return rows.compactMap { row in
            let orgId: Int64? = row[2]
            let left = orgId != nil && !(row[9] as Bool)
            guard let kind = NotificationKind(rawValue: row[3]) else { return nil }
            let notification = AppNotification(
                id: row[0], userId: row[1], orgId: orgId, kind: kind, title: row[4],
                link: left ? nil : row[5], createdAt: row[6], readAt: row[7])
            return InboxEntry(notification: notification, orgName: left ? nil : row[8], orgLeft: left)
        }
    }

    /// Marks one of `userId`'s notifications read; returns false when it already was. Another
    /// person's id, or an id that does not exist, is `.notFound`, the same answer for both.
    @discardableResult
    public func markNotificationRead(id: Int64, userId: Int64) throws -> Bool {
        try writer.write { db in
            try db.execute(
                sql: "UPDATE notification SET readAt = ? WHERE id = ? AND userId = ? AND readAt IS NULL",
                arguments: [now(), id, userId])
            if db.changesCount == 1 { return true }
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM notification WHERE id = ? AND userId = ?)", arguments: [id, userId]) == true
            else { throw DomainError.notFound }
            return false
        }
    }

    /// Marks every unread notification of `userId` read; returns how many were unread.
    @discardableResult
    public func markAllNotificationsRead(userId: Int64) throws -> Int {
        try writer.write { db in
            try db.execute(sql: "UPDATE notification SET readAt = ? WHERE userId = ? AND readAt IS NULL", arguments: [now(), userId])
            return db.changesCount
        }
    }

    /// Adds an inbox entry (no email, whatever the preferences) in its own transaction, at
    /// `createdAt` (read at `readAt` if given): for `wheelhouse demo` and tests only. Features
    /// notify in the transaction of their change (`notify(_:userId:…)`).
    public func seedNotification(
        userId: Int64, orgId: Int64?, kind: NotificationKind, title: String, link: String?, createdAt: Date, readAt: Date? = nil
    ) throws {
        try writer.write { db in
            try Self.addToInbox(db, userId: userId, orgId: orgId, kind: kind, title: title, link: link, now: createdAt)
            if let readAt {
                try db.execute(sql: "UPDATE notification SET readAt = ? WHERE id = ?", arguments: [readAt, db.lastInsertedRowID])
            }
        }
    }
}
