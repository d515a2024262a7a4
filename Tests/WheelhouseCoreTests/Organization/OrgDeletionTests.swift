import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Deleting an organization: scheduled by an Owner, 30 days of grace in which nothing changes
/// and everything can be cancelled, reminders, then the purge.
@Suite("Organization deletion") struct OrgDeletionTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    func actor(_ user: User) -> Actor { Actor(user: user, address: "203.0.113.9") }
    func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments)! }
    }

    @Test func onlyAnOwnerTypingTheKeySchedulesItAndEveryOwnerIsTold() throws {
        let org = try fixture.currentOrg()
        #expect(throws: DomainError.forbidden(.deleteOrganization)) {
            try database.scheduleDeletion(orgKey: "acme", confirmKey: "acme", expectedVersion: org.version, by: actor(fixture.admin))
        }
        #expect(throws: DomainError.notFound) {
            try database.scheduleDeletion(orgKey: "acme", confirmKey: "acme", expectedVersion: org.version, by: actor(fixture.outsider))
        }
        for typed in ["", "ACME", "acme ", "other"] {
            #expect(throws: DomainError.self) {
                try database.scheduleDeletion(orgKey: "acme", confirmKey: typed, expectedVersion: org.version, by: actor(fixture.owner))
            }
        }
        #expect(throws: DomainError.staleVersion) {
            try database.scheduleDeletion(orgKey: "acme", confirmKey: "acme", expectedVersion: org.version - 1, by: actor(fixture.owner))
        }
        #expect(try fixture.currentOrg().purgeAt == nil)

        let purgeAt = try database.scheduleDeletion(
            orgKey: "acme", confirmKey: "acme", expectedVersion: org.version, by: actor(fixture.owner))
        #expect(purgeAt == clock.now.addingTimeInterval(30 * 86_400))
        #expect(try fixture.currentOrg().purgeAt == purgeAt)
        #expect(try count("SELECT count(*) FROM auditEvent WHERE action = 'organization.deletion.schedule' AND orgId = ?", [org.id]) == 1)
        #expect(try count("SELECT count(*) FROM outbox WHERE kind = 'notice' AND recipient = 'owner@acme.test'") == 1)
        #expect(
            try count("SELECT count(*) FROM notification WHERE kind = 'org.deletion-scheduled' AND userId = ?", [fixture.owner.id]) == 1)
        // Scheduling twice is refused with the date
        #expect(throws: DomainError.self) {
            try database.scheduleDeletion(
                orgKey: "acme", confirmKey: "acme", expectedVersion: try fixture.currentOrg().version, by: actor(fixture.owner))
        }
    }

    @Test func whileItWaitsChangesAreRefusedButReadsAndCancelWork() throws {
        let org = try fixture.currentOrg()
        let purgeAt = try database.scheduleDeletion(
            orgKey: "acme", confirmKey: "acme", expectedVersion: org.version, by: actor(fixture.owner))
        #expect(throws: DomainError.pendingDeletion(purgeAt: purgeAt)) {
            try database.invite(orgKey: "acme", addresses: ["new@acme.test"], role: .member, by: actor(fixture.admin))
        }
        #expect(throws: DomainError.pendingDeletion(purgeAt: purgeAt)) {
            try database.createTeam(orgKey: "acme", TeamChange(name: "Late", description: ""), by: actor(fixture.owner))
        }
        #expect(throws: DomainError.pendingDeletion(purgeAt: purgeAt)) {
            try database.addSecret(orgKey: "acme", by: actor(fixture.member), name: "LATE", value: "v")
        }
        let usage = try database.recordUsage([
            UsageEventInput(
                org: "acme", at: Int64(clock.now.timeIntervalSince1970), workspace: "default", kind: "run", status: .success,
                provider: "", model: "", inputTokens: 0, outputTokens: 0, costMicros: 0, byok: false, idempotencyKey: "late-1")
        ])
        #expect(usage.rejected.map(\.reason) == ["organization “acme” is scheduled for deletion"])
        // Reads go on
        #expect(try database.access(orgKey: "acme", userId: fixture.member.id!).org.purgeAt == purgeAt)
        #expect(try database.memberExport(orgKey: "acme", by: actor(fixture.admin)).count == 3)
        // Another organization is untouched
        _ = try database.createTeam(orgKey: "other", TeamChange(name: "Fine", description: ""), by: actor(fixture.outsider))
        // An Admin cannot cancel; an Owner can, and everything works again
        #expect(throws: DomainError.forbidden(.deleteOrganization)) {
            try database.cancelDeletion(orgKey: "acme", expectedVersion: try fixture.currentOrg().version, by: actor(fixture.admin))
        }
        try database.cancelDeletion(orgKey: "acme", expectedVersion: try fixture.currentOrg().version, by: actor(fixture.owner))
        #expect(try fixture.currentOrg().purgeAt == nil)
        _ = try database.createTeam(orgKey: "acme", TeamChange(name: "Back", description: ""), by: actor(fixture.owner))
        #expect(try count("SELECT count(*) FROM auditEvent WHERE action = 'organization.deletion.cancel'") == 1)
        // Cancelling what is not scheduled says so
        #expect(throws: DomainError.self) {
            try database.cancelDeletion(orgKey: "acme", expectedVersion: try fixture.currentOrg().version, by: actor(fixture.owner))
        }
    }

    @Test func cancellingRestoresEveryRowAsItWas() throws {
        _ = try database.createTeam(orgKey: "acme", TeamChange(name: "Core", description: "the core"), by: actor(fixture.owner))
        _ = try database.addSecret(orgKey: "acme", by: actor(fixture.member), name: "TOKEN", value: "s3cret")
        let before = try snapshot(orgId: fixture.org.id!)
        try database.scheduleDeletion(
            orgKey: "acme", confirmKey: "acme", expectedVersion: try fixture.currentOrg().version, by: actor(fixture.owner))
        clock.advance(20 * 86_400)
        try database.runDeletionDuties(logos: nil)
        try database.cancelDeletion(orgKey: "acme", expectedVersion: try fixture.currentOrg().version, by: actor(fixture.owner))
        #expect(try snapshot(orgId: fixture.org.id!) == before)
    }

    /// Every row of the organization in every table with an `orgId`, except the ones the deletion
    /// itself writes to (its audit entries, mail and inbox) and the organization's own version.
    func snapshot(orgId: Int64) throws -> [String: [String]] {
        try database.read { db in
            var all: [String: [String]] = [:]
            for table in try AppDatabase.tablesWithOrgId(db) where !["auditEvent", "outbox", "notification"].contains(table.name) {
                all[table.name] = try Row.fetchAll(db, sql: "SELECT * FROM \"\(table.name)\" WHERE orgId = ?", arguments: [orgId]).map(
                    \.description)
            }
            all["organization"] = try Row.fetchAll(
                db, sql: "SELECT key, displayName, description, logoFile, memberLimit, purgeAt FROM organization WHERE id = ?",
                arguments: [orgId]
            ).map(\.description)
            return all
        }
    }

    @Test func remindersGoOutSevenAndOneDaysBeforeEachOnce() throws {
        try database.scheduleDeletion(
            orgKey: "acme", confirmKey: "acme", expectedVersion: try fixture.currentOrg().version, by: actor(fixture.owner))
        func reminders() throws -> Int { try count("SELECT count(*) FROM outbox WHERE subject LIKE '% will be deleted in %'") }
        clock.advance(22 * 86_400)
        #expect(try database.runDeletionDuties(logos: nil).remindersSent == 0)
        clock.advance(1 * 86_400 + 60)
        #expect(try database.runDeletionDuties(logos: nil).remindersSent == 1)
        #expect(try database.runDeletionDuties(logos: nil).remindersSent == 0)
        #expect(try count("SELECT count(*) FROM outbox WHERE subject = 'Acme will be deleted in 7 days'") == 1)
        clock.advance(6 * 86_400)
        #expect(try database.runDeletionDuties(logos: nil).remindersSent == 1)
        #expect(try count("SELECT count(*) FROM outbox WHERE subject = 'Acme will be deleted in 1 day'") == 1)
        #expect(try reminders() == 2)
    }

    @Test func aWorkerThatWasDownSendsOnlyTheLatestReminder() throws {
        try database.scheduleDeletion(
            orgKey: "acme", confirmKey: "acme", expectedVersion: try fixture.currentOrg().version, by: actor(fixture.owner))
        clock.advance(29 * 86_400 + 3_600)
        #expect(try database.runDeletionDuties(logos: nil).remindersSent == 1)
        #expect(try database.runDeletionDuties(logos: nil).remindersSent == 0)
        #expect(try count("SELECT count(*) FROM outbox WHERE subject LIKE '% will be deleted in %'") == 1)
    }
}
