import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Members and invitations in the domain core, Given / When / Then.
@Suite("Members and invitations") struct MembersTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    func actor(_ user: User) -> Actor { Actor(user: user, address: "test") }

    func count(_ sql: String) throws -> Int { try database.read { db in try Int.fetchOne(db, sql: sql)! } }

    @Test func eachAddressIsReportedOnItsOwnWhileTheValidOnesGoThrough() throws {
        // Given a member limit of 5 with 3 members
        try database.read { _ in }
        try database.writer.write { db in try db.execute(sql: "UPDATE organization SET memberLimit = 5 WHERE key = 'acme'") }
        // When the Admin invites a mix of addresses
        let outcome = try database.invite(
            orgKey: "acme",
            addresses: AppDatabase.inviteAddresses(
                "new1@acme.test, not-an-email\nmember@acme.test; NEW1@acme.test\nnew2@acme.test\nnew3@acme.test"),
            role: .member, by: actor(fixture.admin))
        // Then the valid ones are invited up to the seat limit, and each other one says why
        #expect(outcome.invited == ["new1@acme.test", "new2@acme.test"])
        // (the second NEW1 is the same address: dropped, not reported)
        #expect(outcome.refused.map(\.problem) == [.malformed, .alreadyMember, .seatLimit])
        #expect(try count("SELECT count(*) FROM invitation WHERE status = 'pending'") == 2)
        #expect(try count("SELECT count(*) FROM outbox WHERE status = 'queued'") == 2)
        #expect(try count("SELECT count(*) FROM auditEvent WHERE action = 'invitation.create'") == 2)
        // And inviting an address that is already invited says so
        let again = try database.invite(orgKey: "acme", addresses: ["new2@acme.test"], role: .member, by: actor(fixture.admin))
        #expect(again.refused.map(\.problem) == [.alreadyInvited])
    }

    @Test func invitationRequestsAreBounded() throws {
        #expect(throws: DomainError.self) {
            try database.invite(orgKey: "acme", addresses: (1...51).map { "p\($0)@acme.test" }, role: .member, by: actor(fixture.owner))
        }
        #expect(throws: DomainError.self) {
            try database.invite(orgKey: "acme", addresses: ["a@acme.test"], role: .owner, by: actor(fixture.owner))
        }
        #expect(throws: DomainError.forbidden(.manageMembers)) {
            try database.invite(orgKey: "acme", addresses: ["a@acme.test"], role: .member, by: actor(fixture.member))
        }
        #expect(throws: DomainError.notFound) {
            try database.invite(orgKey: "acme", addresses: ["a@acme.test"], role: .member, by: actor(fixture.outsider))
        }
        #expect(try count("SELECT count(*) FROM invitation") == 0)
    }

    @Test func theLinkTokenIsNeverStoredAndResendingReplacesIt() throws {
        // Given an invitation
        _ = try database.invite(orgKey: "acme", addresses: ["new@acme.test"], role: .admin, by: actor(fixture.owner))
        let page = try database.membersPage(orgId: fixture.org.id!, MembersQuery())
        let entry = try #require(page.entries.first { $0.invitationId != nil })
        let oldToken = try #require(entry.linkToken)
        // Then the database holds only its hash
        let stored = try database.read { db in try Invitation.fetchOne(db)! }
        #expect(stored.tokenHash == Data(Crypto.sha256(oldToken)))
        let dump = try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM invitation").description }
        #expect(!dump.contains(oldToken))
        #expect(try database.invitation(token: oldToken)?.state == .pending)
        // When it is resent
        let renewed = try database.resendInvitation(
            orgKey: "acme", id: entry.invitationId!, expectedVersion: entry.version,
            by: actor(fixture.owner))
        // Then the old link is unknown and the new one works; a stale resend is refused
        #expect(try database.invitation(token: oldToken) == nil)
        #expect(try database.invitation(token: database.links.token(nonce: renewed.linkNonce))?.state == .pending)
        #expect(throws: DomainError.staleVersion) {
            try database.resendInvitation(orgKey: "acme", id: entry.invitationId!, expectedVersion: entry.version, by: actor(fixture.owner))
        }
        #expect(try count("SELECT count(*) FROM outbox WHERE status = 'queued'") == 1)
        #expect(try count("SELECT count(*) FROM outbox WHERE status = 'cancelled'") == 1)
    }

    @Test func aNewPersonAcceptsOnceConfirmsTheEmailAndTheLinkThenSaysUsed() throws {
        _ = try database.invite(orgKey: "acme", addresses: ["Newbie@Acme.test"], role: .member, by: actor(fixture.owner))
        let token = try #require(try database.membersPage(orgId: fixture.org.id!, MembersQuery()).entries.compactMap(\.linkToken).first)
        // Bad input is refused and changes nothing; ten spaces are not a password
        #expect(throws: DomainError.self) {
            try database.acceptInvitationAsNewUser(token: token, name: "", password: "short", address: "a")
        }
        #expect(throws: DomainError.self) {
            try database.acceptInvitationAsNewUser(token: token, name: "Nina", password: String(repeating: " ", count: 10), address: "a")
        }
        // When the person accepts, the account exists but cannot be used yet: not a member, no sign-in
        let email = try database.acceptInvitationAsNewUser(token: token, name: "Nina New", password: "long enough password", address: "a")
        #expect(email == "newbie@acme.test", "addresses are stored in one spelling")
        #expect(try count("SELECT count(*) FROM membership WHERE orgId = \(fixture.org.id!)") == 3)
        #expect(throws: AccountProblem.unconfirmed(email: "newbie@acme.test")) {
            try database.signIn(email: "newbie@acme.test", password: "long enough password", address: "a", userAgent: "t")
        }
        #expect(try database.invitation(token: token)?.accountUnconfirmed == true)
        // The confirmation link is mailed; only its hash is stored
        let mail = try #require(try database.claimDueMail(baseURL: "https://wh.test", limit: 10).first { $0.subject.contains("Confirm") })
        let confirmToken = try #require(mail.body.components(separatedBy: "https://wh.test/confirm/").last?.prefix { !$0.isWhitespace })
        #expect(
            try database.read { db in try Data.fetchAll(db, sql: "SELECT tokenHash FROM emailConfirmation") } == [
                InvitationLinks.hash(String(confirmToken))
            ])
        // A wrong password does not confirm
        #expect(throws: DomainError.invalidCredentials) {
            try database.confirmEmail(token: String(confirmToken), password: "not the password", address: "a", userAgent: "t")
        }
        // Then with the link and the password: a Member with a default workspace and a session
        let (orgKey, session) = try database.confirmEmail(
            token: String(confirmToken), password: "long enough password", address: "a", userAgent: "t")
        #expect(orgKey == "acme")
        let signedIn = try #require(try database.session(token: session))
        #expect(try database.access(orgKey: "acme", userId: signedIn.user.id!).role == .member)
        #expect(try count("SELECT count(*) FROM workspace WHERE ownerUserId = \(signedIn.user.id!)") == 1)
        #expect(try database.invitation(token: token)?.state == .accepted)
        #expect(throws: ConfirmationProblem.unknown) {
            try database.confirmEmail(token: String(confirmToken), password: "long enough password", address: "a", userAgent: "t")
        }
        // And the link cannot make a second account; the person themself may accept again harmlessly
        #expect(throws: InvitationProblem.used) {
            try database.acceptInvitationAsNewUser(token: token, name: "Again", password: "long enough password", address: "a")
        }
        #expect(try database.acceptInvitation(token: token, by: actor(signedIn.user)) == "acme")
        #expect(try count("SELECT count(*) FROM membership WHERE orgId = \(fixture.org.id!)") == 4)
    }

    @Test func expiredRevokedUnknownAndOtherAccountsAreRefusedByName() throws {
        _ = try database.invite(orgKey: "acme", addresses: ["x@acme.test", "y@acme.test"], role: .member, by: actor(fixture.owner))
        let entries = try database.membersPage(orgId: fixture.org.id!, MembersQuery()).entries.filter { $0.invitationId != nil }
        let (x, y) = (entries[0], entries[1])
        try database.revokeInvitation(orgKey: "acme", id: y.invitationId!, expectedVersion: y.version, by: actor(fixture.admin))
        #expect(throws: InvitationProblem.revoked) {
            try database.acceptInvitationAsNewUser(token: y.linkToken!, name: "Y", password: "long enough password", address: "a")
        }
        #expect(throws: InvitationProblem.unknown) {
            try database.acceptInvitationAsNewUser(token: "nope", name: "Y", password: "long enough password", address: "a")
        }
        #expect(throws: InvitationProblem.otherAccount(invited: "x@acme.test")) {
            try database.acceptInvitation(token: x.linkToken!, by: actor(fixture.outsider))
        }
        clock.advance(InvitationRules.lifetime + 1)
        #expect(try database.invitation(token: x.linkToken!)?.state == .expired)
        #expect(throws: InvitationProblem.expired) {
            try database.acceptInvitationAsNewUser(token: x.linkToken!, name: "X", password: "long enough password", address: "a")
        }
        // An expired invitation neither blocks a new one nor counts as pending
        #expect(try database.stats(orgId: fixture.org.id!).pendingInvitations == 0)
        #expect(
            try database.invite(orgKey: "acme", addresses: ["x@acme.test"], role: .member, by: actor(fixture.owner)).invited == [
                "x@acme.test"
            ])
    }

    @Test func theSoloBannerConditionFollowsMembersAndInvitations() throws {
        let (solo, org) = try database.createOwner(
            NewOwner(
                email: "solo@s.test", name: "Solo", password: "long enough password",
                orgKey: "solo", orgName: "Solo"))
        #expect(try database.stats(orgId: org.id!).isSolo)
        _ = try database.invite(orgKey: "solo", addresses: ["friend@s.test"], role: .member, by: actor(solo))
        #expect(try !database.stats(orgId: org.id!).isSolo)
    }

    @Test func theLastOwnerStaysAndAdminsNeverTouchOwners() throws {
        let member = try database.read { db in try Membership.fetchOne(db, key: ["orgId": fixture.org.id!, "userId": fixture.member.id!])! }
        let ownerRow = try database.read { db in try Membership.fetchOne(db, key: ["orgId": fixture.org.id!, "userId": fixture.owner.id!])!
        }
        #expect(throws: MembershipRule.adminCannotGrantOwner) {
            try database.changeRole(
                orgKey: "acme", userId: fixture.member.id!, to: .owner, expectedVersion: member.version, by: actor(fixture.admin))
        }
        #expect(throws: MembershipRule.adminCannotChangeOwner) {
            try database.changeRole(
                orgKey: "acme", userId: fixture.owner.id!, to: .member, expectedVersion: ownerRow.version, by: actor(fixture.admin))
        }
        #expect(throws: MembershipRule.adminCannotChangeOwner) {
            try database.removeMember(
                orgKey: "acme", userId: fixture.owner.id!, expectedVersion: ownerRow.version, by: actor(fixture.admin))
        }
        #expect(throws: MembershipRule.lastOwner) { try database.leave(orgKey: "acme", by: actor(fixture.owner)) }
        #expect(throws: MembershipRule.confirmationMismatch) {
            try database.transferOwnership(orgKey: "acme", to: fixture.admin.id!, confirmation: "ACME", by: actor(fixture.owner))
        }
        #expect(throws: DomainError.forbidden(.transferOwnership)) {
            try database.transferOwnership(orgKey: "acme", to: fixture.admin.id!, confirmation: "acme", by: actor(fixture.admin))
        }
        #expect(try count("SELECT count(*) FROM auditEvent WHERE action LIKE 'member.%' AND action <> 'member.add'") == 0)
        // The Admin changes a Member; a stale form is refused
        try database.changeRole(
            orgKey: "acme", userId: fixture.member.id!, to: .admin, expectedVersion: member.version, by: actor(fixture.admin))
        #expect(throws: DomainError.staleVersion) {
            try database.changeRole(
                orgKey: "acme", userId: fixture.member.id!, to: .member, expectedVersion: member.version, by: actor(fixture.admin))
        }
        // Transfer: the Admin becomes the Owner, the Owner an Admin, who may then leave
        try database.transferOwnership(orgKey: "acme", to: fixture.admin.id!, confirmation: "acme", by: actor(fixture.owner))
        #expect(try database.access(orgKey: "acme", userId: fixture.admin.id!).role == .owner)
        #expect(try database.access(orgKey: "acme", userId: fixture.owner.id!).role == .admin)
        try database.leave(orgKey: "acme", by: actor(fixture.owner))
        #expect(throws: DomainError.notFound) { try database.access(orgKey: "acme", userId: fixture.owner.id!) }
    }

    @Test func membersAreSearchedSortedAndPaged() throws {
        try database.writer.write { db in try db.execute(sql: "UPDATE organization SET memberLimit = 500 WHERE key = 'acme'") }
        _ = try database.invite(orgKey: "acme", addresses: (1...50).map { "p\($0)@acme.test" }, role: .member, by: actor(fixture.owner))
        let first = try database.membersPage(orgId: fixture.org.id!, MembersQuery())
        #expect(first.counts.active == 3 && first.counts.pending == 50)
        #expect(first.entries.count == 50 && first.pageCount == 2)
        let second = try database.membersPage(orgId: fixture.org.id!, MembersQuery(page: 2))
        #expect(second.entries.count == 3)
        let byRole = try database.membersPage(orgId: fixture.org.id!, MembersQuery(sort: .role))
        #expect(byRole.entries.first?.role == .owner)
        let found = try database.membersPage(orgId: fixture.org.id!, MembersQuery(search: "ada"))
        #expect(found.entries.map(\.email) == ["admin@acme.test"])
        let literal = try database.membersPage(orgId: fixture.org.id!, MembersQuery(search: "%"))
        #expect(literal.matching == 0)
    }

    @Test func theOutboxDeliversThroughARealCommandAndRetriesFailures() throws {
        _ = try database.invite(orgKey: "acme", addresses: ["mail@acme.test"], role: .member, by: actor(fixture.owner))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wh-mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A failing command: the message stays queued with the error and a later attempt time
        let failing = MailWorker(command: "/bin/false", database: database, baseURL: "https://console.test")
        #expect(try failing.deliverDue() == 0)
        let failed = try database.read { db in try OutboxMessage.fetchOne(db)! }
        #expect(failed.status == .queued && failed.attempts == 1 && failed.lastError != nil)
        #expect(try failing.deliverDue() == 0, "not due again before its back-off")
        // A working sendmail-compatible command receives the message on stdin
        clock.advance(OutboxRules.backoff(afterAttempt: 1) + 1)
        let file = directory.appendingPathComponent("message.eml").path
        let script = directory.appendingPathComponent("sendmail.sh").path
        try "#!/bin/sh\ncat > \(file)\n".write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        let worker = MailWorker(command: script, database: database, baseURL: "https://console.test")
        #expect(try worker.deliverDue() == 1)
        let message = try String(contentsOfFile: file, encoding: .utf8)
        let token = try #require(try database.membersPage(orgId: fixture.org.id!, MembersQuery()).entries.compactMap(\.linkToken).first)
        #expect(message.contains("To: mail@acme.test"))
        #expect(message.contains("https://console.test/invitations/\(token)"))
        #expect(try database.read { db in try OutboxMessage.fetchOne(db)!.status } == .sent)
        #expect(try worker.deliverDue() == 0)
    }
}
