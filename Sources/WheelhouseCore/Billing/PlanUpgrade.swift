import Foundation
import GRDB

/// Migration `v27-plan-upgrades`: a payment may be a plan upgrade (`payment.kind` widened,
/// `SchemaRebuild`) and names the plan it buys (`planTo`).
enum PlanUpgradeSchema {
    static func migrate(_ db: Database) throws {
        try SchemaRebuild.replaceCheck(
            db, table: "payment", "CHECK (kind IN ('purchase', 'refill'))", with: "CHECK (kind IN ('purchase', 'refill', 'upgrade'))",
            migration: "v27-plan-upgrades")
        try db.execute(
            sql: "ALTER TABLE payment ADD COLUMN planTo TEXT CHECK (planTo IS NULL OR planTo IN ('starter', 'pro', 'business'))")
    }
}

extension AppDatabase {
    /// Owner only. Moves the organization to a higher self-serve plan once the payment worker has
    /// charged (queued here, never charged on the caller's thread) the
    /// saved card the prorated difference for the rest of the month (`UpgradeQuote`, the amount the
    /// preview showed, plus VAT as for any charge). The same `idempotencyKey` never charges twice.
    /// The plan changes only in the transaction that records the payment's success and issues its
    /// invoice; a scheduled downgrade is dropped then. When nothing is left to pay (the period's
    /// last second), the plan changes without a charge.
    public func upgradePlan(
        orgKey: String, to target: Plan, idempotencyKey: String, setup: BillingSetup, by actor: Actor
    ) throws -> PaymentRecord? {
        try Self.checkFormPaymentKey(idempotencyKey)
        let key = "upgrade-" + idempotencyKey
        let now = self.now()
        let payment = try writer.write { db -> PaymentRecord? in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageBilling)
            if let existing = try Self.payment(db, idempotencyKey: key) {
                guard existing.orgId == access.org.id! else { throw DomainError.notFound }
                return existing
            }
            let current = try Self.plan(db, orgId: access.org.id!)
            let zone = TimeZone(identifier: access.org.timeZone) ?? TimeZone(identifier: "UTC")!
            guard let quote = UpgradeQuote.quote(from: current, to: target, now: now, timeZone: zone) else { throw DomainError.notFound }
            guard quote.amountMinor > 0 else {
                try Self.movePlan(db, orgId: access.org.id!, from: current, to: target, actor: actor, reference: "no charge", now: now)
                return nil
            }
            let purchase = try Self.chargeQuote(db, orgId: access.org.id!, netMinor: quote.amountMinor, seller: setup.seller)
            let record = try Self.insertPayment(
                db, orgId: access.org.id!, kind: .upgrade, quote: purchase, key: key, currency: setup.currency, actorId: actor.user.id,
                now: now)
            try db.execute(sql: "UPDATE payment SET planTo = ? WHERE id = ?", arguments: [target.id, record.id])
            try Self.queuePayment(db, paymentId: record.id, actor: actor)
            return record
        }
        if payment != nil { setup.queued.wake() }
        return payment
    }

    /// The success of an upgrade's payment, in its transaction: the plan moves and is audited.
    static func completeUpgrade(_ db: Database, _ payment: PaymentRecord, invoice: Int64, actor: Actor?, now: Date) throws {
        guard let to = try String.fetchOne(db, sql: "SELECT planTo FROM payment WHERE id = ?", arguments: [payment.id]) else { return }
        try movePlan(
            db, orgId: payment.orgId, from: try plan(db, orgId: payment.orgId), to: Plan.named(to), actor: actor,
            reference: "invoice \(invoice)", now: now)
        try startSubscription(db, orgId: payment.orgId, month: try currentMonth(db, orgId: payment.orgId, at: now))
    }

    private static func movePlan(_ db: Database, orgId: Int64, from: Plan, to: Plan, actor: Actor?, reference: String, now: Date) throws {
        try db.execute(sql: "UPDATE organization SET plan = ? WHERE id = ?", arguments: [to.id, orgId])
        try db.execute(sql: "DELETE FROM planChange WHERE orgId = ?", arguments: [orgId])
        try AuditEvent(
            org: orgId, actor: actor, action: .organizationPlan, target: "org:\(orgId)",
            summary: "plan: \(from.id) → \(to.id) (upgrade, \(reference))", at: now
        ).insert(db)
    }
}
