import Foundation
import Testing
@testable import WheelhouseCore

/// The Audit log page's remembered reads on a database file: a commit from another process shows
/// on the next read, and each filter and page is remembered apart.
@Suite("Remembered audit page reads on a database file") struct AuditPageCacheTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("wh-audit-cache-\(UUID()).sqlite").path

    @Test func aCommitShowsAndFiltersAreRememberedApart() throws {
        let key = MasterKey.generate()
        let first = try AppDatabase.open(path: path, hasher: .fastForTests, readers: 2, masterKey: .key(key))
        let second = try AppDatabase.open(path: path, hasher: .fastForTests, readers: 2, masterKey: .key(key))
        let (owner, org) = try first.createOwner(
            NewOwner(email: "o@a.test", name: "O", password: "long enough pw", orgKey: "acme", orgName: "Acme"))
        func targets(_ filter: AuditFilter = AuditFilter(), _ cursor: AuditCursor = .newest) throws -> [String] {
            try first.auditPageData(orgId: org.id!, filter: filter, from: cursor, viewer: .owner).page.entries.map(\.event.target)
        }
        let before = try targets()
        #expect(try targets() == before)
        // Another process writes: the next read shows it
        _ = try second.createTeam(orgKey: "acme", TeamChange(name: "Fresh", description: ""), by: Actor(user: owner, address: "b"))
        let after = try targets()
        #expect(after.count == before.count + 1 && after.first?.hasPrefix("team:") == true)
        // Filters and cursors are different pages
        #expect(try targets(AuditFilter(action: .teamCreate)).count == 1)
        #expect(try targets(AuditFilter(action: .organizationCreate)).allSatisfy { $0.hasPrefix("org:") })
        #expect(try targets(AuditFilter(text: "Fresh|x")).isEmpty)
        let newestId = try first.auditPageData(orgId: org.id!, filter: AuditFilter(), from: .newest, viewer: .owner).page.entries[0].event
            .id!
        #expect(try targets(AuditFilter(), .before(newestId)) == Array(after.dropFirst()))
    }
}
