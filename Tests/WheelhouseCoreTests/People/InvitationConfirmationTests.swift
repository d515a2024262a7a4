import Foundation
import GRDB
import Testing
@testable import WheelhouseCore

/// Issue 10: an account made through a link waits for its email's confirmation, and seats.
extension MembersTests {
    @Test func theInviteeDiscardsAnAccountSomeoneElseCreatedWithTheLink() throws {
        _ = try database.invite(orgKey: "acme", addresses: ["victim@acme.test"], role: .member, by: actor(fixture.owner))
        let token = try #require(try database.membersPage(orgId: fixture.org.id!, MembersQuery()).entries.compactMap(\.linkToken).first)
        // Given an Admin who copied the link created the account with a password of their choosing
        _ = try database.acceptInvitationAsNewUser(token: token, name: "Victim", password: "admin knows this", address: "admin")
        // Then the account cannot be used with it
        #expect(throws: AccountProblem.self) {
            try database.signIn(email: "victim@acme.test", password: "admin knows this", address: "admin", userAgent: "t")
        }
        // When the real person discards it from the mailed link, the invitation is theirs again
        let mail = try #require(try database.claimDueMail(baseURL: "https://wh.test", limit: 10).first { $0.subject.contains("Confirm") })
        let confirmToken = String(try #require(mail.body.components(separatedBy: "/confirm/").last?.prefix { !$0.isWhitespace }))
        try database.discardUnconfirmedAccount(token: confirmToken, address: "victim")
        #expect(try count("SELECT count(*) FROM user WHERE email = 'victim@acme.test'") == 0)
        #expect(try database.invitation(token: token)?.state == .pending)
        #expect(
            try database.acceptInvitationAsNewUser(token: token, name: "Victim", password: "my own password", address: "v")
                == "victim@acme.test")
    }

    @Test func acceptingPastTheMemberLimitIsRefused() throws {
        // Given two pending invitations, and then the limit forced down to the members (as data from before the rule)
        let invited = try database.invite(orgKey: "acme", addresses: ["a@x.test", "b@x.test"], role: .member, by: actor(fixture.owner))
        #expect(invited.invited.count == 2)
        try database.writer.write { db in try db.execute(sql: "UPDATE organization SET memberLimit = 4 WHERE key = 'acme'") }
        let tokens = try database.membersPage(orgId: fixture.org.id!, MembersQuery()).entries.compactMap(\.linkToken)
        let a = try database.createUser(email: "a@x.test", name: "A", password: "long enough password")
        let b = try database.createUser(email: "b@x.test", name: "B", password: "long enough password")
        // When both accept, the first takes the last seat and the second is refused
        let results = tokens.map { token in
            Result {
                try database.acceptInvitation(
                    token: token, by: actor(token == tokens[0] ? tokenOwner(tokens[0], a, b) : tokenOwner(tokens[1], a, b)))
            }
        }
        #expect(results.filter { (try? $0.get()) != nil }.count == 1)
        #expect(throws: InvitationProblem.seatLimit(limit: 4)) { try results[1].get() }
        #expect(try count("SELECT count(*) FROM membership WHERE orgId = \(fixture.org.id!)") == 4)
    }

    private func tokenOwner(_ token: String, _ a: User, _ b: User) -> User {
        (try? database.invitation(token: token))??.invitation.email == a.email ? a : b
    }
}
