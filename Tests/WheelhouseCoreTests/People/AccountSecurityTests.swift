import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Profile and password changes: each person's own row, the sessions a change ends, the email it
/// sends, and the organizations' audit logs left alone.
@Suite("Profile and password") struct AccountSecurityTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }
    static let blocklist = PasswordPolicyTests.blocklist
    static let newPassword = "zebra violin quartz 9081"

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    func sessions(_ user: User) throws -> [Data] {
        try database.reader.read { db in try Data.fetchAll(db, sql: "SELECT tokenHash FROM session WHERE userId = ?", arguments: [user.id!])
        }
    }

    func auditCount() throws -> Int { try database.reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM auditEvent")! } }

    @Test func renamingChecksTheVersionAndTouchesOnlyOnesOwnRow() throws {
        let audit = try auditCount()
        let saved = try database.updateName(userId: fixture.member.id!, name: "Maxine Member", expectedVersion: 1)
        #expect(saved.name == "Maxine Member" && saved.version == 2)
        #expect(try database.profile(userId: fixture.admin.id!).name == "Ada Admin")
        #expect(throws: DomainError.staleVersion) {
            try database.updateName(userId: fixture.member.id!, name: "Old tab", expectedVersion: 1)
        }
        // Unchanged: nothing written, the version stays.
        #expect(try database.updateName(userId: fixture.member.id!, name: "Maxine Member", expectedVersion: 2).version == 2)
        for bad in ["", String(repeating: "n", count: 101), "new\u{7}line"] {
            #expect(throws: DomainError.self) { try database.updateName(userId: fixture.member.id!, name: bad, expectedVersion: 2) }
        }
        #expect(try database.profile(userId: fixture.member.id!).name == "Maxine Member")
        #expect(try auditCount() == audit)
    }

    @Test func changingThePasswordEndsEveryOtherSessionAndMailsTheOwner() throws {
        let (mine, _) = try database.signIn(email: "member@acme.test", password: Fixture.password, address: "a", userAgent: "A")
        _ = try database.signIn(email: "member@acme.test", password: Fixture.password, address: "b", userAgent: "B")
        _ = try database.signIn(email: "admin@acme.test", password: Fixture.password, address: "c", userAgent: "C")
        let keep = Data(Crypto.sha256(mine))
        let audit = try auditCount()
        try database.changePassword(
            userId: fixture.member.id!, current: Fixture.password, new: Self.newPassword, keepSession: keep, address: "a",
            blocklist: Self.blocklist)
        #expect(try sessions(fixture.member) == [keep])
        #expect(try sessions(fixture.admin).count == 1)
        #expect(throws: DomainError.invalidCredentials) {
            try database.signIn(email: "member@acme.test", password: Fixture.password, address: "d", userAgent: "")
        }
        _ = try database.signIn(email: "member@acme.test", password: Self.newPassword, address: "d", userAgent: "")
        let mail = try #require(try database.claimDueMail(baseURL: "https://wh.test", limit: 10).first)
        #expect(mail.recipient == "member@acme.test" && mail.subject == "Your Wheelhouse password was changed")
        #expect(mail.body.contains("cannot be switched off"))
        #expect(try auditCount() == audit)
    }

    @Test func aWrongCurrentPasswordOrARefusedNewOneChangesNothing() throws {
        let (mine, _) = try database.signIn(email: "member@acme.test", password: Fixture.password, address: "a", userAgent: "")
        _ = try database.signIn(email: "member@acme.test", password: Fixture.password, address: "b", userAgent: "")
        let before = try database.reader.read { db in
            try String.fetchOne(db, sql: "SELECT passwordHash FROM user WHERE id = ?", arguments: [fixture.member.id!])
        }
        let cases: [(String, String, String)] = [
            ("wrong current password", Self.newPassword, "current_password"), ("", Self.newPassword, "current_password"),
            (Fixture.password, "short one", "new_password"), (Fixture.password, "password", "new_password"),
            (Fixture.password, "max member is my password", "new_password"), (Fixture.password, Fixture.password, "new_password"),
        ]
        for (current, new, field) in cases {
            do {
                try database.changePassword(
                    userId: fixture.member.id!, current: current, new: new, keepSession: Data(Crypto.sha256(mine)), address: "a",
                    blocklist: Self.blocklist)
                Issue.record("accepted \(current) → \(new)")
            } catch DomainError.invalid(let errors) {
                #expect(!errors.messages(for: field).isEmpty, "\(current) → \(new)")
            }
        }
        let after = try database.reader.read { db in
            try String.fetchOne(db, sql: "SELECT passwordHash FROM user WHERE id = ?", arguments: [fixture.member.id!])
        }
        #expect(after == before)
        #expect(try sessions(fixture.member).count == 2)
        #expect(try database.claimDueMail(baseURL: "https://wh.test", limit: 10).isEmpty)
    }
}
