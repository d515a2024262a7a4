import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Email-change links, the default organization, founding an organization and deleting an
/// account, in the domain core.
@Suite("Email change, default organization, new organization, account deletion") struct AccountProfileTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }
    var member: Actor { Actor(user: fixture.member, address: "203.0.113.9") }

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    /// Asks for a move of the member to `email` and returns the link's token, read from the email.
    func requestToken(_ email: String = "max@new.test") throws -> String {
        try database.requestEmailChange(newEmail: email, password: Fixture.password, by: member)
        let mail = try #require(try database.claimDueMail(baseURL: "https://wh.test", limit: 10).first { $0.subject.contains("Confirm") })
        let line = try #require(mail.body.split(separator: "\n").first { $0.contains("/email/confirm/") })
        return String(try #require(line.split(separator: "/").last))
    }

    @Test func aLinkMovesTheAccountOnceAndOnlyItsHashIsStored() throws {
        let token = try requestToken()
        #expect(token.count >= 43, "256 bits in base64url")
        let stored = try database.reader.read { db in try Data.fetchAll(db, sql: "SELECT tokenHash FROM emailChange") }
        #expect(stored == [InvitationLinks.hash(token)])
        #expect(try database.profile(userId: fixture.member.id!).email == "member@acme.test")
        try database.confirmEmailChange(token: token, address: "203.0.113.9")
        #expect(try database.profile(userId: fixture.member.id!).email == "max@new.test")
        #expect(throws: EmailChangeProblem.used) { try database.confirmEmailChange(token: token, address: "x") }
        #expect(
            try database.signIn(email: "max@new.test", password: Fixture.password, address: "a", userAgent: "").signedIn.user.id
                == fixture.member.id)
    }

    @Test func aLinkExpiresAfter24HoursAndANewRequestReplacesTheOld() throws {
        let first = try requestToken()
        let second = try requestToken("max@other.test")
        #expect(throws: EmailChangeProblem.unknown) { try database.emailChange(token: first) }
        clock.advance(EmailChangeRules.lifetime + 1)
        #expect(throws: EmailChangeProblem.expired) { try database.confirmEmailChange(token: second, address: "x") }
        #expect(try database.profile(userId: fixture.member.id!).email == "member@acme.test")
    }

    @Test func anAddressTakenAfterTheLinkWasSentIsNotMovedOnto() throws {
        let token = try requestToken("late@acme.test")
        _ = try database.createUser(email: "LATE@acme.test", name: "Late Comer", password: Fixture.password)
        #expect(throws: EmailChangeProblem.taken) { try database.confirmEmailChange(token: token, address: "x") }
        #expect(try database.profile(userId: fixture.member.id!).email == "member@acme.test")
    }

    @Test func requestsAreLimitedPerPerson() throws {
        for n in 0..<EmailChangeRules.perPerson {
            try database.requestEmailChange(newEmail: "max\(n)@new.test", password: Fixture.password, by: member)
        }
        #expect(throws: DomainError.self) {
            try database.requestEmailChange(newEmail: "one@more.test", password: Fixture.password, by: member)
        }
    }

    @Test func theDefaultOrganizationMustBeOnesOwnAndLapsesOnLeaving() throws {
        let labs = try database.createOrganization(name: "Max Labs", key: "max-labs", by: member)
        #expect(try database.landingOrgKey(userId: fixture.member.id!) == "acme")
        try database.setDefaultOrganization(userId: fixture.member.id!, orgKey: labs.key, expectedVersion: 1)
        #expect(try database.landingOrgKey(userId: fixture.member.id!) == "max-labs")
        #expect(throws: DomainError.self) {
            try database.setDefaultOrganization(userId: fixture.member.id!, orgKey: "other", expectedVersion: 2)
        }
        #expect(throws: DomainError.staleVersion) {
            try database.setDefaultOrganization(userId: fixture.member.id!, orgKey: nil, expectedVersion: 1)
        }
        // Handed over and left: `/` falls back to the first organization still theirs.
        try database.addMember(userId: fixture.admin.id!, orgId: labs.id!, role: .member)
        try database.transferOwnership(orgKey: "max-labs", to: fixture.admin.id!, confirmation: "max-labs", by: member)
        try database.leave(orgKey: "max-labs", by: member)
        #expect(try database.landingOrgKey(userId: fixture.member.id!) == "acme")
    }

    @Test func aFoundedOrganizationStartsWithItsOwnerAWorkspaceAndOneAuditEntry() throws {
        let labs = try database.createOrganization(name: "Max Labs", key: "max-labs", by: member)
        let access = try database.access(orgKey: "max-labs", userId: fixture.member.id!)
        #expect(access.role == .owner && access.org.memberLimit == 25)
        #expect(try database.stats(orgId: labs.id!).workspaces == 1)
        #expect(try database.auditEvents(orgId: labs.id!).map(\.action) == [.organizationCreate])
        #expect(throws: DomainError.self) { try database.createOrganization(name: "Again", key: "max-labs", by: member) }
        #expect(throws: DomainError.self) { try database.createOrganization(name: "Bad", key: "-bad", by: member) }
    }

    @Test func deletingAnAccountLeavesEveryOrganizationButNeverOrphansOne() throws {
        let owner = Actor(user: fixture.owner, address: "203.0.113.1")
        #expect(try database.accountDeletionBlockers(userId: fixture.owner.id!).map(\.orgKey) == ["acme"])
        #expect(throws: DomainError.self) { try database.deleteAccount(password: Fixture.password, by: owner, avatars: nil) }
        #expect(throws: DomainError.self) { try database.deleteAccount(password: "wrong", by: member, avatars: nil) }
        try database.deleteAccount(password: Fixture.password, by: member, avatars: nil)
        #expect(try database.organizations(of: fixture.member.id!).isEmpty)
        #expect(try database.reader.read { db in try User.fetchOne(db, key: fixture.member.id!) } == nil)
        let last = try #require(try database.auditEvents(orgId: fixture.org.id!).last)
        #expect(last.action == .memberAccountDelete, "\(last)")
        #expect(last.actorUserId == fixture.member.id && last.summary.contains("member@acme.test"), "the log keeps who it was")
        // The Owner and the Admin are told, as of anyone leaving.
        let told = try database.reader.read { db in
            try Int64.fetchAll(
                db, sql: "SELECT userId FROM notification WHERE kind = ? ORDER BY userId", arguments: [NotificationKind.memberLeft.rawValue]
            )
        }
        #expect(told == [fixture.owner.id!, fixture.admin.id!].sorted())
        // Once the admin is an Owner too, the owner may go.
        try database.changeRole(orgKey: "acme", userId: fixture.admin.id!, to: .owner, expectedVersion: 1, by: owner)
        try database.deleteAccount(password: Fixture.password, by: owner, avatars: nil)
        #expect(try database.access(orgKey: "acme", userId: fixture.admin.id!).role == .owner)
    }
}
