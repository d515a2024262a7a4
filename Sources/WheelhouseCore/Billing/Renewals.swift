import Foundation
import GRDB

/// Migration `v28-billing-renewals`: a payment may be a plan's renewal, and each organization on
/// a paid plan has a subscription saying which month is paid and, when a renewal failed, where
/// the retries stand (`past due`). Payments asked for by a request are queued for the payment
/// worker (`PaymentQueue.swift`), with who asked.
enum RenewalSchema {
    static func migrate(_ db: Database) throws {
        try SchemaRebuild.replaceCheck(
            db, table: "payment", "CHECK (kind IN ('purchase', 'refill', 'upgrade'))",
            with: "CHECK (kind IN ('purchase', 'refill', 'upgrade', 'renewal'))", migration: "v28-billing-renewals")
        try db.execute(
            sql: """
                CREATE TABLE subscription (
                    orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
                    paidThrough TEXT NOT NULL CHECK (length(paidThrough) = 7),
                    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'pastDue')),
                    dueMonth TEXT CHECK (dueMonth IS NULL OR length(dueMonth) = 7),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    firstFailedAt DATETIME,
                    nextRetryAt DATETIME,
                    lastFailure TEXT CHECK (lastFailure IS NULL OR length(lastFailure) <= 300),
                    amountMinor INTEGER,
                    version INTEGER NOT NULL DEFAULT 1
                );
                ALTER TABLE payment ADD COLUMN queued INTEGER NOT NULL DEFAULT 0 CHECK (queued IN (0, 1));
                ALTER TABLE payment ADD COLUMN claimedAt DATETIME;
                ALTER TABLE payment ADD COLUMN actorAddress TEXT CHECK (actorAddress IS NULL OR length(actorAddress) <= 100);
                ALTER TABLE payment ADD COLUMN actorAgent TEXT CHECK (actorAgent IS NULL OR length(actorAgent) <= 300);
                CREATE INDEX payment_queued ON payment(id) WHERE queued = 1 AND status = 'pending';
                CREATE INDEX payment_authenticating ON payment(id) WHERE status = 'authenticating';
                """)
    }
}

/// Where an organization's subscription stands (SaaS, paid plans).
public struct SubscriptionState: Sendable, Equatable {
    /// The last month paid for (or given: the month a plan started in).
    public var paidThrough: UsageMonth
    public var pastDue: PastDue?

    /// A renewal that failed, and what happens next.
    public struct PastDue: Sendable, Equatable {
        public var month: UsageMonth
        public var amountMinor: Int64?
        public var attempts: Int
        public var firstFailedAt: Date
        /// When the next attempt runs; after the last one fails the organization moves to Free.
        public var nextRetryAt: Date
        /// When the organization moves to Free if every retry fails.
        public var movesToFreeAt: Date
        public var reason: String
        public var version: Int
    }
}

/// The dunning schedule: retries 1, 3 and 5 days after the first failure; when the third retry
/// fails too, the organization moves to Free (its data kept).
public enum Dunning {
    public static let retryDays = [1, 3, 5]
    /// Attempts in all: the renewal and its retries.
    public static var attempts: Int { retryDays.count + 1 }

    /// When the attempt after `attempts` failed ones runs (nil: none, move to Free).
    static func nextRetry(after attempts: Int, firstFailedAt: Date) -> Date? {
        guard attempts >= 1, attempts <= retryDays.count else { return nil }
        return firstFailedAt.addingTimeInterval(TimeInterval(retryDays[attempts - 1] * 86_400))
    }
}

extension AppDatabase {
    public func subscriptionState(orgId: Int64) throws -> SubscriptionState? {
        try reader.read { db in try Self.subscriptionState(db, orgId: orgId) }
    }

    static func subscriptionState(_ db: Database, orgId: Int64) throws -> SubscriptionState? {
        guard
            let r = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT paidThrough, status, dueMonth, attempts, firstFailedAt, nextRetryAt, lastFailure, amountMinor, version
                        FROM subscription WHERE orgId = ?
                        """), arguments: [orgId]),
            let paid = UsageMonth(r[0] as String)
        else { return nil }
        var state = SubscriptionState(paidThrough: paid)
        if r[1] as String == "pastDue", let month = UsageMonth((r[2] as String?) ?? ""), let first = r[4] as Date?,
            let next = r[5] as Date?
        {
            state.pastDue = .init(
                month: month, amountMinor: r[7], attempts: r[3], firstFailedAt: first, nextRetryAt: next,
                movesToFreeAt: first.addingTimeInterval(TimeInterval(Dunning.retryDays.last! * 86_400)), reason: r[6] ?? "", version: r[8])
        }
        return state
    }

    /// A paid plan starting now (an upgrade's success, the first renewal run): the month it
    /// starts in is covered, and a past-due state ends.
    static func startSubscription(_ db: Database, orgId: Int64, month: UsageMonth) throws {
        try db.execute(
            sql: """
                INSERT INTO subscription (orgId, paidThrough) VALUES (?, ?)
                ON CONFLICT (orgId) DO UPDATE SET paidThrough = max(paidThrough, excluded.paidThrough), version = version + 1
                """, arguments: [orgId, month.description])
    }

    /// Charges each paid plan's renewal once its month has begun in the organization's time zone,
    /// and the retries of those that failed once they are due. Two processes may run this at
    /// once: the payment's idempotency key (organization, month, attempt) is unique, so only the
    /// one that inserted it charges. Returns how many renewal payments it attempted.
    @discardableResult
    public func runDueRenewals(at: Date, setup: BillingSetup) throws -> Int {
        let paid = Plan.catalog.filter { $0.selfServe && ($0.monthlyPriceMinor ?? 0) > 0 }.map(\.id)
        let orgs = try reader.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.id, s.paidThrough, s.status, s.nextRetryAt, s.attempts FROM organization o
                    LEFT JOIN subscription s ON s.orgId = o.id
                    WHERE o.purgeAt IS NULL AND o.plan IN (\(paid.map { "'\($0)'" }.joined(separator: ",")))
                    """)
        }
        var attempted = 0
        for row in orgs {
            let orgId: Int64 = row[0]
            let month = try reader.read { db in try Self.currentMonth(db, orgId: orgId, at: at) }
            guard let paidText = row[1] as String?, let paidThrough = UsageMonth(paidText) else {
                // The first run for this organization: the month it is in now counts as started.
                try writer.write { db in try Self.startSubscription(db, orgId: orgId, month: month) }
                continue
            }
            guard paidThrough < month else { continue }
            let pastDue = row[2] as String == "pastDue"
            if pastDue, let next = row[3] as Date?, next > at { continue }
            let attempt = pastDue ? (row[4] as Int) + 1 : 1
            if try renew(orgId: orgId, month: pastDue ? nil : month, attempt: attempt, at: at, setup: setup) { attempted += 1 }
        }
        return attempted
    }

    /// One renewal attempt: the plan's price plus VAT to the saved card, without anyone present.
    private func renew(orgId: Int64, month: UsageMonth?, attempt: Int, at: Date, setup: BillingSetup) throws -> Bool {
        let prepared = try writer.write { db in
            try Self.prepareRenewal(db, orgId: orgId, month: month, attempt: attempt, setup: setup, now: at)
        }
        guard let (payment, key) = prepared else { return month == nil }
        _ = try charge(payment, key: key, setup: setup, customerPresent: false, actor: nil, at: at)
        return true
    }

    /// The pending payment of one renewal attempt (`month` nil: the past-due month's retry), or nil
    /// when another process made it already or the attempt failed before any charge (no card
    /// or no billing details: recorded as a failed attempt).
    static func prepareRenewal(
        _ db: Database, orgId: Int64, month: UsageMonth?, attempt: Int, setup: BillingSetup, now: Date
    ) throws -> (PaymentRecord, String)? {
        let plan = try plan(db, orgId: orgId)
        let dueText = try String.fetchOne(db, sql: "SELECT dueMonth FROM subscription WHERE orgId = ?", arguments: [orgId])
        guard let due = month ?? dueText.flatMap(UsageMonth.init), let price = plan.monthlyPriceMinor else { return nil }
        let key = "renewal-\(orgId)-\(due)-\(attempt)"
        if try payment(db, idempotencyKey: key) != nil { return nil }
        let quote: PurchaseQuote
        do {
            quote = try chargeQuote(db, orgId: orgId, netMinor: price, seller: setup.seller)
        } catch DomainError.invalid(let errors) {
            try renewalFailed(
                db, orgId: orgId, month: due, attempt: attempt, amountMinor: price,
                reason: errors.form.first ?? "No card is saved.", setup: setup, now: now)
            return nil
        }
        let record = try insertPayment(
            db, orgId: orgId, kind: .renewal, quote: quote, key: key, currency: setup.currency, actorId: nil, now: now)
        try db.execute(sql: "UPDATE payment SET planTo = ? WHERE id = ?", arguments: [plan.id, record.id])
        try db.execute(sql: "UPDATE subscription SET dueMonth = ? WHERE orgId = ?", arguments: [due.description, orgId])
        return (record, key)
    }

    /// A renewal's success, in its payment's transaction: the month is paid and any past-due
    /// state ends.
    static func completeRenewal(_ db: Database, _ payment: PaymentRecord, invoice: Int64, setup: BillingSetup, now: Date) throws {
        guard let due = try String.fetchOne(db, sql: "SELECT dueMonth FROM subscription WHERE orgId = ?", arguments: [payment.orgId])
        else { return }
        try db.execute(
            sql: """
                UPDATE subscription SET paidThrough = ?, status = 'active', dueMonth = NULL, attempts = 0, firstFailedAt = NULL,
                    nextRetryAt = NULL, lastFailure = NULL, amountMinor = NULL, version = version + 1 WHERE orgId = ?
                """, arguments: [due, payment.orgId])
        let plan = try plan(db, orgId: payment.orgId)
        try AuditEvent(
            org: payment.orgId, actor: nil, action: .billingRenewal, target: "invoice:\(invoice)",
            summary: "\(plan.name) renewed for \(due): \(setup.currency.format(minor: payment.totalMinor)) charged, invoice \(invoice)",
            at: now
        ).insert(db)
    }
}

extension AppDatabase {
    /// The month `at` falls in, in the organization's time zone.
    static func currentMonth(_ db: Database, orgId: Int64, at: Date) throws -> UsageMonth {
        let zoneName = try String.fetchOne(db, sql: "SELECT timeZone FROM organization WHERE id = ?", arguments: [orgId]) ?? "UTC"
        let zone = TimeZone(identifier: zoneName) ?? TimeZone(identifier: "UTC")!
        return UsageMonth(containing: CivilDate(dayNumber: ZoneDays(zone).day(at: Int64(at.timeIntervalSince1970))))
    }
}
