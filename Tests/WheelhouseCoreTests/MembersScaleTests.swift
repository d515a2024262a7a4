import Foundation
import GRDB
import Testing
@testable import WheelhouseCore

/// The Members page with thousands of pending invitations (issue 10, point 19): details are read
/// for the page's rows only, and each invitation's latest email is found through an index.
@Suite("Members page at scale") struct MembersScaleTests {
    let fixture: Fixture
    var database: AppDatabase { fixture.database }

    init() throws { fixture = try Fixture() }

    /// Invites `count` addresses (`p00000@bulk.test` …) in batches of the largest request.
    func invite(_ count: Int) throws {
        try database.writer.write { db in try db.execute(sql: "UPDATE organization SET memberLimit = 100000 WHERE key = 'acme'") }
        let addresses = (0..<count).map { String(format: "p%05d@bulk.test", $0) }
        for start in stride(from: 0, to: count, by: InvitationRules.maxPerRequest) {
            let batch = Array(addresses[start..<min(count, start + InvitationRules.maxPerRequest)])
            let outcome = try database.invite(orgKey: "acme", addresses: batch, role: .member,
                                              by: Actor(user: fixture.owner, address: "test"))
            #expect(outcome.refused.isEmpty)
        }
    }

    @Test func pagesThroughThousandsOfPendingInvitationsWithTheirDelivery() throws {
        // Given 2 000 pending invitations, the latest one's email failed
        try invite(2_000)
        try database.markMailFailed(id: try database.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM outbox")! },
                                    error: "relay refused")
        // When the list is read page by page, by name
        let first = try database.membersPage(orgId: fixture.org.id!, MembersQuery())
        let last = try database.membersPage(orgId: fixture.org.id!, MembersQuery(page: 41))
        // Then each page has its 50 rows in order, with counts over everything
        #expect(first.counts == MemberCounts(active: 3, pending: 2_000))
        #expect(first.matching == 2_003)
        #expect(first.pageCount == 41)
        #expect(first.entries.count == 50)
        #expect(first.entries.map(\.email) == first.entries.map(\.email).sorted { $0.lowercased() < $1.lowercased() })
        // (Ada, Max and Olga sort before "p…")
        #expect(first.entries.prefix(3).allSatisfy { $0.status == .active && $0.delivery == nil })
        #expect(first.entries.dropFirst(3).allSatisfy { $0.status == .invited && $0.delivery == "queued" && $0.linkToken != nil })
        #expect(last.entries.count == 3)
        #expect(last.entries.last?.email == "p01999@bulk.test")
        #expect(last.entries.last?.delivery == "queued", "failed once, retried later: still queued")
        #expect(last.entries.last?.deliveryError == "relay refused")
        // And by role, the three members lead
        let byRole = try database.membersPage(orgId: fixture.org.id!, MembersQuery(sort: .role))
        #expect(byRole.entries.prefix(3).map(\.role) == [.owner, .admin, .member])
        #expect(byRole.entries.prefix(3).allSatisfy { $0.status == .active && $0.version > 0 })
    }

    @Test func theLatestEmailOfAnInvitationIsFoundThroughAnIndex() throws {
        let plan = try database.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT status FROM outbox o WHERE o.invitationId = 1 ORDER BY o.id DESC LIMIT 1")
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
        #expect(plan.contains("outbox_invitation"), "plan: \(plan)")
        #expect(!plan.contains("SCAN o") && !plan.contains("SCAN outbox"), "plan: \(plan)")
    }
}
