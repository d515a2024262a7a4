import Foundation
import GRDB

/// The rules of membership that are not a matter of role alone (PRODUCT.md §3). Each is shown
/// next to the control that caused it.
public enum MembershipRule: Error, Equatable, Sendable {
    case lastOwner
    case adminCannotChangeOwner
    case adminCannotGrantOwner
    case notYourself
    case confirmationMismatch
    case transferToSelf

    public var message: String {
        switch self {
        case .lastOwner:
            "The last Owner cannot be removed, demoted or leave. Transfer ownership to another member first."
        case .adminCannotChangeOwner: "Only an Owner can change or remove an Owner."
        case .adminCannotGrantOwner: "Only an Owner can make someone an Owner."
        case .notYourself: "Use “Leave organization” to remove yourself, or ask another Admin."
        case .confirmationMismatch: "Type the org key exactly to confirm."
        case .transferToSelf: "You are already the Owner: choose another member to transfer ownership to."
        }
    }
}

extension AppDatabase {
    // MARK: - Changing members

    /// Changes a member's role. Admins never touch an Owner and never grant Owner; the last Owner
    /// is never demoted.
    public func changeRole(orgKey: String, userId: Int64, to role: Role, expectedVersion: Int, by actor: Actor) throws {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageMembers)
            let member = try Self.membership(db, orgId: access.org.id!, userId: userId)
            guard member.version == expectedVersion else { throw DomainError.staleVersion }
            if member.role == role { return }
            if access.role != .owner {
                if member.role == .owner { throw MembershipRule.adminCannotChangeOwner }
                if role == .owner { throw MembershipRule.adminCannotGrantOwner }
            }
            if member.role == .owner, try Self.ownerCount(db, orgId: access.org.id!) == 1 { throw MembershipRule.lastOwner }
            try db.execute(
                sql: "UPDATE membership SET role = ?, version = version + 1 WHERE orgId = ? AND userId = ?",
                arguments: [role, access.org.id!, userId])
            try AuditEvent(
                org: access.org.id, actor: actor, action: .memberRole, target: "user:\(userId)",
                summary: "role: \(member.role.rawValue) → \(role.rawValue)", at: now()
            ).insert(db)
            try Self.tellRoleChanged(db, org: access.org, userId: userId, role: role, by: actor, now: now())
        }
    }

    /// Removes a member (not oneself: that is `leave`). Their team places and workspace grants in
    /// this organization go with them; their default workspace stays, should they return.
    public func removeMember(orgKey: String, userId: Int64, expectedVersion: Int, by actor: Actor) throws {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageMembers)
            guard userId != actor.user.id else { throw MembershipRule.notYourself }
            let member = try Self.membership(db, orgId: access.org.id!, userId: userId)
            guard member.version == expectedVersion else { throw DomainError.staleVersion }
            if member.role == .owner {
                if access.role != .owner { throw MembershipRule.adminCannotChangeOwner }
                if try Self.ownerCount(db, orgId: access.org.id!) == 1 { throw MembershipRule.lastOwner }
            }
            try Self.dropMembership(db, orgId: access.org.id!, userId: userId)
            let email = try String.fetchOne(db, sql: "SELECT email FROM user WHERE id = ?", arguments: [userId]) ?? ""
            try AuditEvent(
                org: access.org.id, actor: actor, action: .memberRemove, target: "user:\(userId)",
                summary: "removed \(email) (\(member.role.rawValue))", at: now()
            ).insert(db)
            try Self.tellMemberGone(db, org: access.org, userId: userId, removedBy: actor, now: now())
        }
    }

    /// The signed-in person leaves the organization. The last Owner cannot.
    public func leave(orgKey: String, by actor: Actor) throws {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            if access.role == .owner, try Self.ownerCount(db, orgId: access.org.id!) == 1 { throw MembershipRule.lastOwner }
            try Self.dropMembership(db, orgId: access.org.id!, userId: actor.user.id!)
            try AuditEvent(
                org: access.org.id, actor: actor, action: .memberLeave, target: "user:\(actor.user.id!)",
                summary: "\(actor.user.email) left (\(access.role.rawValue))", at: now()
            ).insert(db)
            try Self.tellMemberGone(db, org: access.org, userId: actor.user.id!, removedBy: nil, now: now())
        }
    }

    /// Makes another member the Owner; the current Owner becomes an Admin. Confirmed by typing the
    /// org key.
    public func transferOwnership(orgKey: String, to userId: Int64, confirmation: String, by actor: Actor) throws {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.transferOwnership)
            guard userId != actor.user.id else { throw MembershipRule.transferToSelf }
            guard confirmation == access.org.key else { throw MembershipRule.confirmationMismatch }
            let member = try Self.membership(db, orgId: access.org.id!, userId: userId)
            try db.execute(
                sql: "UPDATE membership SET role = 'owner', version = version + 1 WHERE orgId = ? AND userId = ?",
                arguments: [access.org.id!, userId])
            try db.execute(
                sql: "UPDATE membership SET role = 'admin', version = version + 1 WHERE orgId = ? AND userId = ?",
                arguments: [access.org.id!, actor.user.id!])
            try AuditEvent(
                org: access.org.id, actor: actor, action: .organizationTransfer, target: "user:\(userId)",
                summary: "ownership: \(actor.user.email) → user \(userId) (was \(member.role.rawValue))",
                at: now()
            ).insert(db)
            try Self.tellRoleChanged(db, org: access.org, userId: userId, role: .owner, by: actor, now: now())
        }
    }

    static func membership(_ db: Database, orgId: Int64, userId: Int64) throws -> Membership {
        guard let member = try Membership.fetchOne(db, key: ["orgId": orgId, "userId": userId]) else {
            throw DomainError.notFound
        }
        return member
    }

    static func ownerCount(_ db: Database, orgId: Int64) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM membership WHERE orgId = ? AND role = 'owner'", arguments: [orgId]) ?? 0
    }

    static func dropMembership(_ db: Database, orgId: Int64, userId: Int64) throws {
        for sql in [
            "DELETE FROM teamMember WHERE userId = ?2 AND teamId IN (SELECT id FROM team WHERE orgId = ?1)",
            "DELETE FROM workspaceAccess WHERE userId = ?2 AND workspaceId IN (SELECT id FROM workspace WHERE orgId = ?1)",
            "DELETE FROM membership WHERE orgId = ?1 AND userId = ?2",
        ] {
            try db.execute(sql: sql, arguments: [orgId, userId])
        }
    }
}
