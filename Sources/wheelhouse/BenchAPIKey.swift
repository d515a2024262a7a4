import ArgumentParser
import Foundation
import WheelhouseCore

/// `wheelhouse bench-api-key`: makes an API key for measurements and prints its secret (the key
/// is listed on the organization's API keys tab like any other, and can be revoked there).
struct BenchAPIKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-api-key", abstract: "Make an API key and print its secret (for measurements).", shouldDisplay: false)
    @OptionGroup var global: GlobalOptions
    @Option(help: "The organization's key.") var org: String = "demo"
    @Option(help: "Scopes, comma-separated.") var scopes: String = "org:read,usage:write"
    @Option(help: "The Owner or Admin making it (an existing person).") var email: String = "owner@demo.test"

    func run() throws {
        let database = try global.openDatabase()
        let user = try BenchSeedSecrets.person(email, in: database)
        let issued = try database.createAPIKey(
            orgKey: org,
            NewAPIKey(name: "bench \(Crypto.randomToken().prefix(6))", scopes: scopes.split(separator: ",").map(String.init), expiry: "7"),
            by: Actor(user: user, address: "bench"))
        print(issued.secret)
    }
}
