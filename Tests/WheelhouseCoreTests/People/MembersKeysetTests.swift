import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Next and Previous on the Members list start from a row's sort key instead of skipping rows
/// (issue 10, point 19): the pages they reach are the pages a page number reaches.
@Suite("Members list by cursor") struct MembersKeysetTests {
    let fixture: Fixture
    var database: AppDatabase { fixture.database }
    var orgId: Int64 { fixture.org.id! }

    /// 240 pending invitations (every third an Admin), 40 more members with names that tie without
    /// case, and a member whose name and address equal a pending invitation's address: 285 rows.
    init() throws {
        fixture = try Fixture()
        try fixture.database.writer.write { db in try db.execute(sql: "UPDATE organization SET memberLimit = 100000 WHERE key = 'acme'") }
        let owner = Actor(user: fixture.owner, address: "test")
        let addresses = (0..<240).map { String(format: "%@%03d@bulk.test", ["p", "P", "n"][$0 % 3], $0) } + ["TIE@acme.test"]
        for start in stride(from: 0, to: addresses.count, by: InvitationRules.maxPerRequest) {
            let batch = Array(addresses[start..<min(addresses.count, start + InvitationRules.maxPerRequest)])
            for role in [Role.admin, .member] {
                let part = batch.enumerated().filter { ($0.offset % 3 == 0) == (role == .admin) }.map(\.element)
                #expect(try fixture.database.invite(orgKey: "acme", addresses: part, role: role, by: owner).refused.isEmpty)
            }
        }
        try fixture.database.writer.write { db in
            for i in 0..<41 {
                let name = i == 40 ? "tie@acme.test" : ["Pat", "pat", "PAT", "Nia"][i % 4]
                let email = i == 40 ? "tie@acme.test" : "m\(i)@acme.test"
                try db.execute(
                    sql: "INSERT INTO user (email, name, passwordHash, createdAt) VALUES (?, ?, 'x', '2026-01-01 00:00:00.000')",
                    arguments: [email, name])
                try db.execute(
                    sql: "INSERT INTO membership (orgId, userId, role, createdAt) VALUES (?, ?, ?, '2026-01-01 00:00:00.000')",
                    arguments: [fixture.org.id!, db.lastInsertedRowID, ["admin", "member"][i % 2]])
            }
        }
    }

    func offsetPages(_ search: String, _ sort: MembersQuery.Sort) throws -> [[MembersQuery.Row]] {
        let first = try database.membersPage(orgId: orgId, MembersQuery(search: search, sort: sort))
        return try (1...first.pageCount).map { n in
            try database.membersPage(orgId: orgId, MembersQuery(search: search, sort: sort, page: n)).entries.map(\.row)
        }
    }

    @Test(arguments: [("", MembersQuery.Sort.name), ("", .role), ("p", .name), ("p", .role), ("acme", .role), ("tie", .name)])
    func nextAndPreviousReachTheSamePagesAsPageNumbers(search: String, sort: MembersQuery.Sort) throws {
        let expected = try offsetPages(search, sort)
        let all = expected.flatMap { $0 }
        #expect(Set(all).count == all.count, "no row twice")
        #expect(search != "" || all.count == 285)
        // Forwards from page 1 through Next
        var page = try database.membersPage(orgId: orgId, MembersQuery(search: search, sort: sort))
        var forwards = [page.entries.map(\.row)]
        while page.hasNext {
            page = try database.membersPage(
                orgId: orgId,
                MembersQuery(
                    search: search, sort: sort, page: page.page + 1,
                    start: .after(page.entries.last!.row)))
            forwards.append(page.entries.map(\.row))
            #expect(page.hasPrevious && page.page == forwards.count)
        }
        #expect(forwards == expected)
        // Backwards from the last page through Previous
        var backwards = [page.entries.map(\.row)]
        while page.hasPrevious {
            page = try database.membersPage(
                orgId: orgId,
                MembersQuery(
                    search: search, sort: sort, page: page.page - 1,
                    start: .before(page.entries.first!.row)))
            backwards.insert(page.entries.map(\.row), at: 0)
            #expect(page.hasNext)
        }
        #expect(backwards == expected)
        #expect(page.page == 1)
    }

    @Test func theOrderIsTotalAndRoleSortKeepsOwnersThenAdminsThenMembers() throws {
        let byRole = try offsetPages("", .role).flatMap { $0 }
        let entries = try (1...6).flatMap { try database.membersPage(orgId: orgId, MembersQuery(sort: .role, page: $0)).entries }
        #expect(entries.map(\.row) == byRole)
        let ranks = entries.map { [Role.owner: 0, .admin: 1, .member: 2][$0.role]! }
        #expect(ranks == ranks.sorted())
        // The member and the invitation with the same address: the member first
        let tie = try offsetPages("tie", .name).flatMap { $0 }
        #expect(tie.count == 2)
        if case .member? = tie.first {} else { Issue.record("member first: \(tie)") }
    }

    @Test func aPageAfterARowThatIsGoneFallsBackToItsNumberAndPreviousAtTheStartShowsPageOne() throws {
        let gone = try database.membersPage(orgId: orgId, MembersQuery(page: 2, start: .after(.member(999_999))))
        let second = try database.membersPage(orgId: orgId, MembersQuery(page: 2))
        #expect(gone.entries == second.entries)
        // Previous from the third row: only two rows before it, so page 1 whole
        let first = try database.membersPage(orgId: orgId, MembersQuery())
        let back = try database.membersPage(orgId: orgId, MembersQuery(page: 5, start: .before(first.entries[2].row)))
        #expect(back.entries == first.entries && back.page == 1 && !back.hasPrevious && back.hasNext)
        #expect(MembersQuery.Start(after: "i12", before: nil) == .after(.invitation(12)))
        #expect(MembersQuery.Start(after: "x12", before: "u3") == .before(.member(3)))
        #expect(MembersQuery.Start(after: "u-1", before: "i") == .offset)
    }

    @Test(arguments: MembersQuery.Sort.allCases)
    func aCursorPageReadsPendingInvitationsAsAnIndexRange(sort: MembersQuery.Sort) throws {
        let page = try database.membersPage(orgId: orgId, MembersQuery(sort: sort))
        for start in [MembersQuery.Start.after(page.entries.last!.row), .before(page.entries.last!.row)] {
            let plan = try database.read { db in
                let key = try #require(try AppDatabase.membersListKey(db, orgId: orgId, page.entries.last!.row))
                let arguments: StatementArguments = ["org": orgId, "now": Date(), "pattern": "", "limit": 51, "offset": 0]
                return try Row.fetchAll(
                    db, sql: "EXPLAIN QUERY PLAN " + MembersListSQL(query: MembersQuery(sort: sort), start: start).page,
                    arguments: arguments &+ key
                ).map { $0["detail"] as String }
            }
            let index = sort == .name ? "invitation_pending " : "invitation_pending_by_role "
            #expect(plan.contains { $0.contains("SEARCH i USING INDEX \(index)") && $0.contains("email") }, "\(plan)")
            #expect(!plan.contains { $0.contains("RIGHT PART OF ORDER BY") }, "\(plan)")
            #expect(plan.filter { $0.contains("TEMP B-TREE") }.count <= 2, "members and the page's own rows only: \(plan)")
        }
    }

    @Test func pageNumbersListEveryRowInTheOrderOfItsKey() throws {
        // The rows' addresses here are ASCII, where NOCASE is comparing lower-cased text
        let rank: [Role: Int] = [.owner: 0, .admin: 1, .member: 2]
        for sort in MembersQuery.Sort.allCases {
            let entries = try (1...6).flatMap { try database.membersPage(orgId: orgId, MembersQuery(sort: sort, page: $0)).entries }
            let expected = entries.sorted { a, b in
                func key(_ e: MemberEntry) -> (Int, String, String, Int) {
                    (sort == .role ? rank[e.role]! : 0, e.name.lowercased(), e.email.lowercased(), e.userId == nil ? 1 : 0)
                }
                return key(a) < key(b)
            }
            #expect(entries.count == 285)
            #expect(entries.map(\.row) == expected.map(\.row), "\(sort)")
            #expect(try database.membersPage(orgId: orgId, MembersQuery(sort: sort, page: 7)).entries.isEmpty, "past the end")
        }
    }

    @Test func membersOnAPageShowWhenTheyJoinedAndWereLastActive() throws {
        _ = try database.signIn(email: "owner@acme.test", password: Fixture.password, address: "a", userAgent: "t")
        let entries = try database.membersPage(orgId: orgId, MembersQuery(search: "acme.test", sort: .role)).entries
        #expect(entries.count == 45)
        #expect(entries.first { $0.userId == fixture.owner.id }?.lastActive != nil)
        #expect(entries.contains { $0.userId == fixture.admin.id && $0.lastActive == nil })
        // The members added above joined at 2026-01-01 00:00 UTC
        let added = entries.filter { $0.name == "Nia" || $0.name.lowercased() == "pat" }
        #expect(!added.isEmpty && added.allSatisfy { $0.since == Date(timeIntervalSince1970: 1_767_225_600) && $0.lastActive == nil })
        #expect(entries.filter { $0.invitationId != nil }.allSatisfy { $0.since.timeIntervalSince1970 > 1_767_225_600 })
    }
}
