import Foundation
import GRDB

/// One line of the member list export: an active member or a pending invitation.
public struct MemberExportRow: Sendable, Equatable {
    public var name: String
    public var email: String
    public var role: Role
    /// `active`, `invited` or `expired`.
    public var status: String
    /// Joined (members) or last sent (invitations).
    public var since: Date
    public var lastActive: Date?
    public var expiresAt: Date?
}

extension AppDatabase {
    /// Everyone on the Members list, members first then invitations, each by name. Owners and
    /// Admins only (`manageMembers`): the export carries every address.
    public func memberExport(orgKey: String, by actor: Actor) throws -> [MemberExportRow] {
        let now = self.now()
        return try reader.read { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageMembers)
            let members = try Row.fetchAll(
                db,
                sql: """
                    SELECT u.name, u.email, m.role, m.createdAt,
                           (SELECT max(lastSeenAt) FROM session s WHERE s.userId = u.id) AS lastActive
                    FROM membership m JOIN user u ON u.id = m.userId WHERE m.orgId = ? ORDER BY u.name COLLATE NOCASE, u.email
                    """, arguments: [access.org.id!]
            ).map { row in
                MemberExportRow(name: row[0], email: row[1], role: row[2], status: "active", since: row[3], lastActive: row[4])
            }
            let invitations = try Invitation.filter(Column("orgId") == access.org.id! && Column("status") == "pending")
                .order(Column("email").collating(.nocase)).fetchAll(db).map { invitation in
                    MemberExportRow(
                        name: "", email: invitation.email, role: invitation.role,
                        status: invitation.expiresAt <= now ? "expired" : "invited", since: invitation.sentAt,
                        expiresAt: invitation.expiresAt)
                }
            return members + invitations
        }
    }
}
