import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// A person's own sessions: listed with browser and address, ended one by one or all but this one,
/// never another person's.
@Suite("Active sessions") struct ActiveSessionsTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    static let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    static let safari =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"

    func signIn(_ email: String, _ userAgent: String, from address: String = "198.51.100.7") throws -> SignedIn {
        try database.signIn(email: email, password: Fixture.password, address: address, userAgent: userAgent).signedIn
    }

    @Test func theListShowsEachLiveSessionWithTheCurrentOneFirst() throws {
        let phone = try signIn("owner@acme.test", Self.safari, from: "2001:db8::1")
        clock.advance(120)
        let laptop = try signIn("owner@acme.test", Self.firefox)
        _ = try signIn("admin@acme.test", Self.firefox)
        let list = try database.activeSessions(userId: fixture.owner.id!, current: phone.session)
        #expect(list.map(\.browser) == ["Safari on iOS", "Firefox on Linux"])
        #expect(list.map(\.isCurrent) == [true, false])
        #expect(list.map(\.address) == ["2001:db8::1", "198.51.100.7"])
        #expect(list[1].createdAt == laptop.session.createdAt && list[1].handle.count == 20)
        // The handle names the session without being its token hash.
        #expect(!list.map(\.handle).contains(Array(laptop.session.tokenHash).hexString))
        // An expired session is not listed.
        clock.advance(SessionRules.idleTimeout - 60)
        #expect(
            try database.session(
                token: try database.signIn(email: "owner@acme.test", password: Fixture.password, address: "a", userAgent: "").token) != nil)
        let later = try database.activeSessions(userId: fixture.owner.id!, current: phone.session)
        #expect(later.count == 2 && !later.contains { $0.address == "2001:db8::1" })
    }

    @Test func endingOneSessionTouchesOnlyOnesOwnAndNeverTheCurrentOne() throws {
        let current = try signIn("owner@acme.test", Self.firefox)
        let other = try signIn("owner@acme.test", Self.safari)
        let admins = try signIn("admin@acme.test", Self.firefox)
        let adminHandle = AppDatabase.handle(of: admins.session.tokenHash)
        // Another person's session is not found, exactly like one that does not exist.
        #expect(throws: DomainError.notFound) {
            try database.endSession(handle: adminHandle, userId: fixture.owner.id!, current: current.session)
        }
        #expect(throws: DomainError.notFound) {
            try database.endSession(handle: "00000000000000000000", userId: fixture.owner.id!, current: current.session)
        }
        #expect(throws: DomainError.self) {
            try database.endSession(
                handle: AppDatabase.handle(of: current.session.tokenHash), userId: fixture.owner.id!, current: current.session)
        }
        try database.endSession(
            handle: AppDatabase.handle(of: other.session.tokenHash), userId: fixture.owner.id!, current: current.session)
        let left = try database.read { db in try SessionRecord.fetchAll(db) }.map(\.tokenHash)
        #expect(Set(left) == [current.session.tokenHash, admins.session.tokenHash])
    }

    @Test func signingOutEverywhereElseKeepsThisSessionAndOtherPeoples() throws {
        let current = try signIn("owner@acme.test", Self.firefox)
        for _ in 0..<3 { _ = try signIn("owner@acme.test", Self.safari) }
        let admins = try signIn("admin@acme.test", Self.firefox)
        #expect(try database.endOtherSessions(userId: fixture.owner.id!, current: current.session) == 3)
        #expect(try database.endOtherSessions(userId: fixture.owner.id!, current: current.session) == 0)
        let left = try database.read { db in try SessionRecord.fetchAll(db) }.map(\.tokenHash)
        #expect(Set(left) == [current.session.tokenHash, admins.session.tokenHash])
    }
}
