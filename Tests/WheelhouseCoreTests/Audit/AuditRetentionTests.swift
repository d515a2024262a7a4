import Foundation
import GRDB
import Testing
import WheelhouseCore
import WheelhouseTestSupport

/// Audit retention: the Owner's setting and the job that deletes entries older than the window.
@Suite("Audit retention") struct AuditRetentionTests {
    static let day: TimeInterval = 86_400

    static func world() throws -> (Fixture, TestClock) {
        let clock = TestClock()
        return (try Fixture(now: { clock.now }), clock)
    }

    static func owner(_ f: Fixture) -> Actor { Actor(user: f.owner, address: "test") }

    /// Entries in `orgId`, one per date, targets `old-<i>`.
    static func seed(_ f: Fixture, orgId: Int64, at dates: [Date]) throws {
        try f.database.seedAuditEvents(
            dates.enumerated().map { i, at in
                AuditEvent(
                    orgId: orgId, actorUserId: nil, action: .teamCreate, target: "old-\(i)", summary: "", address: "x", createdAt: at)
            })
    }

    static func targets(_ f: Fixture, orgId: Int64) throws -> [String] {
        try f.database.auditEvents(orgId: orgId).map(\.target).filter { $0.hasPrefix("old-") }
    }

    @Test func foreverIsTheDefaultAndDeletesNothing() throws {
        let (f, clock) = try Self.world()
        #expect(try f.database.auditRetention(orgId: f.org.id!) == AuditRetentionSetting(retention: .forever, version: 0))
        try Self.seed(f, orgId: f.org.id!, at: [clock.now.addingTimeInterval(-3_000 * Self.day)])
        #expect(try f.database.pruneAuditLog().isEmpty)
        #expect(try Self.targets(f, orgId: f.org.id!) == ["old-0"])
    }

    @Test(arguments: [AuditRetention.days30, .days90, .days365])
    func entriesJustOutsideTheWindowGoAndJustInsideStay(_ retention: AuditRetention) throws {
        let (f, clock) = try Self.world()
        try f.database.setAuditRetention(orgKey: "acme", value: retention.formValue, expectedVersion: 0, by: Self.owner(f))
        let cutoff = clock.now.addingTimeInterval(-Double(retention.days!) * Self.day)
        // old-0 one second too old; old-1 exactly at the edge and old-2 a second inside stay.
        try Self.seed(f, orgId: f.org.id!, at: [cutoff.addingTimeInterval(-1), cutoff, cutoff.addingTimeInterval(1)])
        let results = try f.database.pruneAuditLog()
        #expect(results == [AuditPruneResult(orgId: f.org.id!, removed: 1, cutoff: cutoff)])
        #expect(try Self.targets(f, orgId: f.org.id!) == ["old-1", "old-2"])
    }

    @Test func deletesInBatchesAndWritesOneSummaryItKeeps() throws {
        let (f, clock) = try Self.world()
        try f.database.setAuditRetention(orgKey: "acme", value: "30", expectedVersion: 0, by: Self.owner(f))
        let old = (0..<1_203).map { clock.now.addingTimeInterval(-40 * Self.day + Double($0)) }
        try Self.seed(f, orgId: f.org.id!, at: old)
        // The other organization keeps forever: its equally old entries stay.
        let other = try f.database.access(orgKey: "other", userId: f.outsider.id!).org.id!
        try Self.seed(f, orgId: other, at: Array(old.prefix(3)))

        let results = try f.database.pruneAuditLog(batchSize: 500)
        #expect(results.map(\.removed) == [1_203])
        #expect(try Self.targets(f, orgId: f.org.id!).isEmpty)
        #expect(try Self.targets(f, orgId: other).count == 3)
        let prunes = try f.database.auditEvents(orgId: f.org.id!).filter { $0.action == .auditPrune }
        #expect(prunes.count == 1)
        #expect(prunes.first?.actorUserId == nil)
        #expect(prunes.first?.summary.hasPrefix("removed 1203 entries older than ") == true)
        #expect(prunes.first?.summary.hasSuffix("(retention 30 days)") == true)
        #expect(try f.database.auditEvents(orgId: other).allSatisfy { $0.action != .auditPrune })

        // A later run within the window finds nothing: no second summary, the first one kept.
        clock.advance(3_600)
        #expect(try f.database.pruneAuditLog(batchSize: 500).isEmpty)
        #expect(try f.database.auditEvents(orgId: f.org.id!).filter { $0.action == .auditPrune }.count == 1)
    }

    @Test func theOwnerChangesItWithAnEntryAndAVersion() throws {
        let (f, _) = try Self.world()
        let saved = try f.database.setAuditRetention(orgKey: "acme", value: "365", expectedVersion: 0, by: Self.owner(f))
        #expect(saved == AuditRetentionSetting(retention: .days365, version: 1))
        let entry = try f.database.auditEvents(orgId: f.org.id!).last
        #expect(entry?.action == .auditRetention && entry?.summary == "audit retention forever → 365 days")
        // The same value again writes nothing.
        #expect(try f.database.setAuditRetention(orgKey: "acme", value: "365", expectedVersion: 1, by: Self.owner(f)).version == 1)
        #expect(try f.database.auditEvents(orgId: f.org.id!).last == entry)
    }

    @Test func refusedValuesStaleVersionsAndAdminsChangeNothing() throws {
        let (f, _) = try Self.world()
        for value in ["60", "", "0", "Forever"] {
            #expect(throws: DomainError.self) {
                try f.database.setAuditRetention(orgKey: "acme", value: value, expectedVersion: 0, by: Self.owner(f))
            }
        }
        #expect {
            try f.database.setAuditRetention(orgKey: "acme", value: "30", expectedVersion: 3, by: Self.owner(f))
        } throws: { ($0 as? DomainError).map { if case .staleVersion = $0 { true } else { false } } ?? false }
        #expect {
            try f.database.setAuditRetention(
                orgKey: "acme", value: "30", expectedVersion: 0, by: Actor(user: f.admin, address: "test"))
        } throws: { ($0 as? DomainError).map { if case .forbidden = $0 { true } else { false } } ?? false }
        #expect(try f.database.auditRetention(orgId: f.org.id!).version == 0)
        #expect(try f.database.auditEvents(orgId: f.org.id!).allSatisfy { $0.action != .auditRetention })
    }
}
