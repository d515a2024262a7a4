import Foundation
import GRDB

/// Deleting an organization: an Owner schedules it, it waits `grace` (30 days) during which
/// every change of it is refused and an Owner may cancel, then the background worker removes
/// every row of it (`OrgPurge`). Nothing is deleted while it waits, so cancelling restores
/// everything.
public enum OrgDeletionRules {
    public static let grace: TimeInterval = 30 * 86_400
    /// Reminder emails to every Owner this long before the purge, each sent once.
    public static let reminders: [(bit: Int, before: TimeInterval)] = [(1, 7 * 86_400), (2, 86_400)]

    /// A date as every deletion message prints it, in mail and on pages: `30 December 2026, 14:02 UTC`.
    public static func dateText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMMM yyyy, HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}

/// A scheduled deletion as the Compliance page shows it.
public struct PendingDeletion: Sendable, Equatable {
    public var requestedAt: Date
    public var requestedBy: String
    public var purgeAt: Date
}

enum OrgDeletionSchema {
    static let sql = """
        ALTER TABLE organization ADD COLUMN purgeAt DATETIME;
        ALTER TABLE organization ADD COLUMN deletionRequestedAt DATETIME;
        -- A user id without a foreign key: the tombstone keeps it after the account is gone.
        ALTER TABLE organization ADD COLUMN deletionRequestedBy INTEGER;
        -- Which reminder emails went out (bits of OrgDeletionRules.reminders).
        ALTER TABLE organization ADD COLUMN deletionReminders INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX organization_purge ON organization(purgeAt) WHERE purgeAt IS NOT NULL;
        """
}

extension AppDatabase {
    /// The organization's scheduled deletion, or nil.
    public func pendingDeletion(orgId: Int64) throws -> PendingDeletion? {
        try reader.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT o.deletionRequestedAt, o.purgeAt, coalesce(u.name, 'a former member')
                        FROM organization o LEFT JOIN user u ON u.id = o.deletionRequestedBy
                        WHERE o.id = ? AND o.purgeAt IS NOT NULL
                        """, arguments: [orgId])
            else { return nil }
            return PendingDeletion(requestedAt: row[0], requestedBy: row[2], purgeAt: row[1])
        }
    }

    /// Owner only. `confirmKey` must be the organization's key, typed. The organization is
    /// removed for good `OrgDeletionRules.grace` from now unless an Owner cancels. Every Owner is
    /// told by email and in the inbox, in the same transaction as the audit entry.
    @discardableResult
    public func scheduleDeletion(orgKey: String, confirmKey: String, expectedVersion: Int, by actor: Actor) throws -> Date {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!, duringDeletion: true)
            try access.require(.deleteOrganization)
            let org = access.org
            var errors = FieldErrors()
            if let purgeAt = org.purgeAt {
                errors.addForm("The deletion is already scheduled for \(OrgDeletionRules.dateText(purgeAt)).")
                throw DomainError.invalid(errors)
            }
            guard org.version == expectedVersion else { throw DomainError.staleVersion }
            guard confirmKey == org.key else {
                errors.add("confirm", "Type the organization key, \(org.key), exactly as shown.")
                throw DomainError.invalid(errors)
            }
            let now = self.now()
            let purgeAt = now.addingTimeInterval(OrgDeletionRules.grace)
            try db.execute(
                sql: """
                    UPDATE organization SET purgeAt = ?, deletionRequestedAt = ?, deletionRequestedBy = ?, deletionReminders = 0,
                        version = version + 1, updatedAt = ? WHERE id = ?
                    """, arguments: [purgeAt, now, actor.user.id!, now, org.id!])
            try AuditEvent(
                org: org.id, actor: actor, action: .organizationDeletionSchedule, target: "org:\(org.key)",
                summary: "deletion scheduled for \(OrgDeletionRules.dateText(purgeAt))", at: now
            ).insert(db)
            try Self.tellOwners(
                db, org: org, kind: .deletionScheduled, now: now,
                subject: "\(org.displayName) will be deleted on \(OrgDeletionRules.dateText(purgeAt))",
                body: """
                    \(actor.user.name) scheduled the deletion of the organization \(org.displayName) (\(org.key)) on Wheelhouse.

                    On \(OrgDeletionRules.dateText(purgeAt)) every member, workspace, credential, usage record and audit entry of it will be removed for good. Until then nothing in it can be changed, and any Owner can cancel the deletion on the Compliance tab.
                    """)
            return purgeAt
        }
    }

    /// Owner only: the organization is back as it was, every change allowed again.
    public func cancelDeletion(orgKey: String, expectedVersion: Int, by actor: Actor) throws {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!, duringDeletion: true)
            try access.require(.deleteOrganization)
            let org = access.org
            guard let purgeAt = org.purgeAt else {
                var errors = FieldErrors()
                errors.addForm("No deletion is scheduled, so there is nothing to cancel.")
                throw DomainError.invalid(errors)
            }
            guard org.version == expectedVersion else { throw DomainError.staleVersion }
            let now = self.now()
            try db.execute(
                sql: """
                    UPDATE organization SET purgeAt = NULL, deletionRequestedAt = NULL, deletionRequestedBy = NULL, deletionReminders = 0,
                        version = version + 1, updatedAt = ? WHERE id = ?
                    """, arguments: [now, org.id!])
            try AuditEvent(
                org: org.id, actor: actor, action: .organizationDeletionCancel, target: "org:\(org.key)",
                summary: "deletion planned for \(OrgDeletionRules.dateText(purgeAt)) cancelled", at: now
            ).insert(db)
            try Self.tellOwners(
                db, org: org, kind: .deletionCancelled, now: now,
                subject: "The deletion of \(org.displayName) was cancelled",
                body: """
                    \(actor.user.name) cancelled the deletion of the organization \(org.displayName) (\(org.key)) on Wheelhouse. Nothing was removed; it works as before.
                    """)
        }
    }

    /// Tells every Owner (by their preferences for `kind`: the inbox, and this email), with a
    /// link to the Compliance tab. The Owner who asked is told too, on purpose: the email is the
    /// receipt of an irreversible step, and the only trace of it should a stolen session ask.
    static func tellOwners(
        _ db: Database, org: Organization, kind: NotificationKind, now: Date, subject: String, body: String
    ) throws {
        let owners = try Int64.fetchAll(
            db, sql: "SELECT userId FROM membership WHERE orgId = ? AND role = 'owner' ORDER BY userId", arguments: [org.id!])
        for owner in owners {
            try notify(
                db, userId: owner, orgId: org.id, kind: kind, title: subject, link: "/orgs/\(org.key)/settings/compliance",
                mail: NoticeMail(subject: subject, body: body), now: now)
        }
    }
}
