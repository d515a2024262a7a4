import Foundation

/// Billing's background work, run by `serve` on a `PeriodicJob` and once by
/// `wheelhouse billing run-due [--at TIME]` (tests, cron). Each job is safe to run from several
/// processes at once: it claims its rows inside its own write transaction.
public enum BillingJob: String, CaseIterable, Sendable {
    /// Writes off what is left of expired credit lots (one ledger entry per lot).
    case creditExpiry = "credit-expiry"
    /// Applies the downgrades whose first day of the new month has come (`applyDuePlanChanges`).
    case planChanges = "plan-changes"
    /// Charges each paid plan for its new month, and the retries of renewals that failed
    /// (`runDueRenewals`). After `planChanges`, so a downgrade due today is what gets renewed.
    case renewals
}

/// What one run of the due billing jobs did, per job, for the command's output.
public struct BillingRunReport: Sendable, Equatable {
    /// Rows each job handled (lots written off, …); every job that ran has an entry.
    public var done: [BillingJob: Int] = [:]
}

extension AppDatabase {
    /// Runs every billing job that is due at `at` (now when nil) until it has nothing left.
    /// Without billing (enterprise mode) nothing runs.
    @discardableResult
    public func runDueBillingJobs(at: Date? = nil, setup: BillingSetup? = nil) throws -> BillingRunReport {
        var report = BillingRunReport()
        guard billingEnabled else { return report }
        let at = at ?? now()
        for job in BillingJob.allCases {
            var count = 0
            switch job {
            case .creditExpiry:
                // In batches, so one run never holds the write lock for long.
                while true {
                    let closed = try expireCreditLots(now: at)
                    count += closed
                    if closed == 0 { break }
                }
            case .planChanges: count = try applyDuePlanChanges(at: at)
            case .renewals:
                // Without a gateway (a caller that only expires lots) no renewal is charged.
                guard let setup else { continue }
                count = try runDueRenewals(at: at, setup: setup)
            }
            report.done[job] = count
        }
        return report
    }
}

extension PeriodicJob {
    /// The due billing jobs, every five minutes: a promotional lot expires, a month's renewal is
    /// charged and a failed one retried within minutes of its time.
    public static func billing(_ database: AppDatabase, setup: BillingSetup) -> PeriodicJob {
        PeriodicJob(name: "billing-jobs", interval: 300) { try database.runDueBillingJobs(setup: setup) }
    }
}

extension AppDatabase {
    /// A lot as if bought or granted at `at` (the demo's history and tests; the Credits tab adds
    /// purchases only through a payment that succeeded). Returns the lot's id.
    @discardableResult
    public func seedCreditLot(
        orgId: Int64, kind: CreditEntryKind, micros: Int64, expiresAt: Date? = nil, reference: String, at: Date
    ) throws -> Int64 {
        try writer.write { db in
            try Self.addCredits(db, orgId: orgId, kind: kind, micros: micros, expiresAt: expiresAt, reference: reference, now: at)
        }
    }
}
