import Foundation
import GRDB
import Testing
@testable import WheelhouseCore

/// `v25-plan-catalog` on a database made before it: Team becomes Pro, every row and index stays,
/// and the foreign keys into the rebuilt table still cascade.
@Suite("Plan catalog migration") struct PlanCatalogMigrationTests {
    @Test func teamOrganizationsBecomeProAndNothingElseMoves() throws {
        let queue = try DatabaseQueue()
        try Migrations.migrator.migrate(queue, upTo: "v22-billing-credits")
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO user (id, email, name, passwordHash, createdAt) VALUES (1, 'a@b.test', 'A', 'x', '2026-01-01');
                    INSERT INTO organization (id, key, displayName, memberLimit, createdAt, updatedAt, plan)
                        VALUES (1, 'old', 'Old', 25, '2026-01-01', '2026-01-01', 'team'),
                               (2, 'cheap', 'Cheap', 25, '2026-01-01', '2026-01-01', 'free');
                    INSERT INTO membership (orgId, userId, role, createdAt) VALUES (1, 1, 'owner', '2026-01-01');
                    """)
        }
        try Migrations.migrator.migrate(queue)
        try queue.write { db in
            #expect(try String.fetchAll(db, sql: "SELECT plan FROM organization ORDER BY id") == ["pro", "free"])
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            #expect(try String.fetchOne(db, sql: "SELECT name FROM sqlite_master WHERE name = 'organization_purge'") != nil)
            try db.execute(sql: "UPDATE organization SET plan = 'starter' WHERE id = 2")
            try db.execute(sql: "DELETE FROM organization WHERE id = 1")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM membership")! == 0, "the membership went with its organization")
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE organization SET plan = 'gold' WHERE id = 2") }
        }
    }
}
