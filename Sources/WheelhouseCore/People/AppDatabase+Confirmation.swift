import Foundation
import GRDB

/// A pending confirmation of an account created through an invitation link. Its link's token is
/// derived from `linkNonce` with the links key, like an invitation's; only the SHA-256 is kept.
public struct EmailConfirmation: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var userId: Int64
    public var invitationId: Int64?
    public var linkNonce: Data
    public var tokenHash: Data
    public var createdAt: Date
    public var expiresAt: Date

    public static let databaseTableName = "emailConfirmation"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public enum ConfirmationRules {
    public static let lifetime: TimeInterval = 7 * 24 * 3600
}

/// The rules for a new password, in one place.
public enum PasswordRules {
    public static let minLength = 10

    public static func check(_ password: String, field: String = "password", into errors: inout FieldErrors) {
        // Spaces at either end do not count: ten spaces are not a password.
        if password.trimmingCharacters(in: .whitespacesAndNewlines).count < minLength {
            errors.add(field, "Password must be at least \(minLength) characters, not counting spaces at the start or end.")
        }
        if password.utf8.count > 1024 { errors.add(field, "Password must be at most 1024 bytes.") }
    }
}

/// An invitation an admin tried to act on that is already closed.
public enum InvitationClosed: Error, Equatable, Sendable {
    case alreadyRevoked(String)
    case alreadyAccepted(String)

    public var message: String {
        switch self {
        case .alreadyRevoked(let email): "The invitation of \(email) was already revoked; its link no longer works."
        case .alreadyAccepted(let email):
            "The invitation of \(email) was already accepted, so it cannot be revoked. Remove the member instead."
        }
    }
}

/// Why a confirmation link cannot be used.
public enum ConfirmationProblem: Error, Equatable, Sendable {
    case unknown, expired
}

/// A confirmation link as its page shows it.
public struct ConfirmationView: Sendable, Equatable {
    public var email: String
    public var name: String
    public var createdAt: Date
    public var orgName: String?
    public var expired: Bool
}

extension InvitationLinks {
    public func confirmationToken(nonce: Data) -> String {
        Base64URL.encode(Crypto.hmacSHA256(key: key, data: Array("confirmation:".utf8) + Array(nonce)))
    }
}

extension AppDatabase {
    static func queueConfirmation(_ db: Database, user: User, invitation: Invitation, links: InvitationLinks, now: Date) throws {
        let nonce = Data(Crypto.randomBytes(16))
        var confirmation = EmailConfirmation(
            id: nil, userId: user.id!, invitationId: invitation.id, linkNonce: nonce,
            tokenHash: InvitationLinks.hash(links.confirmationToken(nonce: nonce)),
            createdAt: now, expiresAt: now.addingTimeInterval(ConfirmationRules.lifetime))
        try confirmation.insert(db)
        try db.execute(
            sql: """
                INSERT INTO outbox (orgId, kind, confirmationId, recipient, status, attempts, nextAttemptAt, createdAt)
                VALUES (?, 'confirmation', ?, ?, 'queued', 0, ?, ?)
                """, arguments: [invitation.orgId, confirmation.id!, user.email, now, now])
    }

    public func confirmation(token: String) throws -> ConfirmationView? {
        let now = self.now()
        return try reader.read { db in
            guard let confirmation = try EmailConfirmation.filter(Column("tokenHash") == InvitationLinks.hash(token)).fetchOne(db),
                let user = try User.fetchOne(db, key: confirmation.userId)
            else { return nil }
            let orgName = try String.fetchOne(
                db,
                sql: """
                    SELECT o.displayName FROM invitation i JOIN organization o ON o.id = i.orgId WHERE i.id = ?
                    """, arguments: [confirmation.invitationId])
            return ConfirmationView(
                email: user.email, name: user.name, createdAt: confirmation.createdAt, orgName: orgName,
                expired: confirmation.expiresAt <= now)
        }
    }

    /// The person at the address confirms it by typing the password they chose: the account
    /// becomes usable, joins the organization it was invited to (if the invitation is still
    /// open and a seat is free) and gets a session. Wrong passwords count as failed sign-ins.
    /// Returns the org key (nil when the invitation closed meanwhile) and the session token.
    public func confirmEmail(
        token: String, password: String, address: String,
        userAgent: String, device: String? = nil
    ) throws -> (orgKey: String?, sessionToken: String) {
        let now = self.now()
        let (confirmation, user, wait) = try reader.read { db -> (EmailConfirmation, User, Int?) in
            guard let confirmation = try EmailConfirmation.filter(Column("tokenHash") == InvitationLinks.hash(token)).fetchOne(db),
                let user = try User.fetchOne(db, key: confirmation.userId)
            else { throw ConfirmationProblem.unknown }
            if confirmation.expiresAt <= now { throw ConfirmationProblem.expired }
            return (confirmation, user, try Self.signInWait(db, email: user.email, address: address, userId: user.id, now: now))
        }
        if let wait { throw DomainError.throttled(retryAfterSeconds: max(1, wait)) }
        guard hasher.verify(password, against: user.passwordHash) else {
            try writer.write { db in
                var failure = LoginFailure(id: nil, email: user.email, address: address, at: now)
                try failure.insert(db)
            }
            throw DomainError.invalidCredentials
        }
        return try writer.write { db in
            guard try EmailConfirmation.deleteOne(db, key: confirmation.id!) else { throw ConfirmationProblem.unknown }
            var orgKey: String?
            if let invitationId = confirmation.invitationId, let invitation = try Invitation.fetchOne(db, key: invitationId),
                invitation.state(at: now) == .pending, let org = try Organization.fetchOne(db, key: invitation.orgId)
            {
                try join(db, invitation, org: org, by: Actor(user: user, address: address, userAgent: userAgent))
                orgKey = org.key
            }
            let token = Crypto.randomToken()
            try SessionRecord(
                tokenHash: Data(Crypto.sha256(token)), userId: user.id!, csrfToken: Crypto.randomToken(),
                createdAt: now, lastSeenAt: now, address: address, userAgent: String(userAgent.prefix(300)),
                flashKind: "success", flashMessage: "Email address confirmed. Welcome!"
            ).insert(db)
            try Self.rememberSignIn(db, userId: user.id!, email: user.email, address: address, now: now)
            // The account's first sign-in: its browser becomes known without an email.
            try Self.recognizeDevice(db, user: user, device: device, address: address, userAgent: userAgent, silently: true, now: now)
            return (orgKey, token)
        }
    }

    /// "This was not me": the person at the address discards an unconfirmed account someone else
    /// created with their email. The invitation stays open, so they can create their own.
    public func discardUnconfirmedAccount(token: String, address: String) throws {
        try writer.write { db in
            guard let confirmation = try EmailConfirmation.filter(Column("tokenHash") == InvitationLinks.hash(token)).fetchOne(db),
                let user = try User.fetchOne(db, key: confirmation.userId)
            else { throw ConfirmationProblem.unknown }
            let orgId = try Int64.fetchOne(db, sql: "SELECT orgId FROM invitation WHERE id = ?", arguments: [confirmation.invitationId])
            try db.execute(sql: "DELETE FROM user WHERE id = ?", arguments: [user.id!])
            try AuditEvent(
                org: orgId, actor: nil, action: .invitationAccountDiscard, target: "email:\(user.email)",
                summary: "the person at \(user.email) discarded an unconfirmed account created through the invitation link",
                at: now()
            ).insert(db)
        }
    }

    /// The confirmation email of an outbox message, or nil when it is no longer wanted.
    static func confirmationMail(
        _ db: Database, message: OutboxMessage, baseURL: String, links: InvitationLinks,
        now: Date
    ) throws -> OutgoingMail? {
        guard let id = try Int64.fetchOne(db, sql: "SELECT confirmationId FROM outbox WHERE id = ?", arguments: [message.id!]),
            let confirmation = try EmailConfirmation.fetchOne(db, key: id), confirmation.expiresAt > now,
            let user = try User.fetchOne(db, key: confirmation.userId)
        else { return nil }
        let orgName =
            try String.fetchOne(
                db, sql: "SELECT o.displayName FROM invitation i JOIN organization o ON o.id = i.orgId WHERE i.id = ?",
                arguments: [confirmation.invitationId]) ?? "Wheelhouse"
        let link = baseURL + "/confirm/" + links.confirmationToken(nonce: confirmation.linkNonce)
        return OutgoingMail(
            messageId: message.id!, headerId: "", recipient: user.email,
            subject: "Confirm your email address for \(orgName) on Wheelhouse",
            body: """
                Hello \(user.name),

                An account for \(user.email) was created through an invitation to join \(orgName) on Wheelhouse.
                It can be used once you confirm this address with the password chosen for it:
                \(link)

                If you did not create this account, open the link and choose "This was not me": the account is
                discarded and you can accept the invitation with a password of your own.
                """)
    }
}
