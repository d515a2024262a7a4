import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Notices: mail whose text is stored when it is queued, sent like any other outbox mail.
@Suite("Outbox notices") struct OutboxNoticeTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    @Test func aNoticeLeavesOnlyWhenItsTransactionCommitsAndIsSentAsStored() throws {
        let org = try fixture.currentOrg()
        // Given a transaction that queues a notice and then fails
        struct Rollback: Error {}
        #expect(throws: Rollback.self) {
            try database.writer.write { db in
                try AppDatabase.queueNotice(
                    db, orgId: org.id, recipient: "owner@acme.test", subject: "Lost", body: "never sent", now: clock.now)
                throw Rollback()
            }
        }
        #expect(try database.claimDueMail(baseURL: "https://wh.test", limit: 10).isEmpty)
        // When one commits
        try database.writer.write { db in
            try AppDatabase.queueNotice(
                db, orgId: org.id, recipient: "owner@acme.test", subject: "Your export is ready ✓",
                body: "Download it within 24 hours.", now: clock.now)
        }
        // Then it is claimed with its stored subject and body, once
        let mail = try #require(try database.claimDueMail(baseURL: "https://wh.test", limit: 10).first)
        #expect(mail.recipient == "owner@acme.test")
        #expect(mail.subject == "Your export is ready ✓")
        #expect(mail.body == "Download it within 24 hours.")
        #expect(mail.headerId.hasPrefix("<outbox-"))
        #expect(try database.claimDueMail(baseURL: "https://wh.test", limit: 10).isEmpty)
        try database.markMailSent(id: mail.messageId)
        #expect(
            try database.read { db in try String.fetchOne(db, sql: "SELECT status FROM outbox WHERE id = ?", arguments: [mail.messageId]) }
                == "sent")
    }

    @Test func aNoticeWhoseBodyWasClearedIsCancelledNotSentEmpty() throws {
        let org = try fixture.currentOrg()
        try database.writer.write { db in
            try AppDatabase.queueNotice(db, orgId: org.id, recipient: "a@acme.test", subject: "S", body: "B", now: clock.now)
            try db.execute(sql: "UPDATE outbox SET body = NULL")
        }
        #expect(try database.claimDueMail(baseURL: "https://wh.test", limit: 10).isEmpty)
        #expect(try database.read { db in try String.fetchOne(db, sql: "SELECT status FROM outbox") } == "cancelled")
    }
}
