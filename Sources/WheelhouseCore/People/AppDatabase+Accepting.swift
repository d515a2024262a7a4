import Foundation
import GRDB

/// Following an invitation link: what it shows, and accepting it.
extension AppDatabase {
    /// The invitation behind a link, or nil when no invitation has that token.
    public func invitation(token: String) throws -> InvitationView? {
        let now = self.now()
        return try reader.read { db in
            guard let invitation = try Invitation.filter(Column("tokenHash") == InvitationLinks.hash(token)).fetchOne(db) else {
                return nil
            }
            let org = try Organization.fetchOne(db, key: invitation.orgId)!
            let inviter = try invitation.invitedBy.flatMap { try User.fetchOne(db, key: $0) }
            let account = try User.filter(Column("email").collating(.nocase) == invitation.email).fetchOne(db)
            let unconfirmed = try account.map { try EmailConfirmation.filter(Column("userId") == $0.id!).fetchCount(db) > 0 } ?? false
            return InvitationView(
                invitation: invitation, state: invitation.state(at: now), orgKey: org.key,
                orgName: org.displayName, inviterName: inviter?.name, inviterEmail: inviter?.email,
                hasAccount: account != nil, accountUnconfirmed: unconfirmed)
        }
    }

    /// A signed-in person accepts with one click. Accepting again is harmless. Returns the org key.
    public func acceptInvitation(token: String, by actor: Actor) throws -> String {
        try writer.write { db in
            let (invitation, org) = try Self.usableInvitation(db, token: token, acceptingUser: actor.user.id, now: now())
            guard invitation.email.caseInsensitiveCompare(actor.user.email) == .orderedSame else {
                throw InvitationProblem.otherAccount(invited: invitation.email)
            }
            if invitation.status == .pending { try join(db, invitation, org: org, by: actor) }
            return org.key
        }
    }

    /// A new person accepts by choosing a name and password. The account is created unusable and
    /// a confirmation link is mailed to the invited address (`confirmEmail` joins and signs in), so
    /// whoever copied the invitation link cannot take the account. The link is looked up before
    /// the password is hashed. Returns the email the confirmation was sent to.
    public func acceptInvitationAsNewUser(
        token: String, name: String, password: String,
        address: String, userAgent: String = ""
    ) throws -> String {
        _ = try reader.read { db in try Self.usableInvitation(db, token: token, acceptingUser: nil, now: now()) }
        var errors = FieldErrors()
        TextRules.checkSingleLine(name, field: "name", label: "Name", required: true, maxLength: 100, into: &errors)
        PasswordRules.check(password, into: &errors)
        try errors.throwIfAny()
        let hash = hasher.hash(password)
        return try writer.write { db in
            let now = self.now()
            let (invitation, org) = try Self.usableInvitation(db, token: token, acceptingUser: nil, now: now)
            if try User.filter(Column("email").collating(.nocase) == invitation.email).fetchCount(db) > 0 {
                throw InvitationProblem.accountExists
            }
            let user = try User(id: nil, email: invitation.email, name: name, passwordHash: hash, createdAt: now).inserted(db)
            try Self.queueConfirmation(db, user: user, invitation: invitation, links: links, now: now)
            try AuditEvent(
                org: org.id, actor: Actor(user: user, address: address, userAgent: userAgent), action: .invitationAccount,
                target: "user:\(user.id!)",
                summary: "account created for \(user.email) through the invitation link; awaiting email confirmation",
                at: now
            ).insert(db)
            return user.email
        }
    }

    /// The invitation if it can still be accepted, or was already accepted by `acceptingUser`
    /// (accepting twice is harmless); otherwise why not.
    static func usableInvitation(_ db: Database, token: String, acceptingUser: Int64?, now: Date) throws -> (Invitation, Organization) {
        guard let invitation = try Invitation.filter(Column("tokenHash") == InvitationLinks.hash(token)).fetchOne(db),
            let org = try Organization.fetchOne(db, key: invitation.orgId)
        else { throw InvitationProblem.unknown }
        switch invitation.status {
        case .revoked: throw InvitationProblem.revoked
        case .accepted:
            guard let acceptingUser, invitation.acceptedBy == acceptingUser else { throw InvitationProblem.used }
        case .pending:
            if invitation.expiresAt <= now { throw InvitationProblem.expired }
        }
        return (invitation, org)
    }

    /// `actor`: the person joining, with the address and browser their audit entry records.
    func join(_ db: Database, _ invitation: Invitation, org: Organization, by actor: Actor) throws {
        let user = actor.user
        let now = self.now()
        if let purgeAt = org.purgeAt { throw DomainError.pendingDeletion(purgeAt: purgeAt) }
        if try Membership.fetchOne(db, key: ["orgId": org.id!, "userId": user.id!]) == nil {
            if try Membership.filter(Column("orgId") == org.id!).fetchCount(db) >= org.memberLimit {
                throw InvitationProblem.seatLimit(limit: org.memberLimit)
            }
            try Membership(orgId: org.id!, userId: user.id!, role: invitation.role, createdAt: now).insert(db)
            try Self.ensureDefaultWorkspace(db, orgId: org.id!, user: user, now: now)
            try Self.tellJoined(db, org: org, invitation: invitation, joiner: user, now: now)
        }
        try db.execute(
            sql: "UPDATE invitation SET status = 'accepted', acceptedBy = ?, closedAt = ?, version = version + 1 WHERE id = ?",
            arguments: [user.id!, now, invitation.id!])
        try AuditEvent(
            org: org.id, actor: actor, action: .invitationAccept, target: "user:\(user.id!)",
            summary: "\(user.email) joined as \(invitation.role.rawValue)", at: now
        ).insert(db)
    }
}
