import Foundation
import GRDB

/// Mail whose text is known when it is queued (an export is ready, a deletion is scheduled, a
/// reminder): kind `notice`, with its subject and body stored on the outbox row. Invitation and
/// confirmation mail is still rendered at send time, because it carries a link token that must
/// never be stored. Privacy retention clears the body of delivered notices.
enum OutboxNotices {
    static func migrate(_ db: Database) throws {
        try PeopleHardening.widenOutboxKinds(
            db, from: "kind IN ('invitation', 'confirmation')", to: "kind IN ('invitation', 'confirmation', 'notice')")
        try db.execute(
            sql: """
                ALTER TABLE outbox ADD COLUMN subject TEXT CHECK (subject IS NULL OR length(subject) <= 200);
                ALTER TABLE outbox ADD COLUMN body TEXT CHECK (body IS NULL OR length(body) <= 20000);
                """)
    }

    /// The stored mail of notice `message`, or nil when its body has been cleared. A stored
    /// console path becomes a link on `baseURL` here, before the footer: the domain core does not
    /// know the address the console is served at, the mail worker does.
    static func mail(_ db: Database, message: OutboxMessage, baseURL: String) throws -> OutgoingMail? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT subject, body, link FROM outbox WHERE id = ?"), arguments: [message.id!]),
            let subject: String = row[0], var body: String = row[1]
        else { return nil }
        if let link: String = row[2] {
            let line = "\n\nOpen it in Wheelhouse: \(baseURL)\(link)"
            if let footer = body.range(of: AppDatabase.noticeFooterMark, options: .backwards) {
                body.insert(contentsOf: line, at: footer.lowerBound)
            } else {
                body += line
            }
        }
        return OutgoingMail(messageId: message.id!, headerId: "", recipient: message.recipient, subject: subject, body: body)
    }
}

extension AppDatabase {
    /// Queues a notice in the caller's transaction, so the mail leaves only if the change commits.
    /// `link`, a console path, is added as a full link when the mail is sent.
    static func queueNotice(
        _ db: Database, orgId: Int64?, recipient: String, subject: String, body: String, link: String? = nil, now: Date
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO outbox (orgId, kind, recipient, status, attempts, nextAttemptAt, createdAt, subject, body, link)
                VALUES (?, 'notice', ?, 'queued', 0, ?, ?, ?, ?, ?)
                """,
            arguments: [orgId, recipient, now, now, String(subject.prefix(200)), String(body.prefix(20_000)), link])
    }
}
