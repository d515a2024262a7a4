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

/// One line of the Members list: an active member or an open invitation.
public struct MemberEntry: Sendable, Equatable {
    public enum Status: String, Sendable {
        case active, invited, expired

        public var title: String {
            switch self {
            case .active: "Active"
            case .invited: "Invited"
            case .expired: "Expired"
            }
        }
    }

    public var userId: Int64?
    public var invitationId: Int64?
    public var name: String
    public var email: String
    public var role: Role
    public var status: Status
    /// Joined for members, invited (last sent) for invitations.
    public var since: Date
    public var lastActive: Date?
    public var expiresAt: Date?
    public var version: Int
    /// For invitations: the state of its email (`queued`, `sent`, `failed`) and the last error.
    public var delivery: String?
    public var deliveryError: String?
    /// For invitations: the token of its current link, for admins to copy.
    public var linkToken: String?
}

public struct MembersQuery: Sendable, Equatable {
    public enum Sort: String, Sendable, CaseIterable { case name, role }
    public var search: String
    public var sort: Sort
    public var page: Int

    public static let pageSize = 50

    public init(search: String = "", sort: Sort = .name, page: Int = 1) {
        self.search = search
        self.sort = sort
        self.page = min(max(1, page), 1_000_000)
    }
}

public struct MemberCounts: Sendable, Equatable {
    public var active: Int
    public var pending: Int
    public var total: Int { active + pending }
}

public struct MembersPage: Sendable {
    public var entries: [MemberEntry]
    public var counts: MemberCounts
    /// Entries matching the search, over all pages.
    public var matching: Int
    public var query: MembersQuery
    public var pageCount: Int { max(1, (matching + MembersQuery.pageSize - 1) / MembersQuery.pageSize) }
}

extension AppDatabase {
    /// The Members list: members and open invitations together, searched, sorted and paged in SQL.
    public func membersPage(orgId: Int64, _ query: MembersQuery) throws -> MembersPage {
        let now = self.now()
        return try reader.read { db in
            let pattern = "%" + query.search.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
            // Only what searching, sorting and counting need is read for every row; the details
            // (last active, delivery state) are read for the page's rows alone. Each half is
            // filtered and ordered on its own (invitations by an index), so SQLite merges the two
            // instead of sorting everything: the page costs about the same with 10 000 pending
            // invitations as with 10.
            func matching(_ columns: String...) -> String {
                query.search.isEmpty ? ""
                    : "AND (" + columns.map { "\($0) LIKE :pattern ESCAPE '\\'" }.joined(separator: " OR ") + ")"
            }
            let union = """
                SELECT u.id AS userId, NULL AS invitationId, u.name AS name, u.email AS email, m.role AS role,
                       CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END AS rank
                FROM membership m JOIN user u ON u.id = m.userId
                WHERE m.orgId = :org \(matching("u.name", "u.email"))
                UNION ALL
                SELECT NULL, i.id, i.email, i.email, i.role, CASE i.role WHEN 'admin' THEN 1 ELSE 2 END
                FROM invitation i
                WHERE i.orgId = :org AND i.status = 'pending' \(matching("i.email"))
                """
            func order(_ p: String) -> String {
                (query.sort == .role ? "\(p)rank, " : "") + "\(p)name COLLATE NOCASE, \(p)email"
            }
            let arguments: StatementArguments = ["org": orgId, "now": now, "pattern": pattern,
                                                 "limit": MembersQuery.pageSize,
                                                 "offset": (query.page - 1) * MembersQuery.pageSize]
            // Without a search, the two counts come from indexes alone.
            // Four shapes of SQL at most (search or not, by name or role): prepared once per
            // connection and kept.
            let total = try Int.fetchOne(db.cachedStatement(sql: query.search.isEmpty ? """
                SELECT (SELECT count(*) FROM membership WHERE orgId = :org)
                     + coalesce((SELECT pending FROM invitationTally WHERE orgId = :org), 0)
                """ : "SELECT count(*) FROM (\(union))"), arguments: arguments) ?? 0
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                WITH page AS (\(union) ORDER BY \(order("")) LIMIT :limit OFFSET :offset)
                SELECT p.userId, p.invitationId, p.name, p.email, p.role,
                       CASE WHEN p.userId IS NOT NULL THEN 'active' WHEN i.expiresAt <= :now THEN 'expired'
                            ELSE 'invited' END AS status,
                       unixepoch(coalesce(m.createdAt, i.sentAt)) AS since,
                       unixepoch((SELECT max(lastSeenAt) FROM session s WHERE s.userId = p.userId)) AS lastActive,
                       unixepoch(i.expiresAt), coalesce(m.version, i.version) AS version,
                       o.status AS delivery, o.lastError AS deliveryError, i.linkNonce
                FROM page p
                LEFT JOIN membership m ON p.userId IS NOT NULL AND m.orgId = :org AND m.userId = p.userId
                LEFT JOIN invitation i ON i.id = p.invitationId
                LEFT JOIN outbox o ON o.id = (SELECT max(id) FROM outbox WHERE invitationId = p.invitationId)
                ORDER BY \(order("p."))
                """), arguments: arguments)
            // Read in place from the statement (no copied rows), by position in the SELECT's order.
            // Times come as seconds since 1970 (stored times are whole seconds): decoding GRDB's
            // date text costs a calendar conversion each, three per row.
            func date(_ seconds: Int64?) -> Date? { seconds.map { Date(timeIntervalSince1970: TimeInterval($0)) } }
            let entries = try Array(rows.map { row in
                MemberEntry(userId: row[0], invitationId: row[1], name: row[2], email: row[3],
                            role: Role(rawValue: row[4] as String) ?? .member, status: MemberEntry.Status(rawValue: row[5]) ?? .active,
                            since: date(row[6]) ?? Date(timeIntervalSince1970: 0), lastActive: date(row[7]), expiresAt: date(row[8]),
                            version: row[9], delivery: row[10], deliveryError: row[11],
                            linkToken: (row[12] as Data?).map { links.token(nonce: $0) })
            })
            return MembersPage(entries: entries, counts: try Self.memberCounts(db, orgId: orgId, now: now),
                               matching: total, query: query)
        }
    }

    /// Pending invitations that have not expired: the tally of pending ones less the expired ones,
    /// which the expiry index finds without reading the others.
    static func memberCounts(_ db: Database, orgId: Int64, now: Date) throws -> MemberCounts {
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT (SELECT count(*) FROM membership WHERE orgId = ?1),
                   coalesce((SELECT pending FROM invitationTally WHERE orgId = ?1), 0)
                   - (SELECT count(*) FROM invitation WHERE orgId = ?1 AND status = 'pending' AND expiresAt <= ?2)
            """), arguments: [orgId, now])!
        return MemberCounts(active: row[0], pending: row[1])
    }

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
            try db.execute(sql: "UPDATE membership SET role = ?, version = version + 1 WHERE orgId = ? AND userId = ?",
                           arguments: [role, access.org.id!, userId])
            try AuditEvent(org: access.org.id, actor: actor, action: .memberRole, target: "user:\(userId)",
                           summary: "role: \(member.role.rawValue) → \(role.rawValue)", at: now()).insert(db)
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
            try AuditEvent(org: access.org.id, actor: actor, action: .memberRemove, target: "user:\(userId)",
                           summary: "removed \(email) (\(member.role.rawValue))", at: now()).insert(db)
        }
    }

    /// The signed-in person leaves the organization. The last Owner cannot.
    public func leave(orgKey: String, by actor: Actor) throws {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            if access.role == .owner, try Self.ownerCount(db, orgId: access.org.id!) == 1 { throw MembershipRule.lastOwner }
            try Self.dropMembership(db, orgId: access.org.id!, userId: actor.user.id!)
            try AuditEvent(org: access.org.id, actor: actor, action: .memberLeave, target: "user:\(actor.user.id!)",
                           summary: "\(actor.user.email) left (\(access.role.rawValue))", at: now()).insert(db)
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
            try db.execute(sql: "UPDATE membership SET role = 'owner', version = version + 1 WHERE orgId = ? AND userId = ?",
                           arguments: [access.org.id!, userId])
            try db.execute(sql: "UPDATE membership SET role = 'admin', version = version + 1 WHERE orgId = ? AND userId = ?",
                           arguments: [access.org.id!, actor.user.id!])
            try AuditEvent(org: access.org.id, actor: actor, action: .organizationTransfer, target: "user:\(userId)",
                           summary: "ownership: \(actor.user.email) → user \(userId) (was \(member.role.rawValue))",
                           at: now()).insert(db)
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
        for sql in ["DELETE FROM teamMember WHERE userId = ?2 AND teamId IN (SELECT id FROM team WHERE orgId = ?1)",
                    "DELETE FROM workspaceAccess WHERE userId = ?2 AND workspaceId IN (SELECT id FROM workspace WHERE orgId = ?1)",
                    "DELETE FROM membership WHERE orgId = ?1 AND userId = ?2"] {
            try db.execute(sql: sql, arguments: [orgId, userId])
        }
    }
}
