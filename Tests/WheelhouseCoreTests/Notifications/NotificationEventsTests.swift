import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// The real events raise their notifications in the transaction of the change, to the right
/// people, and never to the person who acted.
@Suite("Notification events") struct NotificationEventsTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    func actor(_ user: User) -> Actor { Actor(user: user, address: "203.0.113.4") }

    /// Each person's notifications of `kind`: user id → titles.
    func told(_ kind: NotificationKind) throws -> [Int64: [String]] {
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT userId, title FROM notification WHERE kind = ? ORDER BY id", arguments: [kind.rawValue])
        }
        return Dictionary(grouping: rows, by: { $0[0] as Int64 }).mapValues { $0.map { $0[1] as String } }
    }

    func version(_ user: User) throws -> Int {
        try database.read { db in
            try Int.fetchOne(
                db, sql: "SELECT version FROM membership WHERE userId = ? AND orgId = ?", arguments: [user.id!, fixture.org.id!])!
        }
    }

    @Test func aRoleChangeTellsThatPersonOnlyByBothDefaultChannels() throws {
        try database.changeRole(
            orgKey: "acme", userId: fixture.member.id!, to: .admin, expectedVersion: version(fixture.member), by: actor(fixture.owner))
        #expect(try told(.roleChanged) == [fixture.member.id!: ["Olga Owner changed your role in Acme to Admin"]])
        let mail = try database.read { db in try String.fetchAll(db, sql: "SELECT recipient FROM outbox WHERE kind = 'notice'") }
        #expect(mail == ["member@acme.test"])
    }

    @Test func removingTellsTheRemovedPersonAndTheOtherAdminsButNotTheActor() throws {
        try database.removeMember(
            orgKey: "acme", userId: fixture.member.id!, expectedVersion: version(fixture.member), by: actor(fixture.owner))
        #expect(try told(.removedYou) == [fixture.member.id!: ["Olga Owner removed you from Acme"]])
        #expect(try told(.memberLeft) == [fixture.admin.id!: ["Olga Owner removed Max Member from Acme"]])
        // The removed person's entry has no link: the organization is closed to them now.
        #expect(
            try database.read { db in try String.fetchOne(db, sql: "SELECT link FROM notification WHERE kind = 'member.removed-you'") }
                == nil)
    }

    @Test func leavingTellsTheOwnersAndAdminsButNotTheOneWhoLeft() throws {
        try database.leave(orgKey: "acme", by: actor(fixture.member))
        #expect(try told(.memberLeft) == [fixture.owner.id!: ["Max Member left Acme"], fixture.admin.id!: ["Max Member left Acme"]])
        // Member chatter is in the app only by default: no email.
        #expect(try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") } == 0)
    }

    @Test func aTransferTellsTheNewOwner() throws {
        try database.transferOwnership(orgKey: "acme", to: fixture.admin.id!, confirmation: "acme", by: actor(fixture.owner))
        #expect(try told(.roleChanged) == [fixture.admin.id!: ["Olga Owner changed your role in Acme to Owner"]])
    }

    @Test func joiningTellsTheInviterOnceAndTheOtherAdminsThatAMemberJoined() throws {
        _ = try database.invite(orgKey: "acme", addresses: ["newbie@acme.test"], role: .member, by: actor(fixture.admin))
        let token = try #require(try database.membersPage(orgId: fixture.org.id!, MembersQuery()).entries.compactMap(\.linkToken).first)
        let newbie = try database.createUser(email: "newbie@acme.test", name: "Nina New", password: Fixture.password)
        #expect(try database.acceptInvitation(token: token, by: actor(newbie)) == "acme")
        #expect(try told(.invitationAccepted) == [fixture.admin.id!: ["Nina New accepted your invitation to Acme"]])
        #expect(try told(.memberJoined) == [fixture.owner.id!: ["Nina New joined Acme as Member"]])
        // Accepting again (harmless) tells nobody again.
        _ = try database.acceptInvitation(token: token, by: actor(newbie))
        #expect(try told(.memberJoined).values.joined().count == 1)
    }

    @Test func aProviderTurningFailedTellsTheOtherAdminsOnce() throws {
        let provider = try database.addProvider(
            orgKey: "acme", by: actor(fixture.admin),
            ProviderChange(kind: .openai, name: "", baseURL: "https://api.openai.com/v1", apiKey: "sk-org-PROVIDER-0123456789abcdef"))
        let failing = ScriptedProbe(ProbeOutcome(.httpStatus(401), providerMessage: "Incorrect API key"))
        try database.testProvider(orgKey: "acme", id: provider.id, by: actor(fixture.admin), probe: failing)
        let titles = try told(.providerFailed)
        // The Admin who ran the test sees it on the page; the Owner is told; the Member is not an administrator.
        #expect(Array(titles.keys) == [fixture.owner.id!])
        #expect(titles[fixture.owner.id!]?.first?.hasPrefix("The provider “OpenAI” of Acme failed its connection test") == true)
        // Failing again is not news.
        try database.testProvider(orgKey: "acme", id: provider.id, by: actor(fixture.owner), probe: failing)
        #expect(try told(.providerFailed).values.joined().count == 1)
    }

    @Test func eachEventIsWrittenInItsChangesTransaction() throws {
        struct Rollback: Error {}
        let org = try fixture.currentOrg()
        let invitation = Invitation(
            id: nil, orgId: org.id!, email: "x@acme.test", role: .member, linkNonce: Data(count: 16), tokenHash: Data(count: 32),
            status: .pending, invitedBy: fixture.admin.id, acceptedBy: nil, createdAt: clock.now, sentAt: clock.now,
            expiresAt: clock.now.addingTimeInterval(3600), closedAt: nil, version: 1)
        let raisers: [(String, (Database) throws -> Void)] = [
            (
                "role",
                { db in
                    try AppDatabase.tellRoleChanged(
                        db, org: org, userId: fixture.member.id!, role: .admin, by: actor(fixture.owner), now: clock.now)
                }
            ),
            (
                "gone",
                { db in
                    try AppDatabase.tellMemberGone(
                        db, org: org, userId: fixture.member.id!, removedBy: actor(fixture.owner), now: clock.now)
                }
            ),
            (
                "joined",
                { db in try AppDatabase.tellJoined(db, org: org, invitation: invitation, joiner: fixture.outsider, now: clock.now) }
            ),
            (
                "provider",
                { db in try AppDatabase.tellProviderFailed(db, orgId: org.id!, name: "P", reason: "r", requestedBy: nil, now: clock.now) }
            ),
        ]
        for (name, raise) in raisers {
            // Committed, the event is delivered…
            try database.writer.write { db in try raise(db) }
            #expect(try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM notification") }! > 0, "\(name)")
            try database.writer.write { db in try db.execute(sql: "DELETE FROM notification; DELETE FROM outbox") }
            // …rolled back, it is not.
            #expect(throws: Rollback.self) {
                try database.writer.write { db in
                    try raise(db); throw Rollback()
                }
            }
            let left = try database.read { db in
                try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM notification) + (SELECT count(*) FROM outbox)")
            }
            #expect(left == 0, "\(name)")
        }
    }
}
