import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// Issue 10 on the Members and invitation pages: links looked up before scrypt, 422 not 500,
/// the error summary, and seats held by pending invitations.
extension MembersWebTests {
    @Test func anUnknownLinkIsLookedUpBeforeAnyPasswordHashAndPostsAreThrottled() throws {
        let hashes = Counter()
        var hasher = PasswordHasher.fastForTests
        hasher.observe = { hashes.add() }
        let t = try TestApp(database: AppDatabase.inMemory(hasher: hasher))
        let visitor = t.client()
        let csrf = visitor.get("/login").csrf
        let before = hashes.value
        let unknown = visitor.post(
            "/invitations/not-a-real-token", [("_csrf", csrf), ("name", "X"), ("password", "a long enough password")])
        #expect(unknown.status == 404)
        #expect(hashes.value == before, "no scrypt for a link that does not exist")
        var statuses: [Int] = []
        for _ in 0..<InvitationRules.maxAnonymousPosts {
            statuses.append(visitor.post("/invitations/not-a-real-token", [("_csrf", csrf), ("name", "X"), ("password", "pw")]).status)
        }
        #expect(statuses.last == 429)
        #expect(hashes.value == before)
    }

    @Test func aSignedInPostWithAnUnexpectedFieldAnswers422() throws {
        let t = try TestApp()
        _ = try t.database.invite(
            orgKey: "other", addresses: ["member@acme.test"], role: .admin, by: Actor(user: t.outsider, address: "test"))
        let token = try #require(
            try t.database.membersPage(
                orgId: t.database.access(orgKey: "other", userId: t.outsider.id!).org.id!,
                MembersQuery()
            ).entries.compactMap(\.linkToken).first)
        let client = try t.client(signedInAs: "member@acme.test")
        let page = client.get("/invitations/\(token)")
        let response = client.post("/invitations/\(token)", [("_csrf", page.csrf), ("surprise", "1")])
        #expect(response.status == 422)
        #expect(response.contains("This form does not take an unexpected field"))
        #expect(response.contains("class=\"error-summary\""))
        #expect(try t.database.invitation(token: token)?.state == .pending)
    }

    @Test func refusalsStartWithAnErrorSummaryLinkingToTheControl() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let page = owner.get(members)
        // The last Owner cannot leave: the summary comes first in main, focusable, linking to the message
        let refused = owner.post(members + "/leave", [("_csrf", page.csrf)])
        #expect(refused.status == 422)
        let main = try #require(refused.html.range(of: "<main id=\"main\">"))
        let summary = try #require(refused.html.range(of: "class=\"error-summary\""))
        #expect(refused.html[main.upperBound..<summary.lowerBound].contains("<") == true)
        #expect(!refused.html[main.upperBound..<summary.lowerBound].contains("<h1"), "the summary precedes the page's heading")
        #expect(refused.contains("tabindex=\"-1\" autofocus"))
        #expect(refused.contains("href=\"#problem-leave\""))
        #expect(refused.contains("id=\"problem-leave\""))
        // A stale role change: 409, linking to that row's message
        _ = try t.database.changeRole(
            orgKey: "acme", userId: t.member.id!, to: .admin, expectedVersion: 1, by: Actor(user: t.owner, address: "t"))
        let stale = owner.post(members + "/\(t.member.id!)/role", [("_csrf", page.csrf), ("version", "1"), ("role", "member")])
        #expect(stale.status == 409)
        #expect(stale.contains("href=\"#problem-member-\(t.member.id!)\""))
        // The invite form's errors link to its fields
        let invite = owner.post(members + "/invite", [("_csrf", page.csrf), ("emails", ""), ("role", "member")])
        #expect(invite.status == 422)
        #expect(invite.contains("href=\"#field-emails\""))
    }

    @Test func theMemberLimitCountsPendingInvitationsAndAFullOrgRefusesToJoin() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        _ = try t.database.invite(
            orgKey: "acme", addresses: ["p1@acme.test", "p2@acme.test"], role: .member, by: Actor(user: t.owner, address: "t"))
        let general = owner.get("/orgs/acme/settings/general")
        let fields: [(String, [UInt8])] = [
            ("_csrf", Array(general.csrf.utf8)), ("version", Array((general.inputValue("version") ?? "").utf8)),
            ("display_name", Array("Acme".utf8)), ("description", []), ("member_limit", Array("4".utf8)),
        ]
        let refused = owner.postMultipart("/orgs/acme/settings/general", fields)
        #expect(refused.status == 422)
        #expect(refused.contains("5 seats in use: 3 active members and 2 pending invitations"))
        #expect(try t.database.access(orgKey: "acme", userId: t.owner.id!).org.memberLimit != 4)
        // Given the limit at exactly 5 seats, and someone added outside invitations (the CLI), the org is over-promised
        let org = try t.database.access(orgKey: "acme", userId: t.owner.id!).org
        try t.database.updateGeneral(
            orgKey: "acme", by: Actor(user: t.owner, address: "t"),
            GeneralSettingsChange(
                displayName: org.displayName, description: org.description, memberLimit: 5,
                logo: .keep, expectedVersion: org.version), logos: t.logos)
        let extra = try t.database.createUser(email: "extra@acme.test", name: "Extra", password: TestApp.password)
        try t.database.addMember(userId: extra.id!, orgId: t.org.id!, role: .member)
        let tokens = try t.database.membersPage(orgId: t.org.id!, MembersQuery()).entries.compactMap(\.linkToken)
        var statuses: [Int] = []
        var full: TestResponse?
        for token in tokens {
            let email = try #require(try t.database.invitation(token: token)?.invitation.email)
            _ = try t.database.createUser(email: email, name: "P", password: TestApp.password)
            let invitee = try t.client(signedInAs: email)
            let page = invitee.get("/invitations/\(token)")
            let response = invitee.post("/invitations/\(token)", [("_csrf", page.csrf)])
            statuses.append(response.status)
            if response.status != 303 { full = response }
        }
        // Then the first joins and the second is refused with a clear page
        #expect(statuses == [303, 409])
        #expect(full?.contains("This organization is full") == true)
        #expect(
            try t.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM membership WHERE orgId = ?", arguments: [t.org.id!])
            } == 5)
    }
}

/// Counts calls from any thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}
