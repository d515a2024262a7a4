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

    /// The stored mail of notice `message`, or nil when its body has been cleared.
    static func mail(_ db: Database, message: OutboxMessage) throws -> OutgoingMail? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT subject, body FROM outbox WHERE id = ?"), arguments: [message.id!]),
            let subject: String = row[0], let body: String = row[1]
        else { return nil }
        return OutgoingMail(messageId: message.id!, headerId: "", recipient: message.recipient, subject: subject, body: body)
    }
}

extension AppDatabase {
    /// Queues a notice in the caller's transaction, so the mail leaves only if the change commits.
    static func queueNotice(
        _ db: Database, orgId: Int64?, recipient: String, subject: String, body: String, now: Date
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO outbox (orgId, kind, recipient, status, attempts, nextAttemptAt, createdAt, subject, body)
                VALUES (?, 'notice', ?, 'queued', 0, ?, ?, ?, ?)
                """,
            arguments: [orgId, recipient, now, now, String(subject.prefix(200)), String(body.prefix(20_000))])
    }
}
