import Foundation
import GRDB

/// The Owner's three changes on the Privacy tab. They share the one `version` of the
/// organization's `privacySetting` row, so a form opened before any other privacy change is
/// refused as stale. Each change and its audit entry are one transaction; saving what is
/// already stored writes nothing.
extension AppDatabase {
    /// `values` are the form's (`30`, `90`, `365`, `forever`) per data class; a missing or other
    /// value is refused beside that class's field (named by its raw value).
    @discardableResult
    public func setPrivacyRetention(
        orgKey: String, values: [PrivacyDataClass: String], expectedVersion: Int, by actor: Actor
    ) throws -> PrivacySetting {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.managePrivacy)
            var chosen: [PrivacyDataClass: AuditRetention] = [:]
            var errors = FieldErrors()
            for dataClass in PrivacyDataClass.allCases {
                if let window = values[dataClass].flatMap(AuditRetention.init(formValue:)) {
                    chosen[dataClass] = window
                } else {
                    errors.add(dataClass.rawValue, "Choose 30, 90 or 365 days, or forever.")
                }
            }
            try errors.throwIfAny()
            let orgId = access.org.id!
            let before = try PrivacySchema.setting(db, orgId: orgId)
            guard before.version == expectedVersion else { throw DomainError.staleVersion }
            let changed = PrivacyDataClass.allCases.filter { before.window($0) != chosen[$0] }
            guard !changed.isEmpty else { return before }
            let summary = changed.map { c in
                "\(c.title.lowercased()) \(before.window(c).title.lowercased()) → \(chosen[c]!.title.lowercased())"
            }.joined(separator: "; ")
            return try Self.savePrivacy(
                db, access: access, before: before, actor: actor, action: .privacyRetention, summary: summary,
                columns: PrivacyDataClass.allCases.map { ($0.column, chosen[$0]!.rawValue as any DatabaseValueConvertible) },
                now: self.now())
        }
    }

    /// `value` `on` or `off`: mask people outside an Admin's scope (see `PIIMask`).
    @discardableResult
    public func setPIIMasking(orgKey: String, value: String, expectedVersion: Int, by actor: Actor) throws -> PrivacySetting {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.managePrivacy)
            let on = try Self.switchValue(value, field: "masking")
            let before = try PrivacySchema.setting(db, orgId: access.org.id!)
            guard before.version == expectedVersion else { throw DomainError.staleVersion }
            guard on != before.masking else { return before }
            return try Self.savePrivacy(
                db, access: access, before: before, actor: actor, action: .privacyMasking,
                summary: "PII masking for Admins \(before.masking ? "on" : "off") → \(on ? "on" : "off")", columns: [("masking", on)],
                now: self.now())
        }
    }

    /// `value` `on` (opted out of model training) or `off`; who and when are kept with it.
    @discardableResult
    public func setTrainingOptOut(orgKey: String, value: String, expectedVersion: Int, by actor: Actor) throws -> PrivacySetting {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.managePrivacy)
            let on = try Self.switchValue(value, field: "training")
            let before = try PrivacySchema.setting(db, orgId: access.org.id!)
            guard before.version == expectedVersion else { throw DomainError.staleVersion }
            guard on != before.training.optedOut else { return before }
            let now = self.now()
            return try Self.savePrivacy(
                db, access: access, before: before, actor: actor, action: .privacyTraining,
                summary: "model training \(before.training.optedOut ? "opted out" : "allowed") → \(on ? "opted out" : "allowed")",
                columns: [("trainingOptOut", on), ("trainingBy", actor.user.id!), ("trainingAt", now)], now: now)
        }
    }

    static func switchValue(_ value: String, field: String) throws -> Bool {
        switch value {
        case "on": return true
        case "off": return false
        default:
            var errors = FieldErrors()
            errors.add(field, "Choose on or off.")
            throw DomainError.invalid(errors)
        }
    }

    /// Writes `columns` and the next version (creating the row at the first save) and the audit
    /// entry, in the caller's transaction.
    private static func savePrivacy(
        _ db: Database, access: OrgAccess, before: PrivacySetting, actor: Actor, action: AuditAction, summary: String,
        columns: [(String, any DatabaseValueConvertible)], now: Date
    ) throws -> PrivacySetting {
        let orgId = access.org.id!
        try db.execute(
            sql: "INSERT INTO privacySetting (orgId, version, updatedAt) VALUES (?, 1, ?) ON CONFLICT (orgId) DO NOTHING",
            arguments: [orgId, now])
        let sets = columns.map { "\($0.0) = ?" }.joined(separator: ", ")
        try db.execute(
            sql: "UPDATE privacySetting SET \(sets), version = ?, updatedAt = ? WHERE orgId = ?",
            arguments: StatementArguments(columns.map { $0.1 } + [before.version + 1, now, orgId]))
        try AuditEvent(org: orgId, actor: actor, action: action, target: "org:\(access.org.key)", summary: summary, at: now).insert(db)
        return try PrivacySchema.setting(db, orgId: orgId)
    }
}
