import ArgumentParser
import Foundation
import WheelhouseCore

/// `wheelhouse billing run-due [--at TIME]`: runs the due billing jobs once, as `serve` does every
/// five minutes (tests, cron).
struct BillingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "billing", abstract: "Billing maintenance (SaaS mode).", subcommands: [BillingRunDue.self])
}

struct BillingRunDue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-due",
        abstract:
            "Run every billing job that is due once: expired credit lots, scheduled downgrades, renewals and their retries, auto-refills.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Run as if it were this time (RFC 3339, e.g. 2026-12-01T00:00:00Z); default now.")
    var at: String?

    func run() throws {
        var when: Date?
        if let at {
            guard let seconds = RFC3339.seconds(Array(at.utf8)) else {
                throw ValidationError("--at must be an RFC 3339 time such as 2026-12-01T00:00:00Z, not “\(at)”")
            }
            when = Date(timeIntervalSince1970: TimeInterval(seconds))
        }
        let database = try global.openDatabase()
        guard database.billingEnabled else {
            Output.line("Enterprise mode: billing is off, no job runs.")
            return
        }
        let setup = BillingSetup(
            seller: Seller.from(environment: global.environment), currency: database.currency, gateway: TestModeGateway(database: database))
        let report = try database.runDueBillingJobs(at: when, setup: setup)
        for job in BillingJob.allCases {
            let count = report.done[job] ?? 0
            switch job {
            case .creditExpiry: Output.line("Credit lots expired: \(count).")
            case .planChanges: Output.line("Scheduled downgrades applied: \(count).")
            case .renewals: Output.line("Plan renewals charged or retried: \(count).")
            }
        }
        // Auto-refills due now (retries after their back-off, balances below their threshold).
        Output.line("Auto-refills charged: \(try database.runDueRefills(setup: setup)).")
    }
}
