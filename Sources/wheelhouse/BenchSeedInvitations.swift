import ArgumentParser
import Foundation
import WheelhouseCore

/// `wheelhouse bench-seed-invitations`: an organization whose Members page lists COUNT pending
/// invitations (each with its queued email), made through the normal write path, for
/// `make bench` to time that page against the demo's. Hidden from the help.
struct BenchSeedInvitations: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-seed-invitations", abstract: "Create an org with COUNT pending invitations (for measurements).",
        shouldDisplay: false)
    @OptionGroup var global: GlobalOptions
    @Option(help: "How many pending invitations.") var count: Int = 10_000
    @Option(help: "The new organization's key.") var orgKey: String = "bench-invites"
    @Option(help: "The Owner who joins it (an existing person).") var email: String = "owner@demo.test"

    func run() throws {
        let database = try global.openDatabase()
        let user = try Self.person(email, in: database)
        let started = Date()
        let (_, org) = try database.createOwner(
            NewOwner(
                email: "bench-owner-\(orgKey)@bench.test", name: "Bench Owner",
                password: Crypto.randomToken(), orgKey: orgKey, orgName: "Bench invitations"))
        try database.addMember(userId: user.id!, orgId: org.id!, role: .owner)
        let actor = Actor(user: user, address: "bench")
        _ = try database.updateGeneral(
            orgKey: orgKey, by: actor,
            GeneralSettingsChange(
                displayName: org.displayName, description: "",
                memberLimit: GeneralSettingsChange.maxMemberLimit,
                logo: .keep, expectedVersion: org.version),
            logos: LogoStore(directory: URL(fileURLWithPath: NSTemporaryDirectory())))
        let addresses = (0..<count).map { "invitee-\($0)@bench.test" }
        for start in stride(from: 0, to: count, by: InvitationRules.maxPerRequest) {
            let batch = Array(addresses[start..<min(count, start + InvitationRules.maxPerRequest)])
            _ = try database.invite(orgKey: orgKey, addresses: batch, role: .member, by: actor)
        }
        // Delivered long ago, as in a steady state: the mail worker has nothing to send meanwhile.
        let queued = try database.read { db in
            try Int64.fetchAll(
                db, sql: "SELECT o.id FROM outbox o JOIN invitation i ON i.id = o.invitationId WHERE i.orgId = ?",
                arguments: [org.id!])
        }
        for id in queued { try database.markMailSent(id: id) }
        Output.line(
            "Created \(orgKey) with \(count) pending invitations in \(String(format: "%.1f", Date().timeIntervalSince(started))) s.")
    }
}
