import Foundation
import GRDB

/// How long an organization keeps its audit entries. Forever is the default, so no existing
/// entry disappears until an Owner chooses a window.
public enum AuditRetention: Int, CaseIterable, Sendable {
    case days30 = 30
    case days90 = 90
    case days365 = 365
    /// Stored as 0 (a CHECK keeps the column to the four values).
    case forever = 0

    /// The window in days; nil keeps everything.
    public var days: Int? { self == .forever ? nil : rawValue }

    /// The form's value for the choice (`30`, `90`, `365`, `forever`).
    public var formValue: String { self == .forever ? "forever" : String(rawValue) }

    public init?(formValue: String) {
        guard let match = Self.allCases.first(where: { $0.formValue == formValue }) else { return nil }
        self = match
    }

    /// Whether a plan that keeps at most `cap` offers this choice.
    public func fits(under cap: AuditRetention) -> Bool {
        cap == .forever || (self != .forever && rawValue <= cap.rawValue)
    }

    /// What is kept when this is chosen under `cap`: the shorter of the two.
    public func capped(by cap: AuditRetention) -> AuditRetention { fits(under: cap) ? self : cap }

    public var title: String {
        switch self {
        case .days30: "30 days"
        case .days90: "90 days"
        case .days365: "365 days"
        case .forever: "Forever"
        }
    }
}

/// An organization's retention as stored, with the version its form carries (0: never set).
public struct AuditRetentionSetting: Sendable, Equatable {
    public var retention: AuditRetention
    public var version: Int

    public init(retention: AuditRetention, version: Int) {
        self.retention = retention
        self.version = version
    }
}

enum AuditRetentionSchema {
    static let sql = """
        CREATE TABLE auditRetention (
            orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
            days INTEGER NOT NULL CHECK (days IN (0, 30, 90, 365)),
            version INTEGER NOT NULL CHECK (version > 0),
            updatedAt DATETIME NOT NULL
        );
        """

    static func setting(_ db: Database, orgId: Int64) throws -> AuditRetentionSetting {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT days, version FROM auditRetention WHERE orgId = ?"), arguments: [orgId])
        guard let row else { return AuditRetentionSetting(retention: .forever, version: 0) }
        return AuditRetentionSetting(retention: AuditRetention(rawValue: row[0]) ?? .forever, version: row[1])
    }
}

extension AppDatabase {
    /// The organization's audit retention (forever when never set).
    public func auditRetention(orgId: Int64) throws -> AuditRetentionSetting {
        try reader.read { db in try AuditRetentionSchema.setting(db, orgId: orgId) }
    }

    /// Owner only (`manageAuditRetention`). `value` is the form's (`30`, `90`, `365`, `forever`);
    /// anything else is refused beside the `retention` field, and so is, with `enforcePlan` (SaaS
    /// mode), a period longer than the plan offers. A stale `expectedVersion` throws
    /// `staleVersion`. The change and its audit entry are one transaction; choosing the current
    /// value writes nothing.
    @discardableResult
    public func setAuditRetention(
        orgKey: String, value: String, expectedVersion: Int, enforcePlan: Bool = false, by actor: Actor
    ) throws -> AuditRetentionSetting {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageAuditRetention)
            guard let retention = AuditRetention(formValue: value) else {
                var errors = FieldErrors()
                errors.add("retention", "Choose 30, 90 or 365 days, or forever.")
                throw DomainError.invalid(errors)
            }
            let orgId = access.org.id!
            let plan = try Self.plan(db, orgId: orgId)
            if enforcePlan, !retention.fits(under: plan.auditRetentionCap) {
                var errors = FieldErrors()
                errors.add(
                    "retention",
                    "The \(plan.name) plan keeps audit entries for at most \(plan.auditRetentionCap.title.lowercased()). "
                        + "Choose a shorter period, or change plan on Billing.")
                throw DomainError.invalid(errors)
            }
            let before = try AuditRetentionSchema.setting(db, orgId: orgId)
            guard before.version == expectedVersion else { throw DomainError.staleVersion }
            guard retention != before.retention else { return before }
            let now = self.now()
            let after = AuditRetentionSetting(retention: retention, version: before.version + 1)
            try db.execute(
                sql: """
                    INSERT INTO auditRetention (orgId, days, version, updatedAt) VALUES (?, ?, ?, ?)
                    ON CONFLICT (orgId) DO UPDATE SET days = excluded.days, version = excluded.version, updatedAt = excluded.updatedAt
                    """, arguments: [orgId, retention.rawValue, after.version, now])
            try AuditEvent(
                org: orgId, actor: actor, action: .auditRetention, target: "org:\(access.org.key)",
                summary: "audit retention \(before.retention.title.lowercased()) → \(retention.title.lowercased())", at: now
            ).insert(db)
            return after
        }
    }
}
