import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Enforcing SSO: only after a recent successful test, never locking every Owner out; password
/// sign-in and reset refused for verified-domain addresses, except break-glass Owners (audited,
/// every Owner emailed). Turning it off is always possible.
@Suite("SSO enforcement") struct SSOEnforcementTests {
    func enforce(_ world: SSOTestWorld, _ on: String = "on", breakGlass: [String] = ["", ""]) throws {
        let access = try world.database.access(orgKey: "acme", userId: world.fixture.owner.id!)
        let version = try #require(try world.database.ssoConfiguration(access)).version
        try world.database.setSSOEnforcement(
            orgKey: "acme", by: world.owner, SSOEnforcementChange(enforce: on, breakGlass: breakGlass, expectedVersion: version))
    }

    func formErrors(_ body: () throws -> Void) -> [String] {
        do {
            try body()
            return []
        } catch DomainError.invalid(let errors) {
            return errors.form + errors.byField.keys.sorted().flatMap { errors.messages(for: $0) }
        } catch {
            return ["\(error)"]
        }
    }

    @Test func enforcementWaitsForARecentTestAndNeverLocksOwnersOut() throws {
        let world = try SSOTestWorld()
        #expect(
            formErrors { try enforce(world) } == ["Run a successful test sign-in first: enforcement is allowed only within an hour of one."]
        )
        // A test as a Member's address: recent, but no Owner could get in.
        let browser = try world.signIn(as: "member@acme.test", tester: world.fixture.owner.id)
        #expect(try world.progress(browser) == .tested(orgKey: "acme", email: "member@acme.test"))
        #expect(
            formErrors { try enforce(world) } == [
                "This would lock every Owner out: choose a break-glass Owner who has two-factor sign-in on, or run the test sign-in as an Owner."
            ])
        // A break-glass Owner without two-factor does not count; with it, enforcement is allowed.
        let ownerId = String(world.fixture.owner.id!)
        #expect(formErrors { try enforce(world, breakGlass: [ownerId, ""]) }.count == 1)
        try world.database.turnOnTwoFactor(for: world.fixture.owner)
        #expect(formErrors { try enforce(world, breakGlass: [ownerId, ownerId]) } == ["Choose two different Owners."])
        #expect(
            formErrors { try enforce(world, breakGlass: ["", String(world.fixture.member.id!)]) } == [
                "Choose an Owner of this organization."
            ])
        try enforce(world, breakGlass: [ownerId, ""])
        // More than an hour after the test, turning it on again is refused, but off always works.
        world.clock.advance(2 * 3600)
        try enforce(world, "off")
        #expect(formErrors { try enforce(world, breakGlass: [ownerId, ""]) }.count == 1)
        #expect(try world.actions().filter { $0 == .ssoEnforce }.count == 2)
        #expect(try world.actions().contains(.ssoTest))
    }

    @Test func aTestAsAnOwnerIsEnoughAndLeavesTheSessionAlone() throws {
        let world = try SSOTestWorld()
        let browser = try world.signIn(as: "owner@acme.test", tester: world.fixture.admin.id)
        #expect(try world.progress(browser) == .tested(orgKey: "acme", email: "owner@acme.test"))
        #expect(try world.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM session")! } == 0)
        try enforce(world)
        // Password sign-in of a verified-domain address is refused with where to go instead.
        #expect(throws: SSORequired(orgKey: "acme", orgName: "Acme")) {
            try world.database.signIn(email: "member@acme.test", password: Fixture.password, address: "192.0.2.1", userAgent: "")
        }
        // Even a wrong password says the same: nothing about the password is revealed.
        #expect(throws: SSORequired(orgKey: "acme", orgName: "Acme")) {
            try world.database.signIn(email: "member@acme.test", password: "wrong", address: "192.0.2.1", userAgent: "")
        }
        // No reset link goes out for it.
        try world.database.requestPasswordReset(email: "member@acme.test", address: "192.0.2.1")
        #expect(try world.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM passwordReset")! } == 0)
        // Another domain's people are not concerned.
        _ = try world.database.signIn(email: "out@other.test", password: Fixture.password, address: "192.0.2.1", userAgent: "")
    }

    @Test func aBreakGlassOwnerKeepsPasswordAndTwoFactorAndEveryUseIsAuditedAndMailed() throws {
        let world = try SSOTestWorld()
        let admin = try world.database.createUser(email: "second@acme.test", name: "Sam Second", password: Fixture.password)
        try world.database.addMember(userId: admin.id!, orgId: world.fixture.org.id!, role: .owner)
        try world.database.turnOnTwoFactor(for: world.fixture.owner)
        _ = try world.progress(try world.signIn(as: "member@acme.test", tester: world.fixture.owner.id))
        try enforce(world, breakGlass: [String(world.fixture.owner.id!), ""])
        #expect(throws: AccountProblem.self) {
            try world.database.signIn(email: "owner@acme.test", password: Fixture.password, address: "192.0.2.7", userAgent: "Firefox")
        }
        #expect(try world.actions().last == .ssoBreakGlass)
        let mailed = try world.database.read { db in
            try String.fetchAll(db, sql: "SELECT recipient FROM outbox WHERE subject = 'Break-glass sign-in to Acme' ORDER BY recipient")
        }
        #expect(mailed == ["owner@acme.test", "second@acme.test"])
        // The other Owner is not break-glass: refused.
        #expect(throws: SSORequired(orgKey: "acme", orgName: "Acme")) {
            try world.database.signIn(email: "second@acme.test", password: Fixture.password, address: "192.0.2.7", userAgent: "")
        }
    }
}
