import Foundation
import GRDB

/// "New organization" from the org switcher: a signed-in person founds one and becomes its Owner.
public enum NewOrganizationRules {
    /// Organizations one person may found (and still own) in `window`: enough for any honest use,
    /// and a script with a stolen session cannot fill the database with them.
    public static let perPerson = 10
    public static let window: TimeInterval = 24 * 3600
}

extension AppDatabase {
    /// Creates the organization on `plan` (the web passes Free in SaaS mode, where plans limit
    /// use) with `actor` as its Owner and their default workspace, audited as the first entry of
    /// its log. The key is checked like every org key and never changes afterwards; a taken key is
    /// a field error.
    @discardableResult
    public func createOrganization(name: String, key: String, plan: Plan = .free, by actor: Actor) throws -> Organization {
        var errors = FieldErrors()
        TextRules.checkSingleLine(name, field: "org_name", label: "Organization name", required: true, maxLength: 100, into: &errors)
        if !OrgKeyRules.isValid(key) {
            errors.add(
                "org_key", "The org key must be 2–40 characters: lowercase letters, digits and dashes, starting with a letter or digit.")
        }
        try errors.throwIfAny()
        let now = self.now()
        do {
            return try writer.write { db in
                guard try User.fetchOne(db, key: actor.user.id!) != nil else { throw DomainError.notFound }
                if try Organization.filter(Organization.Columns.key == key).fetchCount(db) > 0 { throw Self.keyTaken(key) }
                // Counted in the write, so parallel posts cannot all slip under the limit.
                let founded =
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT count(*) FROM membership m JOIN organization o ON o.id = m.orgId
                            WHERE m.userId = ? AND m.role = 'owner' AND o.createdAt > ?
                            """, arguments: [actor.user.id!, now.addingTimeInterval(-NewOrganizationRules.window)]) ?? 0
                if founded >= NewOrganizationRules.perPerson {
                    var errors = FieldErrors()
                    errors.addForm(
                        "You have founded \(NewOrganizationRules.perPerson) organizations in the last 24 hours, the most allowed. Try again tomorrow."
                    )
                    throw DomainError.invalid(errors)
                }
                var org = Organization(
                    id: nil, key: key, displayName: name, description: "", logoFile: nil, memberLimit: 25, version: 1,
                    createdAt: now, updatedAt: now)
                try org.insert(db)
                try db.execute(sql: "UPDATE organization SET plan = ? WHERE id = ?", arguments: [plan.id, org.id!])
                try Membership(orgId: org.id!, userId: actor.user.id!, role: .owner, createdAt: now).insert(db)
                try Self.ensureDefaultWorkspace(db, orgId: org.id!, user: actor.user, now: now)
                try AuditEvent(
                    org: org.id, actor: actor, action: .organizationCreate, target: "org:\(org.key)",
                    summary: "created “\(name)” with owner \(actor.user.email), plan \(plan.name)", at: now
                ).insert(db)
                return org
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            // Two founders racing for one key: the second is told, as if it had been taken before.
            throw Self.keyTaken(key)
        }
    }

    private static func keyTaken(_ key: String) -> DomainError {
        var errors = FieldErrors()
        errors.add("org_key", "The org key “\(key)” is already taken. Choose another.")
        return .invalid(errors)
    }
}
