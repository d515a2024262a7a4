import ArgumentParser
import Foundation
import WheelhouseCore

/// `wheelhouse bench-seed-audit`: an organization whose audit log holds COUNT entries spread
/// over the last 90 days (a mix of actions, actors and targets), for `make bench` to time its
/// Audit log page against General. Hidden from the help.
struct BenchSeedAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-seed-audit", abstract: "Create an org with COUNT audit entries (for measurements).", shouldDisplay: false)
    @OptionGroup var global: GlobalOptions
    @Option(help: "How many audit entries.") var count: Int = 1_000_000
    @Option(help: "The new organization's key.") var orgKey: String = "bench-audit"
    @Option(help: "The Owner who joins it (an existing person).") var email: String = "owner@demo.test"

    func run() throws {
        let database = try global.openDatabase()
        let user = try BenchSeedSecrets.person(email, in: database)
        let started = Date()
        let (other, org) = try database.createOwner(
            NewOwner(
                email: "bench-owner-\(orgKey)@bench.test", name: "Bench Auditor",
                password: Crypto.randomToken(), orgKey: orgKey, orgName: "Bench audit"))
        try database.addMember(userId: user.id!, orgId: org.id!, role: .owner)
        let actions = AuditAction.allCases
        let actors = [user.id!, other.id!, nil]
        let span: TimeInterval = 90 * 86_400
        let now = Date()
        // Oldest first, in batches of 20 000 per transaction, as a log grows.
        for start in stride(from: 0, to: count, by: 20_000) {
            let events = (start..<min(count, start + 20_000)).map { i in
                AuditEvent(
                    orgId: org.id!, actorUserId: actors[i % actors.count], action: actions[i % actions.count],
                    target: "workspace:\(i % 500)", summary: "bench entry \(i): value \(i % 97) → \(i % 89)",
                    address: "198.51.100.\(i % 250)", createdAt: now.addingTimeInterval(-span + span * Double(i) / Double(count)))
            }
            try database.seedAuditEvents(events)
        }
        Output.line(
            "Created \(orgKey) with \(count) audit entries in \(String(format: "%.1f", Date().timeIntervalSince(started))) s.")
    }
}
