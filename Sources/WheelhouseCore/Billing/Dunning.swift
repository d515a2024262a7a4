import Foundation
import GRDB

extension PaymentKind {
    /// The charge as the gateway and the invoice call it.
    public var chargeDescription: String {
        switch self {
        case .purchase: "AI credits"
        case .refill: "AI credits (auto-refill)"
        case .upgrade: "Plan upgrade"
        case .renewal: "Plan renewal"
        }
    }

    /// The payment's page heading.
    public var title: String {
        switch self {
        case .purchase: "Purchase"
        case .refill: "Auto-refill"
        case .upgrade: "Plan upgrade"
        case .renewal: "Plan renewal"
        }
    }

    /// One word for audit entries and notices.
    public var word: String {
        switch self {
        case .purchase: "purchase"
        case .refill: "auto-refill"
        case .upgrade: "upgrade"
        case .renewal: "renewal"
        }
    }
}

extension UsageMonth {
    /// "December 2026".
    public var longName: String {
        let names = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
        ]
        return "\(names[month - 1]) \(year)"
    }
}

extension AppDatabase {
    /// A renewal payment the gateway declined, in its transaction.
    static func renewalDeclined(_ db: Database, _ payment: PaymentRecord, code: DeclineCode, setup: BillingSetup, now: Date) throws {
        guard
            let row = try Row.fetchOne(db, sql: "SELECT dueMonth, attempts FROM subscription WHERE orgId = ?", arguments: [payment.orgId]),
            let month = UsageMonth((row[0] as String?) ?? "")
        else { return }
        try renewalFailed(
            db, orgId: payment.orgId, month: month, attempt: (row[1] as Int) + 1, amountMinor: payment.totalMinor, reason: code.message,
            setup: setup, now: now)
    }

    /// A failed renewal attempt: past due with the next retry (1, 3, 5 days after the first
    /// failure), or, after the last one, the move to Free — data kept, what exceeds Free's limits
    /// blocked for new creation. Owners and Admins are told each time, with the true cause.
    static func renewalFailed(
        _ db: Database, orgId: Int64, month: UsageMonth, attempt: Int, amountMinor: Int64, reason: String, setup: BillingSetup, now: Date
    ) throws {
        let firstFailed =
            attempt == 1
            ? now : try Date.fetchOne(db, sql: "SELECT firstFailedAt FROM subscription WHERE orgId = ?", arguments: [orgId]) ?? now
        let plan = try plan(db, orgId: orgId)
        let orgKey = try String.fetchOne(db, sql: "SELECT key FROM organization WHERE id = ?", arguments: [orgId]) ?? ""
        let amount = setup.currency.format(minor: amountMinor)
        let link = "/orgs/\(orgKey)/settings/billing/payment-method"
        if let next = Dunning.nextRetry(after: attempt, firstFailedAt: firstFailed) {
            try db.execute(
                sql: """
                    UPDATE subscription SET status = 'pastDue', dueMonth = ?, attempts = ?, firstFailedAt = ?, nextRetryAt = ?,
                        lastFailure = ?, amountMinor = ?, version = version + 1 WHERE orgId = ?
                    """, arguments: [month.description, attempt, firstFailed, next, String(reason.prefix(300)), amountMinor, orgId])
            try AuditEvent(
                org: orgId, actor: nil, action: .billingRenewalFail, target: "org:\(orgKey)",
                summary: "\(plan.name) renewal for \(month) (\(amount)) failed, attempt \(attempt) of \(Dunning.attempts): \(reason)",
                at: now
            ).insert(db)
            try notifyAdmins(
                db, orgId: orgId, except: [], kind: .paymentFailed,
                title:
                    "The \(plan.name) plan’s payment of \(amount) failed: \(reason) It is retried on \(OrgDeletionRules.dateText(next)).",
                link: link, now: now)
            return
        }
        try db.execute(sql: "UPDATE organization SET plan = 'free' WHERE id = ?", arguments: [orgId])
        try db.execute(sql: "DELETE FROM planChange WHERE orgId = ?", arguments: [orgId])
        try db.execute(
            sql: """
                UPDATE subscription SET paidThrough = ?, status = 'active', dueMonth = NULL, attempts = 0, firstFailedAt = NULL,
                    nextRetryAt = NULL, lastFailure = NULL, amountMinor = NULL, version = version + 1 WHERE orgId = ?
                """, arguments: [month.description, orgId])
        try AuditEvent(
            org: orgId, actor: nil, action: .organizationPlan, target: "org:\(orgKey)",
            summary: "plan: \(plan.id) → free (the \(month) renewal failed \(Dunning.attempts) times: \(reason))", at: now
        ).insert(db)
        try notifyAdmins(
            db, orgId: orgId, except: [], kind: .paymentFailed,
            title: "The \(plan.name) plan’s payment failed \(Dunning.attempts) times, so the organization moved to Free. Its data is kept.",
            link: "/orgs/\(orgKey)/settings/billing", now: now)
    }

    /// Owner only: the next retry of a past-due renewal is charged now (after the card was
    /// replaced) instead of on its day, by the payment worker (never the request). Version-checked
    /// against the page's state; audited. Refused without a card or billing details, so a retry
    /// that cannot be charged does not use up an attempt. Returns the queued payment.
    public func retryRenewalNow(orgKey: String, expectedVersion: Int, setup: BillingSetup, by actor: Actor) throws -> PaymentRecord {
        let payment = try writer.write { db -> PaymentRecord in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageBilling)
            guard let state = try Self.subscriptionState(db, orgId: access.org.id!), let due = state.pastDue else {
                throw DomainError.notFound
            }
            guard due.version == expectedVersion else { throw DomainError.staleVersion }
            _ = try Self.chargeQuote(db, orgId: access.org.id!, netMinor: 1, seller: setup.seller)
            guard
                let (record, _) = try Self.prepareRenewal(
                    db, orgId: access.org.id!, month: nil, attempt: due.attempts + 1, setup: setup, now: now())
            else { throw DomainError.staleVersion }
            try Self.queuePayment(db, paymentId: record.id, actor: actor)
            try db.execute(sql: "UPDATE subscription SET version = version + 1 WHERE orgId = ?", arguments: [access.org.id!])
            try AuditEvent(
                org: access.org.id, actor: actor, action: .billingRenewalRetry, target: "org:\(access.org.key)",
                summary: "retry of the \(due.month) renewal (attempt \(due.attempts + 1)) asked for now", at: now()
            ).insert(db)
            return record
        }
        setup.queued.wake()
        return payment
    }
}
