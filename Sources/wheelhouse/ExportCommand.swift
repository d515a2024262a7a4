import ArgumentParser
import Foundation
import WheelhouseCore

/// `wheelhouse export <org-key> <out.zip>`: a full data export of one organization, built now
/// (the archive the Compliance tab's worker builds), with the time it took (`make bench`).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Build a full data export (ZIP) of an organization now and print how long it took.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The organization's key.") var orgKey: String
    @Argument(help: "Where to write the ZIP archive.") var output: String

    func run() throws {
        let database = try global.openDatabase()
        let store = try DataExportStore.load(dataDirectory: global.resolvedDataDir)
        let started = Date()
        do {
            let (bytes, sha256) = try database.exportOrganizationNow(orgKey: orgKey, store: store, to: URL(fileURLWithPath: output))
            let seconds = Date().timeIntervalSince(started)
            Output.line("Exported \(orgKey) to \(output): \(bytes) bytes, SHA-256 \(sha256), in \(String(format: "%.3f", seconds)) s")
        } catch let failure as DataExportFailure {
            throw ValidationError(failure.description)
        }
    }
}
