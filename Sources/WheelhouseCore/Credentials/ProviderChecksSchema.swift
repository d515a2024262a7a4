import Foundation
import GRDB

/// Migration "v5-provider-checks" (issue 10): connection tests are queued in the provider row and
/// run by a background worker (`ProviderCheckWorker`), and provider keys are sealed bound to their
/// kind and base URL (`keyBinding` 2). Rows written before keep `keyBinding` 1 until the first
/// start with the master key re-seals them (`AppDatabase.bindProviderKeys`).
enum ProviderChecksSchema {
    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE provider ADD COLUMN keyBinding INTEGER NOT NULL DEFAULT 1 CHECK (keyBinding IN (1, 2));
                ALTER TABLE provider ADD COLUMN checkState TEXT CHECK (checkState IN ('queued', 'running'));
                ALTER TABLE provider ADD COLUMN checkRequestedAt DATETIME;
                ALTER TABLE provider ADD COLUMN checkRequestedBy INTEGER REFERENCES user(id) ON DELETE SET NULL;
                ALTER TABLE provider ADD COLUMN checkClaim TEXT;
                ALTER TABLE provider ADD COLUMN checkClaimedAt DATETIME;
                CREATE INDEX provider_check ON provider(checkState, checkRequestedAt) WHERE checkState IS NOT NULL;
                -- Earlier tests stored up to 500 characters of the remote answer: keep none of it.
                UPDATE provider SET lastError = 'The last connection test failed; test again to see why.' WHERE lastError IS NOT NULL;
                """)
    }
}

extension AppDatabase {
    /// Re-seals provider keys written before the base URL was bound (`keyBinding` 1), in one
    /// transaction. Runs at every start, right after the master key is checked; a no-op once done.
    func bindProviderKeys() throws {
        try writer.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, orgId, kind, baseURL, sealed, keyVersion, keyBinding FROM provider WHERE keyBinding = 1
                    """)
            guard !rows.isEmpty else { return }
            try vault.requireCurrent(db)
            for row in rows {
                let plain = try vault.open(Array(row["sealed"] as Data), .provider(row), keyVersion: row["keyVersion"])
                let identity = SealedIdentity.provider(orgId: row["orgId"], id: row["id"], kind: row["kind"], baseURL: row["baseURL"])
                try db.execute(
                    sql: "UPDATE provider SET sealed = ?, keyVersion = ?, keyBinding = 2 WHERE id = ?",
                    arguments: [Data(vault.seal(plain, identity)), vault.version, row["id"] as String])
            }
            try AuditEvent(
                org: nil, actor: nil, action: .providerBindKeys, target: "provider",
                summary: "bound \(rows.count) provider key(s) to their base URL", at: now()
            ).insert(db)
        }
    }
}
