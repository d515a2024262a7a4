import ArgumentParser
import Foundation
import Logging
import WheelhouseCore
import WheelhouseWeb

/// `wheelhouse`: the one executable. `main` only parses the command line; each subcommand builds
/// what it needs from configuration.
struct Wheelhouse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The Wheelhouse settings console.",
        subcommands: [
            Serve.self, Migrate.self, CreateOwner.self, Demo.self, RotateMasterKey.self, AuditCommand.self, PrivacyCommand.self,
            ExportCommand.self, BenchSeedSecrets.self, BenchSeedInvitations.self, BenchSeedAudit.self, BenchAPIKey.self,
            UsageCommand.self, BillingCommand.self, SSOCommand.self,
        ]
    )
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        _ = try global.openDatabase()
        Output.line("Database ready at \(global.resolvedDatabase)")
    }
}

struct CreateOwner: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create an organization and its first Owner.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The Owner's email address.") var email: String
    @Option(help: "The Owner's name.") var name: String
    @Option(help: "The Owner's password (at least 10 characters).") var password: String
    @Option(help: "The organization's key: lowercase letters, digits, dashes; never renamed.") var orgKey: String
    @Option(help: "The organization's display name.") var orgName: String

    func run() throws {
        let database = try global.openDatabase()
        do {
            let (user, org) = try database.createOwner(
                NewOwner(
                    email: email, name: name, password: password,
                    orgKey: orgKey, orgName: orgName))
            Output.line("Created organization \(org.key) (“\(org.displayName)”) with Owner \(user.email).")
        } catch DomainError.invalid(let errors) {
            let messages = errors.byField.sorted { $0.key < $1.key }.flatMap { $0.value } + errors.form
            throw ValidationError(messages.joined(separator: "\n"))
        }
    }
}

// Everything the console writes (database, keys, logos, logs, mail) is its owner's alone.
umask(0o077)
Wheelhouse.main()
