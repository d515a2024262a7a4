import Foundation
import GRDB

/// Moving an account to a new email address: nothing changes until the link mailed to the new
/// address is opened (proving the mailbox), and the old address is told both when the change is
/// asked for and when it is done. Tokens are derived like reset links: 256 bits, only their
/// SHA-256 stored, single use.
public enum EmailChangeRules {
    public static let lifetime: TimeInterval = 24 * 3600
    /// Requests per person in `window`.
    public static let perPerson = 5
    public static let window: TimeInterval = 3600
}

/// Why an email-change link cannot be used: the page says which.
public enum EmailChangeProblem: Error, Equatable, Sendable {
    case unknown, expired, used
    /// Another account took the address after the link was sent.
    case taken
}

/// An open email-change link: whose account, from which address to which.
public struct PendingEmailChange: Sendable, Equatable {
    public var oldEmail: String
    public var newEmail: String
    public var expiresAt: Date
}

extension InvitationLinks {
    /// An email-change link's token: HMAC-SHA256 of the 32-byte nonce, 256 bits.
    public func emailChangeToken(nonce: Data) -> String {
        Base64URL.encode(Crypto.hmacSHA256(key: key, data: Array("email-change:".utf8) + Array(nonce)))
    }
}

extension AppDatabase {
    /// Asks for the move to `newEmail`, confirmed by the current password (throttled like
    /// sign-in). The answer is the same whether or not another account has the address: that
    /// address is mailed either a link or, when it is taken, a note saying so, so the form cannot
    /// be used to find out who has an account. An earlier open link of the person stops working.
    public func requestEmailChange(newEmail: String, password: String, by actor: Actor) throws {
        let now = self.now()
        guard let user = try reader.read({ db in try User.fetchOne(db, key: actor.user.id!) }) else { throw DomainError.notFound }
        let normalized = EmailRules.normalized(newEmail)
        var errors = FieldErrors()
        TextRules.checkSingleLine(newEmail, field: "new_email", label: "New email address", required: true, maxLength: 254, into: &errors)
        if errors.byField["new_email"] == nil {
            if !EmailRules.isPlausible(normalized) {
                errors.add("new_email", "Enter an email address like name@example.com.")
            } else if normalized.caseInsensitiveCompare(user.email) == .orderedSame {
                errors.add("new_email", "That is the address you have now.")
            }
        }
        if password.isEmpty {
            try requireNoSignInWait(user, address: actor.address, now: now)
            errors.add("password", "Enter your password to confirm.")
        } else if try !passwordMatches(password, of: user, address: actor.address, now: now) {
            errors.add("password", "That is not your password.")
        }
        try errors.throwIfAny()
        try countAttempt(
            kind: "email-change", address: "user:\(user.id!)", limit: EmailChangeRules.perPerson, window: EmailChangeRules.window)
        try writer.write { db in
            try db.execute(sql: "DELETE FROM emailChange WHERE userId = ? AND usedAt IS NULL", arguments: [user.id!])
            let taken = try User.filter(Column("email").collating(.nocase) == normalized).fetchCount(db) > 0
            if taken {
                try Self.queueNotice(
                    db, orgId: nil, recipient: normalized, subject: "Your address is already on a Wheelhouse account",
                    body: """
                        Hello,

                        Someone signed in to Wheelhouse as \(user.email) asked to move their account to this address. This address already belongs to a Wheelhouse account, so nothing was changed.

                        If you asked for it, sign in with this address instead. If not, there is nothing to do.
                        """, now: now)
            } else {
                let nonce = Data(Crypto.randomBytes(32))
                try db.execute(
                    sql: """
                        INSERT INTO emailChange (userId, newEmail, linkNonce, tokenHash, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        user.id!, normalized, nonce, InvitationLinks.hash(links.emailChangeToken(nonce: nonce)), now,
                        now.addingTimeInterval(EmailChangeRules.lifetime),
                    ])
                try db.execute(
                    sql: """
                        INSERT INTO outbox (orgId, kind, emailChangeId, recipient, status, attempts, nextAttemptAt, createdAt)
                        VALUES (NULL, 'emailChange', ?, ?, 'queued', 0, ?, ?)
                        """, arguments: [db.lastInsertedRowID, normalized, now, now])
            }
            try Self.queueNotice(
                db, orgId: nil, recipient: user.email, subject: "A change of your Wheelhouse email address was asked for",
                body: """
                    Hello \(user.name),

                    Someone signed in to your Wheelhouse account asked, from the address \(actor.address), to move it from \(user.email) to \(normalized). Nothing changes until the link sent to \(normalized) is opened.

                    If this was not you, change your password at once and sign out your other sessions on the Security page. Security emails like this one cannot be switched off.
                    """, now: now)
        }
    }

    /// The person's open email-change link, if any (the profile page shows it).
    public func pendingEmailChange(userId: Int64) throws -> PendingEmailChange? {
        try reader.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT u.email, c.newEmail, c.expiresAt FROM emailChange c JOIN user u ON u.id = c.userId
                    WHERE c.userId = ? AND c.usedAt IS NULL AND c.expiresAt > ? ORDER BY c.id DESC LIMIT 1
                    """, arguments: [userId, now()]
            ).map { PendingEmailChange(oldEmail: $0[0], newEmail: $0[1], expiresAt: $0[2]) }
        }
    }

    /// What an email-change link is for, or why it cannot be used.
    public func emailChange(token: String) throws -> PendingEmailChange {
        try reader.read { db in try Self.openEmailChange(db, token: token, now: now()).change }
    }

    private static func openEmailChange(_ db: Database, token: String, now: Date) throws -> (
        id: Int64, userId: Int64, change: PendingEmailChange
    ) {
        guard token.utf8.count <= 100,
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT c.id, c.userId, u.email, c.newEmail, c.expiresAt, c.usedAt FROM emailChange c JOIN user u ON u.id = c.userId
                    WHERE c.tokenHash = ?
                    """, arguments: [InvitationLinks.hash(token)])
        else { throw EmailChangeProblem.unknown }
        if (row[5] as Date?) != nil { throw EmailChangeProblem.used }
        if (row[4] as Date) <= now { throw EmailChangeProblem.expired }
        return (row[0], row[1], PendingEmailChange(oldEmail: row[2], newEmail: row[3], expiresAt: row[4]))
    }

    /// Opens the link: the account's address becomes the new one, the link and reset links sent
    /// to the old address stop working, and the old address is told. Sessions stay: the person
    /// proved the new mailbox, and their password did not change.
    @discardableResult
    public func confirmEmailChange(token: String, address: String) throws -> PendingEmailChange {
        let now = self.now()
        do {
            return try writer.write { db in
                let (id, userId, change) = try Self.openEmailChange(db, token: token, now: now)
                if try User.filter(Column("email").collating(.nocase) == change.newEmail).fetchCount(db) > 0 {
                    throw EmailChangeProblem.taken
                }
                try db.execute(
                    sql: "UPDATE user SET email = ?, version = version + 1 WHERE id = ?", arguments: [change.newEmail, userId])
                try db.execute(sql: "UPDATE emailChange SET usedAt = ? WHERE id = ?", arguments: [now, id])
                try db.execute(sql: "DELETE FROM emailChange WHERE userId = ? AND usedAt IS NULL", arguments: [userId])
                try db.execute(sql: "DELETE FROM passwordReset WHERE userId = ? AND usedAt IS NULL", arguments: [userId])
                let name = try String.fetchOne(db, sql: "SELECT name FROM user WHERE id = ?", arguments: [userId]) ?? ""
                try Self.queueNotice(
                    db, orgId: nil, recipient: change.oldEmail, subject: "Your Wheelhouse email address was changed",
                    body: """
                        Hello \(name),

                        Your Wheelhouse account now uses \(change.newEmail) instead of \(change.oldEmail): the link sent to the new address was opened from the address \(address). Sign in with the new address from now on.

                        If this was not you, tell an administrator of your organization at once. Security emails like this one cannot be switched off.
                        """, now: now)
                return change
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw EmailChangeProblem.taken
        }
    }

    /// The email of email-change link `message`, rendered at send time with its token; nil (the
    /// message is cancelled) once the link is used, replaced, expired or gone.
    static func emailChangeMail(_ db: Database, message: OutboxMessage, baseURL: String, links: InvitationLinks, now: Date) throws
        -> OutgoingMail?
    {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT c.linkNonce, u.name, u.email FROM outbox o
                    JOIN emailChange c ON c.id = o.emailChangeId JOIN user u ON u.id = c.userId
                    WHERE o.id = ? AND c.usedAt IS NULL AND c.expiresAt > ?
                    """, arguments: [message.id!, now])
        else { return nil }
        let nonce: Data = row[0]
        let name: String = row[1]
        let old: String = row[2]
        let link = baseURL + "/email/confirm/" + links.emailChangeToken(nonce: nonce)
        return OutgoingMail(
            messageId: message.id!, headerId: "", recipient: message.recipient, subject: "Confirm your new Wheelhouse email address",
            body: """
                Hello \(name),

                To move your Wheelhouse account from \(old) to this address, open this link:
                \(link)

                The link works once, for 24 hours. If you did not ask for it, ignore this email: nothing changes.
                """)
    }
}
