import ArgumentParser
import WheelhouseCore

/// `wheelhouse privacy prune`: runs the privacy retention job once, as `serve` does hourly.
struct PrivacyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privacy", abstract: "Privacy retention.", subcommands: [PrivacyPrune.self])
}

struct PrivacyPrune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove usage events, ended sessions, read notifications and mail bodies past each organization's windows (once).")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let results = try global.openDatabase().prunePrivacyData()
        for dataClass in PrivacyDataClass.allCases {
            let removed = results.reduce(0) { $0 + ($1.removed[dataClass] ?? 0) }
            Output.line("\(dataClass.title): \(removed) removed")
        }
        Output.line("Checked \(Plural.count(results.count, "organization")).")
    }
}
