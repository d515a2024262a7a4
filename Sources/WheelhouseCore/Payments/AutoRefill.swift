import Foundation
import GRDB

/// "When the balance falls strictly below the threshold, bring it back up to the target", with a
/// monthly cap on what it may charge. Amounts in minor units of the currency.
public struct AutoRefillSettings: Sendable, Equatable {
    public var enabled: Bool
    public var thresholdMinor: Int64
    public var targetMinor: Int64
    public var monthlyCapMinor: Int64
    public var consecutiveFailures: Int
    public var nextAttemptAt: Date?
    /// The last thing that happened (refilled, skipped by the cap, failed …), shown on the page.
    public var lastNote: String
    public var version: Int

    public static let off = AutoRefillSettings(
        enabled: false, thresholdMinor: 1_000, targetMinor: 5_000, monthlyCapMinor: 20_000, consecutiveFailures: 0, nextAttemptAt: nil,
        lastNote: "", version: 0)
}

/// The runaway guards, in one place.
public enum AutoRefillRules {
    public static let maxPerHour = 3
    public static let maxConsecutiveFailures = 3
    /// A claim older than this belongs to a process that died mid-charge: it is charged again
    /// with the same idempotency key, so the gateway answers the first result.
    public static let staleClaim: TimeInterval = 10 * 60

    /// The wait after the n-th consecutive failure: 5 minutes, then 30.
    public static func backoff(afterFailures n: Int) -> TimeInterval { n <= 1 ? 5 * 60 : 30 * 60 }
}

/// What one call of `refillIfNeeded` did.
public enum RefillResult: Sendable, Equatable {
    case disabled, notNeeded, inFlight, backingOff, skippedCap, skippedHourly, noCard
    case charged(PaymentRecord)
    case failed(DeclineCode, switchedOff: Bool)
}

extension AppDatabase {
    static func autoRefillSettings(_ db: Database, orgId: Int64) throws -> AutoRefillSettings {
        guard
            let r = try Row.fetchOne(
                db,
                sql: """
                    SELECT enabled, thresholdMinor, targetMinor, monthlyCapMinor, consecutiveFailures, nextAttemptAt, lastNote, version
                    FROM autoRefill WHERE orgId = ?
                    """, arguments: [orgId])
        else { return .off }
        return AutoRefillSettings(
            enabled: r[0], thresholdMinor: r[1], targetMinor: r[2], monthlyCapMinor: r[3], consecutiveFailures: r[4], nextAttemptAt: r[5],
            lastNote: r[6], version: r[7])
    }

    /// What refills charged since the start of this calendar month in the organization's time
    /// zone (succeeded and still running), against the cap.
    static func refillSpentThisMonth(_ db: Database, orgId: Int64, now: Date) throws -> Int64 {
        let zone = try String.fetchOne(db, sql: "SELECT timeZone FROM organization WHERE id = ?", arguments: [orgId])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
        let start = calendar.dateInterval(of: .month, for: now)!.start
        return try Int64.fetchOne(
            db,
            sql: """
                SELECT COALESCE(SUM(totalMinor), 0) FROM payment
                WHERE orgId = ? AND kind = 'refill' AND status != 'failed' AND createdAt >= ?
                """, arguments: [orgId, start]) ?? 0
    }

    /// Checks the balance after a debit and, when it is strictly below the threshold, charges
    /// one refill — never inside the caller's transaction: call it after the usage commits
    /// (`usage import` does; the background job `PeriodicJob.autoRefill` covers the rest).
    /// At most one refill runs per organization across threads and processes (the
    /// `refillInFlight` row, claimed in the same transaction that checks everything else).
    @discardableResult
    public func refillIfNeeded(orgId: Int64, setup: BillingSetup) throws -> RefillResult {
        let now = self.now()
        let claim = try writer.write { db -> Result<(PaymentRecord, String), RefillSkip> in
            let settings = try Self.autoRefillSettings(db, orgId: orgId)
            guard settings.enabled else { return .failure(.result(.disabled)) }
            if let stale = try Row.fetchOne(
                db,
                sql:
                    "SELECT p.id, p.idempotencyKey, f.claimedAt FROM refillInFlight f JOIN payment p ON p.id = f.paymentId WHERE f.orgId = ?",
                arguments: [orgId])
            {
                guard now.timeIntervalSince(stale[2] as Date) > AutoRefillRules.staleClaim else { return .failure(.result(.inFlight)) }
                try db.execute(sql: "UPDATE refillInFlight SET claimedAt = ? WHERE orgId = ?", arguments: [now, orgId])
                return .success((try Self.payment(db, id: stale[0])!, stale[1]))
            }
            let balance = try Self.creditBalance(db, orgId: orgId).balanceMicros
            let perMinor = setup.currency.microsPerMinor
            guard balance < settings.thresholdMinor * perMinor else { return .failure(.result(.notNeeded)) }
            if let next = settings.nextAttemptAt, next > now { return .failure(.result(.backingOff)) }
            let lastHour =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM payment WHERE orgId = ? AND kind = 'refill' AND createdAt > ?",
                    arguments: [orgId, now.addingTimeInterval(-3600)]) ?? 0
            guard lastHour < AutoRefillRules.maxPerHour else {
                return .failure(.note(.skippedHourly, "Skipped: \(AutoRefillRules.maxPerHour) refills in the last hour already."))
            }
            let missing = settings.targetMinor * perMinor - balance
            let credits = (missing + perMinor - 1) / perMinor
            guard
                let quote = try? Self.quote(
                    db, orgId: orgId, creditsMinor: max(credits, CreditPackages.customRange.lowerBound),
                    seller: setup.seller, field: "target")
            else { return .failure(.note(.noCard, "Skipped: no card or billing details saved.")) }
            let spent = try Self.refillSpentThisMonth(db, orgId: orgId, now: now)
            guard spent + quote.totalMinor <= settings.monthlyCapMinor else {
                let text = setup.currency.format(minor: quote.totalMinor)
                return .failure(.note(.skippedCap, "Skipped: a refill of \(text) would pass this month's cap."))
            }
            let key = "refill-\(orgId)-" + Crypto.randomToken().prefix(24)
            let payment = try Self.insertPayment(
                db, orgId: orgId, kind: .refill, quote: quote, key: key, currency: setup.currency, actorId: nil, now: now)
            try db.execute(
                sql: "INSERT INTO refillInFlight (orgId, paymentId, claimedAt) VALUES (?, ?, ?)", arguments: [orgId, payment.id, now])
            return .success((payment, key))
        }
        switch claim {
        case .failure(.result(let result)): return result
        case .failure(.note(let result, let note)):
            try writer.write { db in
                try db.execute(sql: "UPDATE autoRefill SET lastNote = ? WHERE orgId = ?", arguments: [note, orgId])
            }
            return result
        case .success(let (payment, key)):
            return try chargeRefill(payment, key: key, setup: setup)
        }
    }

    private enum RefillSkip: Error {
        case result(RefillResult)
        case note(RefillResult, String)
    }

    /// Charges a claimed refill and records the outcome, the claim's release and the settings'
    /// failure count in one transaction.
    private func chargeRefill(_ payment: PaymentRecord, key: String, setup: BillingSetup) throws -> RefillResult {
        let token = try reader.read { db in
            try String.fetchOne(db, sql: "SELECT token FROM paymentMethod WHERE orgId = ?", arguments: [payment.orgId])
        }
        let request = ChargeRequest(
            cardToken: token ?? "", amountMinor: payment.totalMinor, currency: setup.currency.code, idempotencyKey: key,
            description: "AI credits (auto-refill)", customerPresent: false, returnPath: "")
        var outcome = (try? setup.gateway.charge(request)) ?? .declined(.processingError)
        if case .requiresAuthentication = outcome { outcome = .declined(.authenticationRequired) }
        return try writer.write { db in
            let now = self.now()
            let current = try Self.payment(db, id: payment.id)!
            if current.status == .pending || current.status == .authenticating {
                try Self.apply(db, current, outcome: outcome, setup: setup, actor: nil, now: now)
            }
            try db.execute(sql: "DELETE FROM refillInFlight WHERE orgId = ? AND paymentId = ?", arguments: [payment.orgId, payment.id])
            let amount = setup.currency.format(minor: payment.totalMinor)
            let link =
                "/orgs/\(try String.fetchOne(db, sql: "SELECT key FROM organization WHERE id = ?", arguments: [payment.orgId]) ?? "")/settings/billing/auto-refill"
            switch outcome {
            case .succeeded, .requiresAuthentication:
                try db.execute(
                    sql: "UPDATE autoRefill SET consecutiveFailures = 0, nextAttemptAt = NULL, lastNote = ? WHERE orgId = ?",
                    arguments: [
                        "Refilled \(setup.currency.format(minor: payment.creditsMinor)) of credits (\(amount) charged).", payment.orgId,
                    ])
                try Self.notifyOwners(
                    db, orgId: payment.orgId, kind: .autoRefillDone, title: "Auto-refill charged \(amount) and added credits", link: link,
                    now: now)
                return .charged(try Self.payment(db, id: payment.id)!)
            case .declined(let code):
                let failures = try Self.autoRefillSettings(db, orgId: payment.orgId).consecutiveFailures + 1
                let off = failures >= AutoRefillRules.maxConsecutiveFailures
                let next = now.addingTimeInterval(AutoRefillRules.backoff(afterFailures: failures))
                let note =
                    off
                    ? "Switched off after \(failures) failed payments in a row (\(code.message)) Save a working card, then switch it on again."
                    : "Payment of \(amount) failed (\(code.message)) Retrying after \(next.formatted(.iso8601))."
                try db.execute(
                    sql:
                        "UPDATE autoRefill SET consecutiveFailures = ?, nextAttemptAt = ?, lastNote = ?, enabled = enabled AND ? WHERE orgId = ?",
                    arguments: [failures, off ? nil : next, note, !off, payment.orgId])
                if off {
                    try AuditEvent(
                        org: payment.orgId, actor: nil, action: .billingAutoRefillOff, target: "org:\(payment.orgId)",
                        summary: "auto-refill off after \(failures) failed payments: \(code.rawValue)", at: now
                    ).insert(db)
                    try Self.notifyOwners(
                        db, orgId: payment.orgId, kind: .autoRefillFailed,
                        title: "Auto-refill failed \(failures) times and is now off", link: link, now: now)
                } else {
                    try Self.notifyOwners(
                        db, orgId: payment.orgId, kind: .paymentFailed, title: "An auto-refill payment of \(amount) failed", link: link,
                        now: now)
                    try Self.emitEvent(
                        db, orgId: payment.orgId, event: .paymentFailed,
                        payload: ["summary": "An auto-refill payment of \(amount) failed", "path": link, "reason": code.rawValue], now: now)
                }
                return .failed(code, switchedOff: off)
            }
        }
    }

    static func notifyOwners(_ db: Database, orgId: Int64, kind: NotificationKind, title: String, link: String, now: Date) throws {
        let owners = try Int64.fetchAll(
            db, sql: "SELECT userId FROM membership WHERE orgId = ? AND role = 'owner' ORDER BY userId", arguments: [orgId])
        for userId in owners { try notify(db, userId: userId, orgId: orgId, kind: kind, title: title, link: link, now: now) }
    }

    /// Organizations whose refill is due: on, below the threshold, past any back-off, or with a
    /// stale claim. The background job runs `refillIfNeeded` for each.
    public func dueRefills(setup: BillingSetup) throws -> [Int64] {
        let now = self.now()
        return try reader.read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT r.orgId FROM autoRefill r LEFT JOIN creditAccount a ON a.orgId = r.orgId
                    WHERE r.enabled AND COALESCE(a.balanceMicros, 0) < r.thresholdMinor * ?
                        AND (r.nextAttemptAt IS NULL OR r.nextAttemptAt <= ?)
                    ORDER BY r.orgId
                    """, arguments: [setup.currency.microsPerMinor, now])
        }
    }
}

extension AppDatabase {
    /// Runs every due refill once (the background job's step; `usage import` calls it after its
    /// last batch commits). Returns how many refills it charged.
    @discardableResult
    public func runDueRefills(setup: BillingSetup) throws -> Int {
        var charged = 0
        for orgId in try dueRefills(setup: setup) {
            if case .charged? = try? refillIfNeeded(orgId: orgId, setup: setup) { charged += 1 }
        }
        return charged
    }
}

extension PeriodicJob {
    /// Every 15 seconds: the refills that are due (after usage recorded elsewhere, retries after
    /// back-off, claims left by a process that died), each off the request threads.
    public static func autoRefill(_ database: AppDatabase, setup: BillingSetup) -> PeriodicJob {
        PeriodicJob(name: "auto-refill", interval: 15) { try database.runDueRefills(setup: setup) }
    }
}
