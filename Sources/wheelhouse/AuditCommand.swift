import ArgumentParser
import WheelhouseCore

/// `wheelhouse audit prune`: runs the audit retention job once, as `serve` does hourly.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Audit log maintenance.", subcommands: [AuditPrune.self])
}

struct AuditPrune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete audit entries older than each organization's retention window (once).")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        // As `serve` does: plans cap retention in SaaS mode (--mode, WHEELHOUSE_MODE).
        let results = try global.openDatabase().pruneAuditLog(enforcePlan: try global.resolvedMode() == .saas)
        let removed = results.reduce(0) { $0 + $1.removed }
        Output.line("Removed \(Plural.count(removed, "audit entry", "audit entries")) in \(Plural.count(results.count, "organization")).")
    }
}
