import ArgumentParser
import Foundation
import Logging
import WheelhouseCore
import WheelhouseWeb

/// Configuration shared by every subcommand: a flag wins over its `WHEELHOUSE_*` variable, which
/// wins over the default (PRODUCT.md §1).
struct GlobalOptions: ParsableArguments {
    @Option(help: "Data directory (WHEELHOUSE_DATA_DIR, default ./data).")
    var dataDir: String?

    @Option(help: "SQLite database file (WHEELHOUSE_DATABASE, default <data-dir>/wheelhouse.sqlite).")
    var database: String?

    @Option(help: "Deployment mode: saas or enterprise (WHEELHOUSE_MODE, default saas).")
    var mode: String?

    @Option(help: "Templates folder (WHEELHOUSE_TEMPLATES, default ./Templates).")
    var templates: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var resolvedDataDir: String { dataDir ?? environment["WHEELHOUSE_DATA_DIR"] ?? "./data" }

    var resolvedDatabase: String {
        database ?? environment["WHEELHOUSE_DATABASE"] ?? (resolvedDataDir as NSString).appendingPathComponent("wheelhouse.sqlite")
    }

    var resolvedTemplates: String { templates ?? environment["WHEELHOUSE_TEMPLATES"] ?? "./Templates" }

    func resolvedMode() throws -> DeploymentMode {
        let text = mode ?? environment["WHEELHOUSE_MODE"] ?? "saas"
        guard let mode = DeploymentMode(rawValue: text) else {
            throw ValidationError("mode must be saas or enterprise, not “\(text)”")
        }
        return mode
    }

    /// `WHEELHOUSE_CURRENCY` (default EUR): an ISO 4217 code this console knows, or no start.
    func resolvedCurrency() throws -> Currency {
        let text = environment["WHEELHOUSE_CURRENCY"] ?? "EUR"
        guard let currency = Currency.named(text.isEmpty ? "EUR" : text) else {
            throw ValidationError(
                "WHEELHOUSE_CURRENCY must be one of \(Currency.known.map(\.code).joined(separator: ", ")), not “\(text)”")
        }
        return currency
    }

    /// The data directory and database file the flags and variables name.
    var dataDirectory: DataDirectory { DataDirectory(path: resolvedDataDir, databasePath: resolvedDatabase) }

    /// Opens (creating if needed) the data directory and the database, migrates it, and loads the
    /// master key (refusing a missing or wrong one while encrypted data exists).
    /// Usage recorded through it debits credits in SaaS mode only (`--mode`, `WHEELHOUSE_MODE`).
    func openDatabase(readers: Int = 8) throws -> AppDatabase {
        let mode = try resolvedMode(), currency = try resolvedCurrency()
        do {
            var database = try dataDirectory.openDatabase(readers: readers)
            database.billingEnabled = mode == .saas
            database.currency = currency
            return database
        } catch {
            throw openingFailure(error)
        }
    }

    /// What to stop with when the database or its keys cannot be opened: a clear message and a
    /// failing exit status for a wrong master key or a database that cannot be written, without
    /// the usage text a ValidationError adds; any other error as it is.
    func openingFailure(_ error: any Error) -> any Error {
        if let error = error as? MasterKeyError {
            FileHandle.standardError.write(Data("wheelhouse: cannot start: \(error.description)\n".utf8))
            return ExitCode(78)
        }
        if StorageFailure(error) != nil { return unwritableDatabase(error) }
        return error
    }

    /// Says which database file cannot be written and why, and gives the exit status to stop
    /// with: a responder must not run on a database whose every save would fail.
    func unwritableDatabase(_ error: any Error) -> ExitCode {
        FileHandle.standardError.write(
            Data(
                ("wheelhouse: cannot start: the database \(resolvedDatabase) cannot be written "
                    + "by this process (\(error)). Check that the file, its -wal and -shm files and its folder belong to the user "
                    + "running wheelhouse and that the disk is not full or mounted read-only.\n").utf8))
        return ExitCode(73)
    }

    /// The outbound policy from `--outbound-allow` or `WHEELHOUSE_OUTBOUND_ALLOW`.
    static func outboundPolicy(_ text: String?) throws -> OutboundPolicy {
        do {
            return try OutboundPolicy(parsing: text ?? "")
        } catch let error as OutboundPolicy.PolicyError {
            throw ValidationError("outbound-allow: \(error.description)")
        }
    }

    /// `master.key` in the data directory (mode 0600), created on first start.
    var masterKeyFile: MasterKeyFile { dataDirectory.masterKeyFile }
}

enum Output {
    static func line(_ text: String) {
        print(text)
        fflush(nil)
    }
}
