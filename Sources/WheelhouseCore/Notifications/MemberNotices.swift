import Foundation
import GRDB

/// The notifications of membership changes, raised in the transaction of the change. The person
/// who acted is never told about their own action.
extension AppDatabase {
    static func membersLink(_ org: Organization) -> String { "/orgs/\(org.key)/settings/members" }

    static func personName(_ db: Database, _ userId: Int64) throws -> String {
        try String.fetchOne(db, sql: "SELECT name FROM user WHERE id = ?", arguments: [userId]) ?? "Someone"
    }

    /// "Your role in Acme is now Admin", to the person whose role changed.
    static func tellRoleChanged(_ db: Database, org: Organization, userId: Int64, role: Role, by actor: Actor, now: Date) throws {
        guard userId != actor.user.id else { return }
        try notify(
            db, userId: userId, orgId: org.id, kind: .roleChanged,
            title: "\(actor.user.name) changed your role in \(org.displayName) to \(role.rawValue.capitalized)", link: membersLink(org),
            now: now)
    }

    /// A member left (`removedBy` nil) or was removed: the Owners and Admins are told, and a
    /// removed person is told on their own (with no link: the organization is closed to them now).
    static func tellMemberGone(_ db: Database, org: Organization, userId: Int64, removedBy: Actor?, now: Date) throws {
        let name = try personName(db, userId)
        if let removedBy {
            try notify(
                db, userId: userId, orgId: org.id, kind: .removedYou,
                title: "\(removedBy.user.name) removed you from \(org.displayName)", link: nil, now: now)
        }
        let title =
            removedBy.map { "\($0.user.name) removed \(name) from \(org.displayName)" } ?? "\(name) left \(org.displayName)"
        try notifyAdmins(
            db, orgId: org.id!, except: [userId, removedBy?.user.id ?? userId], kind: .memberLeft, title: title,
            link: membersLink(org), now: now)
    }

    /// Someone joined through an invitation: its sender is told their invitation was accepted,
    /// and the other Owners and Admins that a member joined.
    static func tellJoined(_ db: Database, org: Organization, invitation: Invitation, joiner: User, now: Date) throws {
        var told: Set<Int64> = [joiner.id!]
        if let inviter = invitation.invitedBy, inviter != joiner.id,
            try Membership.fetchOne(db, key: ["orgId": org.id!, "userId": inviter]) != nil
        {
            try notify(
                db, userId: inviter, orgId: org.id, kind: .invitationAccepted,
                title: "\(joiner.name) accepted your invitation to \(org.displayName)", link: membersLink(org), now: now)
            told.insert(inviter)
        }
        try notifyAdmins(
            db, orgId: org.id!, except: told, kind: .memberJoined,
            title: "\(joiner.name) joined \(org.displayName) as \(invitation.role.rawValue.capitalized)", link: membersLink(org), now: now)
    }
}
