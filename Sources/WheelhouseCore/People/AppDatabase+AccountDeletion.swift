import Foundation
import GRDB

/// "Delete my account": refused while the person is the last Owner of an organization (that
/// organization would be left without anyone able to run it); otherwise they leave every
/// organization, each audit log says so, and every row that is theirs alone goes with them.
public struct AccountDeletionBlocker: Sendable, Equatable {
    public var orgKey: String
    public var orgName: String
    /// Set while the organization is already scheduled for deletion.
    public var purgeAt: Date?
}

extension AppDatabase {
    /// The organizations whose last Owner the person is: each must get another Owner (or be
    /// deleted) before the account can go.
    public func accountDeletionBlockers(userId: Int64) throws -> [AccountDeletionBlocker] {
        try reader.read { db in try Self.accountDeletionBlockers(db, userId: userId) }
    }

    static func accountDeletionBlockers(_ db: Database, userId: Int64) throws -> [AccountDeletionBlocker] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT o.key, o.displayName, o.purgeAt FROM membership m JOIN organization o ON o.id = m.orgId
                WHERE m.userId = ? AND m.role = 'owner'
                    AND NOT EXISTS (SELECT 1 FROM membership x WHERE x.orgId = m.orgId AND x.role = 'owner' AND x.userId <> m.userId)
                ORDER BY o.displayName COLLATE NOCASE, o.key
                """, arguments: [userId]
        ).map { AccountDeletionBlocker(orgKey: $0[0], orgName: $0[1], purgeAt: $0[2]) }
    }

    /// Deletes the account of `actor` after checking their password (throttled like sign-in):
    /// every membership ends with an audit entry in that organization, then the person's row,
    /// and with it their sessions, secrets, chat-model choices, notifications and links. Audit
    /// entries they wrote stay (shown as "a deleted account", their email in the summaries). A last email
    /// confirms it to the address.
    public func deleteAccount(password: String, by actor: Actor, avatars: LogoStore?) throws {
        let now = self.now()
        guard let user = try reader.read({ db in try User.fetchOne(db, key: actor.user.id!) }) else { throw DomainError.notFound }
        var errors = FieldErrors()
        if password.isEmpty {
            try requireNoSignInWait(user, address: actor.address, now: now)
            errors.add("password", "Enter your password to confirm.")
        } else if try !passwordMatches(password, of: user, address: actor.address, now: now) {
            errors.add("password", "That is not your password.")
        }
        try errors.throwIfAny()
        let avatar = try writer.write { db -> String? in
            // Checked again inside the write: an ownership handed over meanwhile counts.
            let blockers = try Self.accountDeletionBlockers(db, userId: user.id!)
            if !blockers.isEmpty {
                var errors = FieldErrors()
                let names = blockers.map { "“\($0.orgName)”" }.joined(separator: ", ")
                errors.addForm("You are the last Owner of \(names). Make another member an Owner there first.")
                throw DomainError.invalid(errors)
            }
            let memberships = try Row.fetchAll(
                db, sql: "SELECT orgId, role FROM membership WHERE userId = ? ORDER BY orgId", arguments: [user.id!])
            for membership in memberships {
                let orgId: Int64 = membership[0]
                let role: String = membership[1]
                try Self.dropMembership(db, orgId: orgId, userId: user.id!)
                // The Owners and Admins hear of it as of anyone leaving (the person is still readable here).
                if let org = try Organization.fetchOne(db, key: orgId) {
                    try Self.tellMemberGone(db, org: org, userId: user.id!, removedBy: nil, now: now)
                }
                try AuditEvent(
                    org: orgId, actor: actor, action: .memberAccountDelete, target: "user:\(user.id!)",
                    summary: "\(user.email) deleted their account and left (\(role))", at: now
                ).insert(db)
            }
            let avatar = try String.fetchOne(db, sql: "SELECT avatarFile FROM user WHERE id = ?", arguments: [user.id!])
            try db.execute(sql: "DELETE FROM user WHERE id = ?", arguments: [user.id!])
            try db.execute(sql: "DELETE FROM loginFailure WHERE email = ? COLLATE NOCASE", arguments: [user.email])
            try Self.queueNotice(
                db, orgId: nil, recipient: user.email, subject: "Your Wheelhouse account was deleted",
                body: """
                    Hello \(user.name),

                    Your Wheelhouse account (\(user.email)) was deleted from a signed-in browser at the address \(actor.address). You have left every organization you belonged to.

                    If this was not you, tell an administrator of your organization at once.
                    """, now: now)
            return avatar
        }
        if let avatar, let avatars { try removeAvatarIfUnused(avatar, avatars: avatars) }
    }
}
