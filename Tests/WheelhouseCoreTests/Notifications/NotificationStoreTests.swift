import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

@Suite("Notification store") struct NotificationStoreTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    @Test func aNotificationIsStoredWithItsTransactionAndOnlyWithAnInternalLink() throws {
        let org = try fixture.currentOrg()
        let userId = try database.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM user LIMIT 1")! }
        try database.writer.write { db in
            try AppDatabase.notify(
                db, userId: userId, orgId: org.id, kind: .dataExportReady, title: "Your export is ready",
                link: "/orgs/\(org.key)/settings/compliance", now: clock.now)
        }
        #expect(try database.read { db in try String.fetchOne(db, sql: "SELECT kind FROM notification") } == "data-export.ready")
        // An absolute or protocol-relative link is refused by the schema
        for link in ["https://evil.test/", "//evil.test/"] {
            #expect(throws: DatabaseError.self) {
                try database.writer.write { db in
                    try AppDatabase.notify(
                        db, userId: userId, orgId: org.id, kind: .dataExportReady, title: "x", link: link, now: clock.now)
                }
            }
        }
        #expect(try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM notification") } == 1)
    }
}
