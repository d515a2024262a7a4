import ArgumentParser
import Foundation
import GRDB
import WheelhouseCore

/// `wheelhouse sso demo-config`: points an organization's single sign-on at a provider, as its
/// Owner would on the SSO page (same validation, same sealed secret, same audit entry), and
/// queues the discovery fetch that `serve`'s SSO worker runs. `make run SSO=demo` uses it with
/// the OpenID Connect provider stand-in it starts on loopback.
struct SSOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sso", abstract: "Single sign-on.", subcommands: [SSODemoConfig.self])
}

struct SSODemoConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-config",
        abstract: "Save an organization's OpenID Connect configuration (just-in-time joining on, as Member).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The organization's key.") var org = "demo"
    @Option(name: .customLong("as"), help: "The Owner or Admin the change is recorded for.") var actorEmail = "owner@demo.test"
    @Option(help: "The provider's issuer URL (http only for addresses WHEELHOUSE_OUTBOUND_ALLOW allows).") var issuer: String
    @Option(help: "The client ID registered at the provider.") var clientId: String
    @Option(help: "The client secret registered at the provider.") var clientSecret: String
    @Option(help: "Outbound address blocks allowed (else WHEELHOUSE_OUTBOUND_ALLOW).") var outboundAllow: String?

    func run() throws {
        let database = try global.openDatabase()
        let policy = try GlobalOptions.outboundPolicy(
            outboundAllow ?? ProcessInfo.processInfo.environment["WHEELHOUSE_OUTBOUND_ALLOW"])
        let email = actorEmail
        guard let user = try database.read({ db in try User.filter(Column("email").collating(.nocase) == email).fetchOne(db) }) else {
            throw ValidationError("No person with the email \(actorEmail).")
        }
        let actor = Actor(user: user, address: "cli")
        do {
            let access = try database.access(orgKey: org, userId: user.id!)
            let current = try database.ssoConfiguration(access)
            let saved = try database.saveSSOConfiguration(
                orgKey: org, by: actor,
                SSOConfigChange(
                    issuer: issuer, clientId: clientId, clientSecret: clientSecret, scopes: SSORules.defaultScopes, jit: "on",
                    defaultRole: "member", expectedVersion: current?.version ?? 0),
                policy: policy)
            Output.line("SSO of \(org) points at \(saved.issuer) (client \(saved.clientId)); serve fetches its discovery document.")
        } catch DomainError.invalid(let errors) {
            let messages = errors.byField.sorted { $0.key < $1.key }.flatMap { $0.value } + errors.form
            throw ValidationError(messages.joined(separator: "\n"))
        }
    }
}
