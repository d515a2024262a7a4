import Foundation
import GRDB

/// "Forgot password?": a link mailed to the address, valid for an hour and once. Like invitation
/// links, the token is derived from a stored nonce with the links key and only its SHA-256 is
/// kept, so neither the database nor the outbox ever holds a usable link.
public enum PasswordResetRules {
    public static let lifetime: TimeInterval = 3600
    /// Requests for one address, whoever makes them, in `window`.
    public static let perEmail = 5
    /// Requests from one network address, whatever the addresses asked for.
    public static let perAddress = 20
    public static let window: TimeInterval = 3600
}

/// Why a reset link cannot be used: the page says which.
public enum PasswordResetProblem: Error, Equatable, Sendable {
    case unknown, expired, used
}

extension InvitationLinks {
    /// A reset link's token: HMAC-SHA256 of the 32-byte nonce, 256 bits.
    public func passwordResetToken(nonce: Data) -> String {
        Base64URL.encode(Crypto.hmacSHA256(key: key, data: Array("password-reset:".utf8) + Array(nonce)))
    }
}

extension AppDatabase {
    /// Counts the request against both limits, then, when the address is a person's, stores a
    /// new link and queues its email. The caller answers the same whether or not anyone has the
    /// address; only the limits (which count unknown addresses too) can refuse.
    public func requestPasswordReset(email: String, address: String) throws {
        try countAttempt(
            kind: "password-reset-ip", address: address, limit: PasswordResetRules.perAddress, window: PasswordResetRules.window)
        let normalized = EmailRules.normalized(email)
        // The attempts table keeps a digest, not the addresses strangers typed.
        try countAttempt(
            kind: "password-reset-email", address: Crypto.sha256(normalized).hexString, limit: PasswordResetRules.perEmail,
            window: PasswordResetRules.window)
        let now = self.now()
        try writer.write { db in
            guard let user = try User.filter(Column("email").collating(.nocase) == normalized).fetchOne(db) else { return }
            // An address SSO is enforced for gets no reset link (the same answer is shown either way).
            if let enforced = try Self.ssoEnforcement(db, email: user.email, userId: user.id), !enforced.breakGlass { return }
            let nonce = Data(Crypto.randomBytes(32))
            try db.execute(
                sql: """
                    INSERT INTO passwordReset (userId, linkNonce, tokenHash, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [
                    user.id!, nonce, InvitationLinks.hash(links.passwordResetToken(nonce: nonce)), now,
                    now.addingTimeInterval(PasswordResetRules.lifetime),
                ])
            try db.execute(
                sql: """
                    INSERT INTO outbox (orgId, kind, passwordResetId, recipient, status, attempts, nextAttemptAt, createdAt)
                    VALUES (NULL, 'passwordReset', ?, ?, 'queued', 0, ?, ?)
                    """, arguments: [db.lastInsertedRowID, user.email, now, now])
        }
    }

    /// The address a reset link is for, or why it cannot be used.
    public func passwordReset(token: String) throws -> String {
        try reader.read { db in try Self.openReset(db, token: token, now: now()).email }
    }

    private static func openReset(_ db: Database, token: String, now: Date) throws -> (id: Int64, userId: Int64, email: String) {
        guard token.utf8.count <= 100,
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT r.id, r.userId, u.email, r.expiresAt, r.usedAt FROM passwordReset r JOIN user u ON u.id = r.userId
                    WHERE r.tokenHash = ?
                    """, arguments: [InvitationLinks.hash(token)])
        else { throw PasswordResetProblem.unknown }
        if (row[4] as Date?) != nil { throw PasswordResetProblem.used }
        if (row[3] as Date) <= now { throw PasswordResetProblem.expired }
        return (row[0], row[1], row[2])
    }

    /// Sets the new password through a link: the link and every other open link of the person
    /// stop working, every session of the person ends, and a security email goes out. Returns a
    /// new session token, or nil when the person must sign in (two-factor sign-in is on: a link
    /// proves the mailbox, not the second factor).
    public func resetPassword(
        token: String, new: String, address: String, userAgent: String, blocklist: PasswordBlocklist, device: String? = nil
    ) throws -> String? {
        let now = self.now()
        let (resetId, user) = try reader.read { db -> (Int64, User) in
            let reset = try Self.openReset(db, token: token, now: now)
            guard let user = try User.fetchOne(db, key: reset.userId) else { throw PasswordResetProblem.unknown }
            return (reset.id, user)
        }
        try requirePasswordAllowed(email: user.email, userId: user.id)
        var errors = FieldErrors()
        let twoFactor = try hasTwoFactor(userId: user.id!)
        PasswordPolicy.check(
            new, for: .init(email: user.email, name: user.name, hasTwoFactor: twoFactor), blocklist: blocklist,
            field: "new_password", into: &errors)
        try errors.throwIfAny()
        let hash = hasher.hash(new)
        return try writer.write { db in
            // Checked again inside the write: two tabs posting the same link change it once.
            _ = try Self.openReset(db, token: token, now: now)
            try db.execute(sql: "UPDATE passwordReset SET usedAt = ? WHERE id = ?", arguments: [now, resetId])
            try db.execute(sql: "DELETE FROM passwordReset WHERE userId = ? AND usedAt IS NULL", arguments: [user.id!])
            try db.execute(sql: "UPDATE user SET passwordHash = ? WHERE id = ?", arguments: [hash, user.id!])
            try db.execute(sql: "DELETE FROM session WHERE userId = ?", arguments: [user.id!])
            // A sign-in half done with the old password goes too.
            try db.execute(sql: "DELETE FROM signInChallenge WHERE userId = ?", arguments: [user.id!])
            try Self.queueSecurityNotice(
                db, to: user, subject: "Your Wheelhouse password was reset",
                what: "The password of your Wheelhouse account (\(user.email)) was reset with a link emailed to this address",
                address: address, now: now)
            // With two-factor on, the link proves the mailbox only: no session, and failed codes stay counted.
            guard !twoFactor else { return nil }
            // The mailbox is proven: failures counted against the account from here are forgiven.
            try db.execute(
                sql: "DELETE FROM loginFailure WHERE email = ? COLLATE NOCASE AND address = ?", arguments: [user.email, address])
            let session = Crypto.randomToken()
            try SessionRecord(
                tokenHash: Data(Crypto.sha256(session)), userId: user.id!, csrfToken: Crypto.randomToken(),
                createdAt: now, lastSeenAt: now, address: address, userAgent: String(userAgent.prefix(300)),
                flashKind: "success", flashMessage: "Your password has been changed and you are signed in."
            ).insert(db)
            try Self.rememberSignIn(db, userId: user.id!, email: user.email, address: address, now: now)
            // The reset's own security email already names this address: no second one.
            try Self.recognizeDevice(db, user: user, device: device, address: address, userAgent: userAgent, silently: true, now: now)
            return session
        }
    }

    /// The email of reset link `message`, rendered at send time with its token; nil (the message
    /// is cancelled) once the link is used, expired or gone.
    static func passwordResetMail(_ db: Database, message: OutboxMessage, baseURL: String, links: InvitationLinks, now: Date) throws
        -> OutgoingMail?
    {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT r.linkNonce, r.expiresAt, u.name FROM outbox o
                    JOIN passwordReset r ON r.id = o.passwordResetId JOIN user u ON u.id = r.userId
                    WHERE o.id = ? AND r.usedAt IS NULL AND r.expiresAt > ?
                    """, arguments: [message.id!, now])
        else { return nil }
        let nonce: Data = row[0]
        let name: String = row[2]
        let link = baseURL + "/password/reset/" + links.passwordResetToken(nonce: nonce)
        return OutgoingMail(
            messageId: message.id!, headerId: "", recipient: message.recipient, subject: "Reset your Wheelhouse password",
            body: """
                Hello \(name),

                Someone (we hope you) asked to reset the password of your Wheelhouse account. Choose a new password here:
                \(link)

                The link works once, for one hour. If you did not ask for it, ignore this email: your password stays as it is.
                """)
    }
}
