import Foundation
import Testing
import WheelhouseCore
import WheelhouseTestSupport

/// The Audit log's reads: filters, keyset pages and the export's bound.
@Suite("Audit log reads") struct AuditLogTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// `count` entries in acme, one a minute from `start`: actions and actors in turn.
    static func seeded(_ count: Int) throws -> Fixture {
        let f = try Fixture()
        let actions: [AuditAction] = [.memberRole, .teamCreate, .secretRotate]
        let people: [Int64] = [f.owner.id!, f.admin.id!, f.member.id!]
        var events: [AuditEvent] = []
        for i in 0..<count {
            let actor: Int64? = i % 4 == 3 ? nil : people[i % 3]
            let summary = i == 5 ? "100% of 50_50 done" : "summary \(i)"
            let at = start.addingTimeInterval(Double(i) * 60)
            events.append(
                AuditEvent(
                    orgId: f.org.id!, actorUserId: actor, action: actions[i % 3], target: "target-\(i)", summary: summary,
                    address: "10.0.0.\(i)", createdAt: at))
        }
        try f.database.seedAuditEvents(events)
        return f
    }

    static func ids(_ f: Fixture, _ filter: AuditFilter) throws -> [Int64] {
        try f.database.auditLogExport(orgId: f.org.id!, filter: filter).entries.map { $0.event.id! }
    }

    @Test func newestFirstWithTheActorsNameAndSystemWithoutOne() throws {
        let f = try Self.seeded(8)
        let page = try f.database.auditLogPage(orgId: f.org.id!, filter: AuditFilter(), from: .newest)
        let seeded = page.entries.filter { $0.event.target.hasPrefix("target-") }
        #expect(seeded.map(\.event.target) == (0..<8).reversed().map { "target-\($0)" })
        #expect(seeded.first { $0.event.target == "target-0" }?.actorName == "Olga Owner")
        #expect(seeded.first { $0.event.target == "target-3" }?.actorName == nil)
        #expect(seeded.first { $0.event.target == "target-3" }?.event.actorUserId == nil)
        #expect(!page.hasNewer && !page.hasOlder)
    }

    @Test func eachFilterNarrowsTheLog() throws {
        let f = try Self.seeded(12)
        let all = try f.database.auditLogExport(orgId: f.org.id!, filter: AuditFilter()).entries
        func targets(_ filter: AuditFilter) throws -> Set<String> {
            // The fixture's own entries (the organization, its members) are left out.
            Set(
                try f.database.auditLogExport(orgId: f.org.id!, filter: filter).entries.map(\.event.target).filter {
                    $0.hasPrefix("target-")
                })
        }
        #expect(try targets(AuditFilter(action: .teamCreate)) == ["target-1", "target-4", "target-7", "target-10"])
        #expect(try targets(AuditFilter(actor: .system)) == ["target-3", "target-7", "target-11"])
        let byAdmin = try targets(AuditFilter(actor: .user(f.admin.id!)))
        #expect(byAdmin == Set(all.filter { $0.event.actorUserId == f.admin.id! }.map(\.event.target)))
        #expect(!byAdmin.isEmpty)
        let since = Self.start.addingTimeInterval(5 * 60), until = Self.start.addingTimeInterval(7 * 60)
        #expect(try targets(AuditFilter(since: since, until: until)) == ["target-5", "target-6"])
        #expect(try targets(AuditFilter(text: "target-1")) == ["target-1", "target-10", "target-11"])
        #expect(try targets(AuditFilter(action: .teamCreate, text: "target-1")) == ["target-1", "target-10"])
    }

    /// `%`, `_` and `\` in the search text match only themselves.
    @Test func theSearchTextHasNoWildcards() throws {
        let f = try Self.seeded(12)
        func targets(_ text: String) throws -> [String] {
            try f.database.auditLogExport(orgId: f.org.id!, filter: AuditFilter(text: text)).entries.map(\.event.target)
        }
        #expect(try targets("100%") == ["target-5"])
        #expect(try targets("50_50") == ["target-5"])
        #expect(try targets("%").count == 1)
        #expect(try targets("_").count == 1)
        #expect(try targets("\\").isEmpty)
    }

    /// Walking older pages lists every entry exactly once, even while new entries keep arriving;
    /// walking back with `after` gives the same pages.
    @Test func keysetPagesListEveryEntryOnceWhileEntriesAreAdded() throws {
        let f = try Self.seeded(23)
        let before = try Self.ids(f, AuditFilter())
        var seen: [Int64] = [], cursor = AuditCursor.newest, pages: [[Int64]] = []
        while true {
            let page = try f.database.auditLogPage(orgId: f.org.id!, filter: AuditFilter(), from: cursor, size: 5)
            pages.append(page.entries.map { $0.event.id! })
            seen += pages.last!
            try f.database.seedAuditEvents([
                AuditEvent(
                    orgId: f.org.id!, actorUserId: nil, action: .providerTest, target: "new", summary: "", address: "cli",
                    createdAt: Date())
            ])
            guard page.hasOlder, let last = seen.last else { break }
            cursor = .before(last)
        }
        #expect(seen == before, "every entry that existed, once, newest first")
        #expect(pages.dropLast().allSatisfy { $0.count == 5 })
        let second = try f.database.auditLogPage(orgId: f.org.id!, filter: AuditFilter(), from: .after(pages[2].first!), size: 5)
        #expect(second.entries.map { $0.event.id! } == pages[1])
        #expect(second.hasNewer && second.hasOlder)
    }

    @Test func theExportStopsAtItsCapAndSaysSo() throws {
        let f = try Self.seeded(10)
        let capped = try f.database.auditLogExport(orgId: f.org.id!, filter: AuditFilter(action: .memberRole), limit: 3)
        #expect(capped.entries.map(\.event.target) == ["target-9", "target-6", "target-3"])
        #expect(capped.truncated)
        #expect(try !f.database.auditLogExport(orgId: f.org.id!, filter: AuditFilter(action: .memberRole), limit: 4).truncated)
    }

    @Test func anotherOrganizationsEntriesNeverShow() throws {
        let f = try Self.seeded(4)
        let other = try f.database.access(orgKey: "other", userId: f.outsider.id!).org
        let entries = try f.database.auditLogExport(orgId: other.id!, filter: AuditFilter()).entries
        #expect(entries.allSatisfy { $0.event.orgId == other.id! })
        #expect(!entries.contains { $0.event.target.hasPrefix("target-") })
    }

    @Test func everyActionHasAnArea() {
        let grouped = AuditArea.allCases.flatMap(\.actions)
        #expect(grouped.count == AuditAction.allCases.count)
        #expect(AuditAction.memberRole.area == .members && AuditAction.chatModelEnable.area == .credentials)
    }
}
