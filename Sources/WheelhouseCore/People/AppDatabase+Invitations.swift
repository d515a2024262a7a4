import Foundation
import GRDB

public enum InvitationRules {
    public static let lifetime: TimeInterval = 7 * 24 * 3600
    public static let maxPerRequest = 50
    /// The personal message's longest length, in characters.
    public static let maxMessageLength = 500
    /// Unauthenticated posts to invitation links, per address and window (each may cost a
    /// password hash).
    public static let maxAnonymousPosts = 10
    public static let anonymousPostWindow: TimeInterval = 15 * 60
}

/// Why one address of an invite request was not invited.
public enum InviteProblem: Equatable, Sendable {
    case malformed, alreadyMember, alreadyInvited, seatLimit
    /// SaaS mode: the plan's seats (members and pending invitations) are all taken.
    case planSeats(plan: String, seats: Int)

    public var message: String {
        switch self {
        case .malformed: "is not a valid email address"
        case .alreadyMember: "is already a member"
        case .alreadyInvited: "already has a pending invitation (resend it from the list)"
        case .seatLimit: "was not invited: the member limit is reached (raise it on General)"
        case .planSeats(let plan, let seats):
            "was not invited: the \(plan) plan’s \(seats) seats are taken (members and pending invitations); upgrade the plan on Billing"
        }
    }
}

public struct InviteOutcome: Sendable, Equatable {
    public var invited: [String] = []
    public var refused: [(email: String, problem: InviteProblem)] = []

    public static func == (a: InviteOutcome, b: InviteOutcome) -> Bool {
        a.invited == b.invited && a.refused.map(\.email) == b.refused.map(\.email)
            && a.refused.map(\.problem) == b.refused.map(\.problem)
    }
}

/// Why an invitation link cannot be used, with who to ask.
public enum InvitationProblem: Error, Equatable, Sendable {
    case unknown
    case expired
    case revoked
    case used
    /// The signed-in person's email is not the invited one.
    case otherAccount(invited: String)
    /// The invited email already has an account: sign in to accept.
    case accountExists
    /// Every seat is taken: joining would pass the organization's member limit.
    case seatLimit(limit: Int)
}

/// An invitation as its link shows it.
public struct InvitationView: Sendable, Equatable {
    public var invitation: Invitation
    public var state: InvitationState
    public var orgKey: String
    public var orgName: String
    public var inviterName: String?
    public var inviterEmail: String?
    public var hasAccount: Bool
    /// The account with the invited email was created through the link and awaits confirmation.
    public var accountUnconfirmed = false
}

extension AppDatabase {
    /// Splits the text of the invite box into addresses: commas, semicolons and line breaks.
    public static func inviteAddresses(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == ";" || $0.isNewline })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Invites each address on its own: the valid ones are invited (row, outbox email and audit
    /// entry in one transaction) and the others come back with their reason.
    /// `enforcePlan` (SaaS mode): the plan's seats count members and pending invitations too.
    public func invite(
        orgKey: String, addresses: [String], role: Role, message: String = "", enforcePlan: Bool = false, by actor: Actor
    ) throws -> InviteOutcome {
        var errors = FieldErrors()
        TextRules.checkMultiLine(
            message, field: "message", label: "Personal message",
            maxLength: InvitationRules.maxMessageLength, into: &errors)
        if addresses.isEmpty { errors.add("emails", "Enter at least one email address.") }
        if addresses.count > InvitationRules.maxPerRequest {
            errors.add("emails", "Invite at most \(InvitationRules.maxPerRequest) addresses at once (you entered \(addresses.count)).")
        }
        if role == .owner { errors.add("role", "Invite as Admin or Member; make someone an Owner after they join.") }
        try errors.throwIfAny()
        return try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageMembers)
            let now = self.now()
            let orgId = access.org.id!
            let taken = try Self.memberCounts(db, orgId: orgId, now: now).total
            var seatsLeft = access.org.memberLimit - taken
            let plan = try Self.plan(db, orgId: orgId)
            var planSeatsLeft = enforcePlan ? plan.seats - taken : Int.max
            var outcome = InviteOutcome()
            var seen = Set<String>()
            for typed in addresses {
                let address = EmailRules.normalized(typed)
                let lowered = address
                if !EmailRules.isPlausible(address) {
                    outcome.refused.append((address, .malformed)); continue
                }
                // A repeated address is the same request: the first copy is judged, the others dropped.
                if !seen.insert(lowered).inserted { continue }
                if try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM membership m JOIN user u ON u.id = m.userId WHERE m.orgId = ? AND u.email = ? COLLATE NOCASE)
                        """, arguments: [orgId, address])!
                {
                    outcome.refused.append((address, .alreadyMember)); continue
                }
                if let open = try Invitation.filter(
                    Column("orgId") == orgId && Column("status") == "pending"
                        && Column("email").collating(.nocase) == address
                ).fetchOne(db) {
                    // An expired invitation does not block a new one: it is replaced.
                    if open.expiresAt > now { outcome.refused.append((address, .alreadyInvited)); continue }
                    try db.execute(sql: "UPDATE invitation SET status = 'revoked', closedAt = ? WHERE id = ?", arguments: [now, open.id!])
                }
                // The organization's own member limit first: when both are reached, raising it is the nearer fix.
                if seatsLeft <= 0 { outcome.refused.append((address, .seatLimit)); continue }
                if planSeatsLeft <= 0 { outcome.refused.append((address, .planSeats(plan: plan.name, seats: plan.seats))); continue }
                seatsLeft -= 1
                planSeatsLeft -= 1
                var invitation = Invitation(
                    id: nil, orgId: orgId, email: address, role: role, linkNonce: Data(), tokenHash: Data(),
                    status: .pending, invitedBy: actor.user.id, acceptedBy: nil, createdAt: now,
                    sentAt: now, expiresAt: now.addingTimeInterval(InvitationRules.lifetime),
                    closedAt: nil, version: 1, message: message)
                links.renew(&invitation)
                try invitation.insert(db)
                try Self.queueInvitationMail(db, invitation, now: now)
                try AuditEvent(
                    org: orgId, actor: actor, action: .invitationCreate, target: "invitation:\(invitation.id!)",
                    summary: "invited \(address) as \(role.rawValue)", at: now
                ).insert(db)
                outcome.invited.append(address)
            }
            return outcome
        }
    }

    /// Sends the invitation again with a new link (the old one stops working) and a new expiry.
    public func resendInvitation(orgKey: String, id: Int64, expectedVersion: Int, by actor: Actor) throws -> Invitation {
        try writer.write { db in
            let (access, invitation) = try Self.openInvitation(db, orgKey: orgKey, id: id, actor: actor, expectedVersion: expectedVersion)
            let now = self.now()
            var renewed = invitation
            links.renew(&renewed)
            renewed.sentAt = now
            renewed.expiresAt = now.addingTimeInterval(InvitationRules.lifetime)
            renewed.version += 1
            try renewed.update(db)
            try db.execute(
                sql: "UPDATE outbox SET status = 'cancelled' WHERE invitationId = ? AND status IN ('queued', 'failed')",
                arguments: [id])
            try Self.queueInvitationMail(db, renewed, now: now)
            try AuditEvent(
                org: access.org.id, actor: actor, action: .invitationResend, target: "invitation:\(id)",
                summary: "resent to \(invitation.email)", at: now
            ).insert(db)
            return renewed
        }
    }

    public func revokeInvitation(orgKey: String, id: Int64, expectedVersion: Int, by actor: Actor) throws {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageMembers)
            if let closed = try Invitation.fetchOne(db, key: id), closed.orgId == access.org.id, closed.status != .pending {
                throw closed.status == .revoked
                    ? InvitationClosed.alreadyRevoked(closed.email) : InvitationClosed.alreadyAccepted(closed.email)
            }
            let (_, invitation) = try Self.openInvitation(db, orgKey: orgKey, id: id, actor: actor, expectedVersion: expectedVersion)
            let now = self.now()
            try db.execute(
                sql: "UPDATE invitation SET status = 'revoked', closedAt = ?, version = version + 1 WHERE id = ?",
                arguments: [now, id])
            try db.execute(
                sql: "UPDATE outbox SET status = 'cancelled' WHERE invitationId = ? AND status IN ('queued', 'failed')",
                arguments: [id])
            try AuditEvent(
                org: access.org.id, actor: actor, action: .invitationRevoke, target: "invitation:\(id)",
                summary: "revoked invitation of \(invitation.email)", at: now
            ).insert(db)
        }
    }

    static func openInvitation(_ db: Database, orgKey: String, id: Int64, actor: Actor, expectedVersion: Int) throws -> (
        OrgAccess, Invitation
    ) {
        let access = try access(db, orgKey: orgKey, userId: actor.user.id!)
        try access.require(.manageMembers)
        guard let invitation = try Invitation.fetchOne(db, key: id), invitation.orgId == access.org.id,
            invitation.status == .pending
        else { throw DomainError.notFound }
        guard invitation.version == expectedVersion else { throw DomainError.staleVersion }
        return (access, invitation)
    }

    static func queueInvitationMail(_ db: Database, _ invitation: Invitation, now: Date) throws {
        var message = OutboxMessage(
            id: nil, orgId: invitation.orgId, kind: "invitation", invitationId: invitation.id,
            recipient: invitation.email, status: .queued, attempts: 0, nextAttemptAt: now,
            lastError: nil, createdAt: now, sentAt: nil)
        try message.insert(db)
    }
}
