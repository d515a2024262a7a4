import Foundation
import GRDB

/// The outbox's delivery rules: how often to retry, and when to give up and show the failure.
public enum OutboxRules {
    public static let maxAttempts = 8
    /// The mail command is stopped after this long and the attempt counts as failed.
    public static let commandTimeout: TimeInterval = 60
    /// A claimed message is not handed to another worker for this long: longer than one attempt
    /// may take, so only a message whose worker died is claimed again (and then sent with the same
    /// `Message-ID`). Claims are per message, so a stuck one delays no other.
    public static let claimLease: TimeInterval = commandTimeout + 30

    /// 30 s, 1 min, 2 min, … capped at one hour.
    public static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        min(3600, 30 * pow(2, Double(max(0, attempt - 1))))
    }
}

/// An email ready to hand to the mail command.
public struct OutgoingMail: Sendable, Equatable {
    public var messageId: Int64
    /// The `Message-ID` header, the same at every attempt (`InvitationLinks.messageID`).
    public var headerId: String
    public var recipient: String
    public var subject: String
    public var body: String

    /// The RFC 5322 text for `sendmail -t`: headers, a blank line, the body.
    public func rfc822(from: String, domain: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let encodedSubject =
            subject.allSatisfy({ $0.isASCII && !$0.isNewline })
            ? subject : "=?UTF-8?B?" + Data(subject.utf8).base64EncodedString() + "?="
        return """
            From: \(from)
            To: \(recipient)
            Subject: \(encodedSubject)
            Date: \(formatter.string(from: date))
            Message-ID: \(headerId)
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: 8bit

            \(body)
            """ + "\n"
    }
}

extension AppDatabase {
    /// Claims up to `limit` messages that are due, so that no other worker (thread or process)
    /// sends them meanwhile, and renders them. Messages whose invitation is no longer pending are
    /// cancelled instead.
    public func claimDueMail(baseURL: String, limit: Int = 1) throws -> [OutgoingMail] {
        let now = self.now()
        // The worker polls every few seconds: a read finds that nothing is due without taking the
        // write lock.
        let anyDue = try reader.read { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM outbox WHERE status = 'queued' AND nextAttemptAt <= ?)"),
                arguments: [now]) ?? false
        }
        guard anyDue else { return [] }
        return try writer.write { db in
            let due = try OutboxMessage.fetchAll(
                db,
                sql: """
                    SELECT * FROM outbox WHERE status = 'queued' AND nextAttemptAt <= ? ORDER BY nextAttemptAt LIMIT ?
                    """, arguments: [now, limit])
            var mails: [OutgoingMail] = []
            for message in due {
                let headerId = links.messageID(outboxId: message.id!, domain: URL(string: baseURL)?.host ?? "localhost")
                // Notices carry their text; confirmations and reset links are rendered with a fresh link token.
                if ["notice", "confirmation", "passwordReset", "emailChange"].contains(message.kind) {
                    let rendered =
                        switch message.kind {
                        case "notice": try OutboxNotices.mail(db, message: message, baseURL: baseURL)
                        case "passwordReset": try Self.passwordResetMail(db, message: message, baseURL: baseURL, links: links, now: now)
                        case "emailChange": try Self.emailChangeMail(db, message: message, baseURL: baseURL, links: links, now: now)
                        default: try Self.confirmationMail(db, message: message, baseURL: baseURL, links: links, now: now)
                        }
                    guard var mail = rendered else {
                        try db.execute(sql: "UPDATE outbox SET status = 'cancelled' WHERE id = ?", arguments: [message.id!])
                        continue
                    }
                    try db.execute(
                        sql: "UPDATE outbox SET nextAttemptAt = ? WHERE id = ?",
                        arguments: [now.addingTimeInterval(OutboxRules.claimLease), message.id!])
                    mail.headerId = headerId
                    mails.append(mail)
                    continue
                }
                guard let invitationId = message.invitationId, let invitation = try Invitation.fetchOne(db, key: invitationId),
                    invitation.state(at: now) == .pending,
                    let org = try Organization.fetchOne(db, key: invitation.orgId)
                else {
                    try db.execute(sql: "UPDATE outbox SET status = 'cancelled' WHERE id = ?", arguments: [message.id!])
                    continue
                }
                try db.execute(
                    sql: "UPDATE outbox SET nextAttemptAt = ? WHERE id = ?",
                    arguments: [now.addingTimeInterval(OutboxRules.claimLease), message.id!])
                let inviter = try invitation.invitedBy.flatMap { try User.fetchOne(db, key: $0) }
                var mail = Self.invitationMail(
                    message: message, invitation: invitation, org: org, inviter: inviter,
                    link: baseURL + "/invitations/" + links.token(nonce: invitation.linkNonce))
                mail.headerId = headerId
                mails.append(mail)
            }
            return mails
        }
    }

    static func invitationMail(
        message: OutboxMessage, invitation: Invitation, org: Organization, inviter: User?,
        link: String
    ) -> OutgoingMail {
        let who = inviter.map { "\($0.name) (\($0.email))" } ?? "An administrator"
        let role = invitation.role == .admin ? "an Admin" : "a Member"
        let expires = ISO8601DateFormatter.string(
            from: invitation.expiresAt, timeZone: TimeZone(identifier: "UTC")!,
            formatOptions: [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime])
        // The personal message is plain text, quoted line by line so it cannot pass for ours.
        let note =
            invitation.message.isEmpty
            ? ""
            : "\(inviter?.name ?? "They") wrote:\n"
                + invitation.message.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }.joined(separator: "\n")
                + "\n\n"
        return OutgoingMail(
            messageId: message.id!, headerId: "", recipient: invitation.email,
            subject: "You are invited to join \(org.displayName) on Wheelhouse",
            body: """
                Hello,

                \(who) invited you to join \(org.displayName) on Wheelhouse as \(role).

                \(note)Accept the invitation:
                \(link)

                The link works until \(expires) UTC. If you did not expect this invitation, you can ignore this email.
                """)
    }

    public func markMailSent(id: Int64) throws {
        try writer.write { db in
            try db.execute(
                sql: "UPDATE outbox SET status = 'sent', sentAt = ?, attempts = attempts + 1, lastError = NULL WHERE id = ?",
                arguments: [now(), id])
        }
    }

    /// Records a failed attempt: retried later with back-off, or marked failed for admins to see.
    public func markMailFailed(id: Int64, error: String) throws {
        try writer.write { db in
            guard let message = try OutboxMessage.fetchOne(db, key: id) else { return }
            let attempts = message.attempts + 1
            let status: OutboxMessage.Status = attempts >= OutboxRules.maxAttempts ? .failed : .queued
            try db.execute(
                sql: "UPDATE outbox SET status = ?, attempts = ?, nextAttemptAt = ?, lastError = ? WHERE id = ?",
                arguments: [
                    status, attempts, now().addingTimeInterval(OutboxRules.backoff(afterAttempt: attempts)),
                    String(error.prefix(500)), id,
                ])
        }
    }
}
