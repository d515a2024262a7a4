import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// The entries a new person's joining writes keep the browser each step came from.
@Suite("Invitation audit entries keep the user agent") struct InvitationUserAgentTests {
    @Test func theAccountAndTheJoinRecordTheirBrowsers() throws {
        let fixture = try Fixture()
        let database = fixture.database
        _ = try database.invite(orgKey: "acme", addresses: ["nina@acme.test"], role: .member, by: Actor(user: fixture.owner, address: "o"))
        let token = try #require(try database.membersPage(orgId: fixture.org.id!, MembersQuery()).entries.compactMap(\.linkToken).first)
        _ = try database.acceptInvitationAsNewUser(
            token: token, name: "Nina", password: "long enough password", address: "198.51.100.1", userAgent: "Browser-One/1")
        let mail = try #require(try database.claimDueMail(baseURL: "https://wh.test", limit: 10).first { $0.subject.contains("Confirm") })
        let confirm = try #require(mail.body.components(separatedBy: "https://wh.test/confirm/").last?.prefix { !$0.isWhitespace })
        _ = try database.confirmEmail(
            token: String(confirm), password: "long enough password", address: "198.51.100.2", userAgent: "Browser-Two/2")
        let entries = try database.auditEvents(orgId: fixture.org.id!)
        #expect(entries.first { $0.action == .invitationAccount }?.userAgent == "Browser-One/1")
        #expect(entries.first { $0.action == .invitationAccept }?.userAgent == "Browser-Two/2")
    }
}
