import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// The purge after the grace period, on a real database file: nothing of the organization is
/// left in its bytes, and every other organization is exactly as it was.
@Suite("Organization purge") struct OrgPurgeTests {
    /// Strings that exist only in the doomed organization's rows.
    static let markers = [
        "Zanzibar Doomed Corp", "zdc-description-marker", "zdc-team-marker", "zdc-workspace-marker", "ZDC_SECRET_MARKER",
        "zdc-provider-marker", "zdc-invitee@doomed.test", "zdc-message-marker", "zdc-model-marker", "zdc-event-marker",
    ]

    @Test func nothingOfTheOrganizationRemainsInTheFileAndOthersAreUntouched() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wh-purge-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("wheelhouse.sqlite").path
        let database = try AppDatabase.open(path: path, hasher: .fastForTests, readers: 2, masterKey: .key(.generate()))
        let fixture = try Fixture(database: database)
        _ = try database.createTeam(
            orgKey: "acme", TeamChange(name: "Keepers", description: "stay"), by: Actor(user: fixture.owner, address: "t"))

        // Given an organization with a bit of everything
        let (boss, doomed) = try database.createOwner(
            NewOwner(
                email: "boss@doomed.test", name: "Bea Boss", password: Fixture.password, orgKey: "doomed", orgName: "Zanzibar Doomed Corp"))
        let actor = Actor(user: boss, address: "198.51.100.7")
        try database.writer.write { db in
            try db.execute(sql: "UPDATE organization SET description = 'zdc-description-marker' WHERE id = ?", arguments: [doomed.id])
        }
        _ = try database.createTeam(orgKey: "doomed", TeamChange(name: "zdc-team-marker", description: "team"), by: actor)
        _ = try database.createWorkspace(
            orgKey: "doomed", NewWorkspace(name: "zdc-workspace-marker", key: "zdc", description: ""), enforcePlan: false, by: actor)
        _ = try database.addSecret(orgKey: "doomed", by: actor, name: "ZDC_SECRET_MARKER", value: "plain")
        _ = try database.addProvider(
            orgKey: "doomed", by: actor,
            ProviderChange(
                kind: .custom, name: "zdc-provider-marker", baseURL: "https://llm.doomed.test/v1", apiKey: "sk-doomed-0123456789"))
        _ = try database.invite(
            orgKey: "doomed", addresses: ["zdc-invitee@doomed.test"], role: .member, message: "zdc-message-marker", by: actor)
        let events = (0..<2_500).map { i in
            UsageEventInput(
                org: "doomed", at: 1_790_000_000 + Int64(i), workspace: "zdc", kind: "run", status: .success, provider: "openai",
                model: "zdc-model-marker", inputTokens: 10, outputTokens: 5, costMicros: 100, byok: false,
                idempotencyKey: "zdc-event-marker-\(i)")
        }
        #expect(try database.recordUsage(events).rejected.isEmpty)
        let logos = LogoStore(directory: directory.appendingPathComponent("logos"))
        try FileManager.default.createDirectory(at: logos.directory, withIntermediateDirectories: true)
        let logo = logos.directory.appendingPathComponent("doomed-logo.png")
        try Data(SampleImages.png).write(to: logo)
        try database.writer.write { db in
            try db.execute(sql: "UPDATE organization SET logoFile = 'doomed-logo.png' WHERE id = ?", arguments: [doomed.id])
        }
        let othersBefore = try others(database, except: doomed.id!)

        // When its deletion is scheduled and the grace period is over
        let version = try database.access(orgKey: "doomed", userId: boss.id!).org.version
        try database.scheduleDeletion(orgKey: "doomed", confirmKey: "doomed", expectedVersion: version, by: actor)
        try database.writer.write { db in
            try db.execute(sql: "UPDATE organization SET purgeAt = ? WHERE id = ?", arguments: [Date().addingTimeInterval(-1), doomed.id])
        }
        let run = try database.runDeletionDuties(logos: logos, batchSize: 300)

        // Then it is gone, with one tombstone outside it
        #expect(run.purged == ["doomed"])
        #expect(throws: DomainError.notFound) { try database.access(orgKey: "doomed", userId: boss.id!) }
        let tombstone = try database.read { db in
            try Row.fetchOne(db, sql: "SELECT orgId, actorUserId, target FROM auditEvent WHERE action = 'organization.purge'")
        }
        #expect(tombstone?[0] as Int64? == nil)
        #expect(tombstone?[1] == boss.id)
        #expect(tombstone?[2] == "org:doomed")
        #expect(!FileManager.default.fileExists(atPath: logo.path))
        // Every other organization is exactly as it was
        #expect(try others(database, except: doomed.id!) == othersBefore)
        // And none of its strings is left anywhere in the database file or its WAL
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        if let wal = FileManager.default.contents(atPath: path + "-wal") { bytes.append(wal) }
        for marker in Self.markers {
            #expect(bytes.range(of: Data(marker.utf8)) == nil, "\(marker) is still in the file")
        }
    }

    /// Every row of every table with an `orgId`, outside organization `except`, plus the others'
    /// organization rows; the audit log only for the other organizations (the tombstone is new).
    func others(_ database: AppDatabase, except orgId: Int64) throws -> [String: [String]] {
        try database.read { db in
            var all: [String: [String]] = [:]
            for table in try AppDatabase.tablesWithOrgId(db) {
                all[table.name] = try Row.fetchAll(
                    db, sql: "SELECT * FROM \"\(table.name)\" WHERE orgId IS NOT ? AND orgId IS NOT NULL ORDER BY 1, 2", arguments: [orgId]
                ).map(\.description)
            }
            all["organization"] = try Row.fetchAll(db, sql: "SELECT * FROM organization WHERE id <> ? ORDER BY id", arguments: [orgId])
                .map(\.description)
            all["teamMember"] = try Row.fetchAll(db, sql: "SELECT * FROM teamMember ORDER BY 1, 2").map(\.description)
            return all
        }
    }
}
