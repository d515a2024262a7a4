import Foundation
import GRDB

/// What the Auto-refill page shows besides the settings: where the next refill triggers, how
/// much of this month's cap is left, and whether switching on now would charge at once.
public struct AutoRefillStatus: Sendable, Equatable {
    public var settings: AutoRefillSettings
    public var balanceMicros: Int64
    public var spentThisMonthMinor: Int64
    public var capLeftMinor: Int64 { max(0, settings.monthlyCapMinor - spentThisMonthMinor) }
    public var refillsLastHour: Int
    public var hasCard: Bool
}

extension AppDatabase {
    public func autoRefillStatus(orgId: Int64) throws -> AutoRefillStatus {
        let now = self.now()
        return try reader.read { db in
            AutoRefillStatus(
                settings: try Self.autoRefillSettings(db, orgId: orgId),
                balanceMicros: try Self.creditBalance(db, orgId: orgId).balanceMicros,
                spentThisMonthMinor: try Self.refillSpentThisMonth(db, orgId: orgId, now: now),
                refillsLastHour: try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM payment WHERE orgId = ? AND kind = 'refill' AND createdAt > ?",
                    arguments: [orgId, now.addingTimeInterval(-3600)]) ?? 0,
                hasCard: try Self.billingProfile(db, orgId: orgId).card != nil)
        }
    }

    /// Owner only. Checks and saves auto-refill with its audit entry: the threshold positive, the
    /// target above it and at most the custom purchase's bound, the cap at least one refill
    /// (target − threshold); switching on needs a saved card. Switching on clears the failure
    /// count. Returns the saved settings; the caller then runs `refillIfNeeded` (after this
    /// commit) when the balance is already below the threshold.
    @discardableResult
    public func setAutoRefill(
        orgKey: String, enabled: Bool, thresholdMinor: Int64?, targetMinor: Int64?, capMinor: Int64?, expectedVersion: Int,
        currency: Currency, by actor: Actor
    ) throws -> AutoRefillSettings {
        try AutoRefillRules.check(threshold: thresholdMinor, target: targetMinor, cap: capMinor, currency: currency).throwIfAny()
        return try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageBilling)
            let orgId = access.org.id!
            let before = try Self.autoRefillSettings(db, orgId: orgId)
            guard before.version == expectedVersion else { throw DomainError.staleVersion }
            if enabled, try Self.billingProfile(db, orgId: orgId).card == nil {
                var errors = FieldErrors()
                errors.addForm("Save a card on Payment method before switching auto-refill on.")
                throw DomainError.invalid(errors)
            }
            let now = self.now()
            let switchedOn = enabled && !before.enabled
            try db.execute(
                sql: """
                    INSERT INTO autoRefill (orgId, enabled, thresholdMinor, targetMinor, monthlyCapMinor, version, updatedAt)
                    VALUES (?, ?, ?, ?, ?, 1, ?)
                    ON CONFLICT (orgId) DO UPDATE SET enabled = excluded.enabled, thresholdMinor = excluded.thresholdMinor,
                        targetMinor = excluded.targetMinor, monthlyCapMinor = excluded.monthlyCapMinor, version = version + 1,
                        updatedAt = excluded.updatedAt
                    """, arguments: [orgId, enabled, thresholdMinor!, targetMinor!, capMinor!, now])
            if switchedOn {
                try db.execute(
                    sql: "UPDATE autoRefill SET consecutiveFailures = 0, nextAttemptAt = NULL, lastNote = '' WHERE orgId = ?",
                    arguments: [orgId])
            }
            let text = { (m: Int64) in currency.format(minor: m) }
            try AuditEvent(
                org: orgId, actor: actor, action: .billingAutoRefillUpdate, target: "org:\(access.org.key)",
                summary: enabled
                    ? "auto-refill on: below \(text(thresholdMinor!)) → \(text(targetMinor!)), cap \(text(capMinor!)) a month"
                    : "auto-refill off", at: now
            ).insert(db)
            return try Self.autoRefillSettings(db, orgId: orgId)
        }
    }
}

extension AutoRefillRules {
    /// The form's checks: a threshold above zero, a target above it and at most the custom
    /// purchase's bound, a cap of at least one refill (target − threshold).
    public static func check(threshold: Int64?, target: Int64?, cap: Int64?, currency: Currency) -> FieldErrors {
        var errors = FieldErrors()
        if threshold == nil || threshold! <= 0 { errors.add("threshold", "Enter a threshold above zero, e.g. 10.") }
        if target == nil || target! > CreditPackages.customRange.upperBound {
            errors.add("target", "Enter a target of at most \(currency.format(minor: CreditPackages.customRange.upperBound)).")
        } else if let t = threshold, t > 0, target! <= t {
            errors.add("target", "The target must be above the threshold: a refill brings the balance up to it.")
        }
        if cap == nil || cap! <= 0 {
            errors.add("cap", "Enter a monthly cap above zero.")
        } else if let t = threshold, let target = target, target > t, cap! < target - t {
            errors.add("cap", "The cap is below one refill (at least \(currency.format(minor: target - t))): no refill could ever run.")
        }
        return errors
    }
}
