import Foundation
import GRDB

/// Usage debits credits in the transaction that records it (`UsageWriter.record`): one debit per
/// organization and day of its time zone per batch, whatever the number of events, from the
/// rollup deltas the batch already summed (BYOK cost is not in `creditsMicros`, duplicates add
/// nothing to the deltas). A rollup rebuild never comes here: it moves days, it spends nothing.
enum CreditCharges {
    private struct OrgDay: Hashable {
        var orgId: Int64
        var day: Int
    }

    static func debit(_ db: Database, _ deltas: [RollupKey: RollupTotals], currency: Currency, now: Date) throws {
        var perDay: [OrgDay: Int64] = [:]
        for (key, totals) in deltas where totals.creditsMicros > 0 {
            perDay[OrgDay(orgId: key.orgId, day: key.day), default: 0].addHeld(totals.creditsMicros)
        }
        guard !perDay.isEmpty else { return }
        let byOrg = Dictionary(grouping: perDay, by: \.key.orgId)
        for (orgId, days) in byOrg.sorted(by: { $0.key < $1.key }) {
            let before = try AppDatabase.creditBalance(db, orgId: orgId).balanceMicros
            for (key, micros) in days.sorted(by: { $0.key.day < $1.key.day }) {
                try AppDatabase.debitUsage(db, orgId: orgId, day: CivilDate(dayNumber: key.day).description, micros: micros, now: now)
            }
            let after = try AppDatabase.creditBalance(db, orgId: orgId).balanceMicros
            try announceCrossing(db, orgId: orgId, before: before, after: after, currency: currency, now: now)
        }
    }

    /// Tells the Owners and Admins once, when this debit took the balance across zero or across
    /// the warning threshold (not on every debit below it): the states themselves stay on the
    /// banners until fixed. Crossing both at once says the graver one only.
    static func announceCrossing(_ db: Database, orgId: Int64, before: Int64, after: Int64, currency: Currency, now: Date) throws {
        guard after < before else { return }
        let warning = try CreditWarningSchema.setting(db, orgId: orgId).thresholdMicros
        let exhausted = before > 0 && after <= 0
        let low = !exhausted && warning > 0 && before >= warning && after < warning
        guard exhausted || low,
            let org = try Row.fetchOne(db, sql: "SELECT key, displayName FROM organization WHERE id = ?", arguments: [orgId])
        else { return }
        let (key, name): (String, String) = (org[0], org[1])
        let link = "/orgs/\(key)/settings/billing/credits"
        let title =
            exhausted
            ? "\(name) has run out of AI credits: paid AI usage is paused (models on your own provider keys still work). Buy credits to resume."
            : "\(name)’s AI credits fell below \(currency.format(micros: warning, withCode: true)): "
                + "\(currency.format(micros: after, withCode: true)) left."
        try AppDatabase.notifyAdmins(
            db, orgId: orgId, except: [], kind: exhausted ? .creditsExhausted : .creditsLow, title: title, link: link, now: now)
    }
}

/// What the credit banners and the paid-AI entitlement say about an organization.
public enum CreditAlert: Sendable, Equatable {
    /// Below the Owner's warning threshold but above zero.
    case low(thresholdMicros: Int64)
    /// Zero or less: paid AI usage is paused (BYOK still works). `neverHadCredits`: no lot ever
    /// arrived, so the words say "no credits" rather than "ran out".
    case exhausted(neverHadCredits: Bool)
}

public struct CreditStatus: Sendable, Equatable {
    public var balance: CreditBalance
    public var warning: CreditWarningSetting
    public var alert: CreditAlert?
}

/// What an entitlement is asked about (`entitlement(orgId:for:)`).
public enum EntitledUse: Sendable {
    /// AI calls paid from the organization's credits (not its own provider keys).
    case paidAI
}

extension AppDatabase {
    /// The balance, the threshold and the state they put the organization in.
    public func creditStatus(orgId: Int64) throws -> CreditStatus {
        try reader.read { db in try Self.creditStatus(db, orgId: orgId) }
    }

    static func creditStatus(_ db: Database, orgId: Int64) throws -> CreditStatus {
        let balance = try creditBalance(db, orgId: orgId)
        let warning = try CreditWarningSchema.setting(db, orgId: orgId)
        var alert: CreditAlert?
        if balance.balanceMicros <= 0 {
            let hadAny =
                try Bool.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT EXISTS (SELECT 1 FROM creditLedger WHERE orgId = ? AND kind IN ('purchase', 'refill', 'promotion'))"),
                    arguments: [orgId]) ?? false
            alert = .exhausted(neverHadCredits: !hadAny)
        } else if warning.thresholdMicros > 0, balance.balanceMicros < warning.thresholdMicros {
            alert = .low(thresholdMicros: warning.thresholdMicros)
        }
        return CreditStatus(balance: balance, warning: warning, alert: alert)
    }

    /// May the organization use `use` now? Allowed, or refused with a stable code and the true
    /// cause in words. Without billing (enterprise mode) credits never refuse anything.
    public func entitlement(orgId: Int64, for use: EntitledUse) throws -> Entitlement {
        try reader.read { db in
            guard
                let purgeAt = try Row.fetchOne(db, sql: "SELECT purgeAt FROM organization WHERE id = ?", arguments: [orgId])
            else { throw DomainError.notFound }
            if let date = purgeAt[0] as Date? {
                return Entitlement(
                    allowed: false, code: "pending_deletion",
                    reason: "The organization is being deleted (for good on \(OrgDeletionRules.dateText(date))); nothing new may start.")
            }
            guard billingEnabled else { return .yes }
            switch use {
            case .paidAI:
                // A failed renewal pauses paid usage too (PRODUCT.md §5), and says so: never a credit limit.
                if let due = try Self.subscriptionState(db, orgId: orgId)?.pastDue {
                    return Entitlement(
                        allowed: false, code: "payment_failed",
                        reason: "The plan’s payment for \(due.month.longName) failed (\(due.reason)): paid AI usage is paused until "
                            + "it is paid. Models on the organization’s own provider keys still work.")
                }
                guard case .exhausted(let never) = try Self.creditStatus(db, orgId: orgId).alert else { return .yes }
                return Entitlement(
                    allowed: false, code: "credits_exhausted",
                    reason: (never ? "The organization has no AI credits" : "The organization’s AI credits are used up")
                        + ": paid AI usage is paused until an Owner buys credits. Models on the organization’s own provider keys still work."
                )
            }
        }
    }
}
