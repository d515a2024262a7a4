import Foundation
import GRDB

/// The organization as `GET /api/v1/org` shows it.
public struct APIOrgView: Sendable {
    public var org: Organization
    public var plan: Plan
    public var members: Int
    public var sharedWorkspaces: Int
    public var trainingOptOut: Bool

    public init(org: Organization, plan: Plan, members: Int, sharedWorkspaces: Int, trainingOptOut: Bool) {
        (self.org, self.plan, self.members, self.sharedWorkspaces, self.trainingOptOut) = (
            org, plan, members, sharedWorkspaces, trainingOptOut
        )
    }
}

/// One member as the API lists them.
public struct APIMember: Sendable, Equatable {
    public var userId: Int64
    public var name: String
    public var email: String
    public var role: Role
    public var joinedAt: Date
}

/// A page of a keyset-paginated list: `next` is the cursor of the page after it, nil on the last.
public struct APIPage<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: Int64?
}

extension AppDatabase {
    /// Rows per API page unless the caller asks for fewer; never more.
    public static let apiPageLimit = 100

    /// The organization of a key, remembered per reader connection until something is committed
    /// (it is read on every `GET /org`, the API's cheapest and most frequent call).
    public func apiOrganization(orgId: Int64) throws -> APIOrgView {
        try threadReaders.read(or: reader) { db in
            try apiOrgReads.value(db, key: String(orgId)) { db in
                guard let org = try Organization.fetchOne(db, key: orgId) else { throw DomainError.notFound }
                let members = try Int.fetchOne(db, sql: "SELECT count(*) FROM membership WHERE orgId = ?", arguments: [orgId]) ?? 0
                let shared =
                    try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM workspace WHERE orgId = ? AND isShared AND archivedAt IS NULL", arguments: [orgId])
                    ?? 0
                return APIOrgView(
                    org: org, plan: try Self.plan(db, orgId: orgId), members: members, sharedWorkspaces: shared,
                    trainingOptOut: try PrivacySchema.setting(db, orgId: orgId).training.optedOut)
            }
        }
    }

    /// Members by user id, after the cursor: a keyset, so a page never repeats or skips a member
    /// when others join meanwhile. Masked as an Admin sees them when PII masking is on.
    public func apiMembers(orgId: Int64, after cursor: Int64?, limit: Int) throws -> APIPage<APIMember> {
        try reader.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT u.id, u.name, u.email, m.role, m.createdAt FROM membership m JOIN user u ON u.id = m.userId
                    WHERE m.orgId = ? AND m.userId > ? ORDER BY m.userId LIMIT ?
                    """, arguments: [orgId, cursor ?? 0, limit + 1])
            var members = rows.prefix(limit).map { row in
                APIMember(userId: row[0], name: row[1], email: row[2], role: Role(rawValue: row[3]) ?? .member, joinedAt: row[4])
            }
            if let mask = try Self.piiMask(db, orgId: orgId, viewer: .admin) {
                members = members.map { member in
                    let shown = mask.user(
                        User(id: member.userId, email: member.email, name: member.name, passwordHash: "", createdAt: member.joinedAt))
                    var masked = member
                    (masked.name, masked.email) = (shown.name, shown.email)
                    return masked
                }
            }
            return APIPage(items: members, next: rows.count > limit ? members.last?.userId : nil)
        }
    }

    /// The organization's shared workspaces (personal ones belong to their person), by id after the cursor.
    public func apiWorkspaces(orgId: Int64, after cursor: Int64?, limit: Int) throws -> APIPage<Workspace> {
        try reader.read { db in
            let rows = try Workspace.fetchAll(
                db, sql: "SELECT * FROM workspace WHERE orgId = ? AND isShared AND id > ? ORDER BY id LIMIT ?",
                arguments: [orgId, cursor ?? 0, limit + 1])
            let page = Array(rows.prefix(limit))
            return APIPage(items: page, next: rows.count > limit ? page.last?.id : nil)
        }
    }

    /// One shared workspace by key; another organization's, or a personal one, is not found.
    public func apiWorkspace(orgId: Int64, key: String) throws -> Workspace {
        try reader.read { db in
            guard
                let workspace = try Workspace.fetchOne(
                    db, sql: "SELECT * FROM workspace WHERE orgId = ? AND key = ? AND isShared", arguments: [orgId, key])
            else { throw DomainError.notFound }
            return workspace
        }
    }

    /// Audit entries, newest first, older than the cursor; masked as an Admin sees them.
    public func apiAuditEvents(orgId: Int64, filter: AuditFilter, before cursor: Int64?, limit: Int) throws -> APIPage<AuditLogEntry> {
        try reader.read { db in
            var page = try Self.auditLogPage(db, orgId: orgId, filter: filter, from: cursor.map { .before($0) } ?? .newest, size: limit)
            if let mask = try Self.piiMask(db, orgId: orgId, viewer: .admin) { page.entries = page.entries.map(mask.entry) }
            return APIPage(items: page.entries, next: page.hasOlder ? page.entries.last?.event.id : nil)
        }
    }

    /// The person a key acts as in the audit log: its maker. A key whose maker's account is gone,
    /// or who is no longer a member, cannot change anything (reads still work).
    public func apiActor(keyId: Int64, address: String, userAgent: String) throws -> Actor {
        try reader.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT u.*, k.name AS keyName FROM apiKey k JOIN user u ON u.id = k.createdBy
                    JOIN membership m ON m.userId = u.id AND m.orgId = k.orgId WHERE k.id = ?
                    """,
                arguments: [keyId])
            guard let row else { throw APIWriteRefusal.makerGone }
            let client = "API key “\(row["keyName"] as String)”" + (userAgent.isEmpty ? "" : " · " + userAgent)
            return Actor(user: try User(row: row), address: address, userAgent: String(client.prefix(300)))
        }
    }
}

/// Why a key that authenticated may still not change anything.
public enum APIWriteRefusal: Error, Sendable {
    /// The account that made the key no longer exists, or is no longer a member of the key's
    /// organization: changes need a person of the organization to answer for them.
    case makerGone
}
