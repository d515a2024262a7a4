import Foundation
import Testing
import WheelhouseCore
import WheelhouseTestSupport
@testable import WheelhouseWeb

/// Property: following the Older links of a filtered log lists every matching entry exactly once,
/// however many entries arrive between two pages (seeded runs; each seed is printed on failure).
@Suite("Audit log pages while entries arrive, in process") struct AuditPagingWebTests {
    static let audit = "/orgs/acme/settings/audit"

    @Test(arguments: [1, 2, 3, 4, 5])
    func olderLinksListEveryEntryOnce(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let t = try TestApp()
        let client = try t.client(signedInAs: "admin@acme.test")
        var next = 0
        func add(_ count: Int) throws {
            try t.database.seedAuditEvents(
                (0..<count).map { _ in
                    next += 1
                    // Every third entry is another action: the filter must leave it out.
                    let action: AuditAction = next % 3 == 0 ? .secretRotate : .teamCreate
                    return AuditEvent(
                        orgId: t.org.id!, actorUserId: t.owner.id!, action: action, target: "e\(next)x", summary: "s",
                        address: "192.0.2.1", createdAt: Date())
                })
        }
        try add(Int.random(in: 60...180, using: &random))
        let before = next
        var seen: [String] = []
        var path: String? = Self.audit + "?action=team.create"
        while let current = path {
            let page = client.get(current)
            #expect(page.status == 200)
            seen += page.html.matches(of: /<td>(e\d+x)<\/td>/).map { String($0.1) }
            path = page.html.firstMatch(of: /href="([^"]+)" rel="next"/).map { String($0.1).replacingOccurrences(of: "&amp;", with: "&") }
            // New entries arrive between pages (newer than any page already being walked).
            try add(Int.random(in: 0...40, using: &random))
        }
        let expected = (1...before).filter { $0 % 3 != 0 }.map { "e\($0)x" }
        #expect(seen.count == Set(seen).count, "seed \(seed): an entry was listed twice")
        #expect(Set(seen) == Set(expected), "seed \(seed)")
    }
}
