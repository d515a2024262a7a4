import Foundation
import GRDB

/// The email of a notification when its raiser writes its own text (a security notice, a
/// deletion's details) instead of the title alone.
public struct NoticeMail: Sendable {
    public var subject: String
    public var body: String
    /// The body already carries its console link (its raiser knows the base URL): none is added.
    public var linkInBody: Bool

    public init(subject: String, body: String, linkInBody: Bool = false) {
        (self.subject, self.body, self.linkInBody) = (subject, body, linkInBody)
    }
}

extension AppDatabase {
    /// Separates a notice's text from its footer (the usual signature line): the console link
    /// is put before it when the mail is sent.
    static let noticeFooterMark = "\n\n-- \n"

    /// Tells `userId` about something in the caller's transaction, by each channel their
    /// preferences have on for `kind` (locked kinds always by both): an inbox row, and an email
    /// through the outbox whose console link is made from the configured base URL when it is sent.
    /// Nothing is written if the change rolls back. Callers leave out the person who acted.
    static func notify(
        _ db: Database, userId: Int64, orgId: Int64?, kind: NotificationKind, title: String, link: String?,
        mail: NoticeMail? = nil, now: Date
    ) throws {
        let channels = try notificationPreferences(db, userId: userId).channels(kind)
        if channels.contains(.inApp) {
            try addToInbox(db, userId: userId, orgId: orgId, kind: kind, title: title, link: link, now: now)
        }
        if channels.contains(.email),
            let person = try Row.fetchOne(db, sql: "SELECT email, name FROM user WHERE id = ?", arguments: [userId])
        {
            let name: String = person[1]
            let text = mail?.body ?? "Hello \(name),\n\n\(title)."
            let footer =
                kind.spec.group.lockedReason.map { "This email cannot be switched off. \($0)" }
                ?? "You can choose which emails Wheelhouse sends you under Your account → Notifications."
            try queueNotice(
                db, orgId: orgId, recipient: person[0], subject: mail?.subject ?? title, body: text + noticeFooterMark + footer,
                link: mail?.linkInBody == true ? nil : link, now: now)
        }
    }

    /// The inbox row alone. A title over 200 characters is cut.
    static func addToInbox(
        _ db: Database, userId: Int64, orgId: Int64?, kind: NotificationKind, title: String, link: String?, now: Date
    ) throws {
        try db.execute(
            sql: "INSERT INTO notification (userId, orgId, kind, title, link, createdAt) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [userId, orgId, kind.rawValue, String(title.prefix(200)), link, now])
    }

    /// Tells every Owner and Admin of `orgId` (but those in `except`: the person who acted, and
    /// anyone told about the same event in other words) about something of the organization.
    static func notifyAdmins(
        _ db: Database, orgId: Int64, except: Set<Int64>, kind: NotificationKind, title: String, link: String?, now: Date
    ) throws {
        let admins = try Int64.fetchAll(
            db, sql: "SELECT userId FROM membership WHERE orgId = ? AND role IN ('owner', 'admin') ORDER BY userId", arguments: [orgId])
        for userId in admins where !except.contains(userId) {
            try notify(db, userId: userId, orgId: orgId, kind: kind, title: title, link: link, now: now)
        }
        // The same event to the organization's webhooks and Slack, once (not once per admin).
        if let event = IntegrationEvent(notification: kind) {
            try emitEvent(db, orgId: orgId, event: event, payload: ["summary": title, "path": link ?? ""], now: now)
        }
    }
}
