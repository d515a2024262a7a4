import ArgumentParser
import Foundation
import WheelhouseCore

/// `wheelhouse bench-seed-secrets`: adds many secrets for one person through the normal write
/// path, so `bench/rotate-master-key.sh` can time `rotate-master-key` on a realistic database.
/// Hidden from the help: a measuring tool, not an operator's command.
struct BenchSeedSecrets: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-seed-secrets", abstract: "Add COUNT secrets for a person (for measurements).",
        shouldDisplay: false)
    @OptionGroup var global: GlobalOptions
    @Option(help: "How many secrets to add.") var count: Int = 10_000
    @Option(help: "The organization's key.") var orgKey: String = "demo"
    @Option(help: "The person's email.") var email: String = "owner@demo.test"

    func run() throws {
        let database = try global.openDatabase()
        let user = try Self.person(email, in: database)
        let actor = Actor(user: user, address: "bench")
        let started = Date()
        for i in 0..<count {
            try database.addSecret(
                orgKey: orgKey, by: actor, name: "BENCH_SECRET_\(i)",
                value: "bench-" + Base64URL.encode(Crypto.randomBytes(30)))
        }
        Output.line("Added \(count) secrets for \(email) in \(orgKey) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s.")
    }
}

extension ParsableCommand {
    /// The person with `email`, for the measuring commands: they seed data for an existing person.
    static func person(_ email: String, in database: AppDatabase) throws -> User {
        guard let user = try database.read({ db in try User.filter(sql: "email = ?", arguments: [email]).fetchOne(db) }) else {
            throw ValidationError("no person with email \(email)")
        }
        return user
    }
}
