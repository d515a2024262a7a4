import GRDB

/// The Usage tables ("v4-usage"): the events as they arrived, and their daily rollups, which the
/// pages read. Depends only on "v1-foundation" tables.
enum UsageSchema {
    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE organization ADD COLUMN timeZone TEXT NOT NULL DEFAULT 'UTC'
                    CHECK (length(timeZone) BETWEEN 1 AND 64);
                -- organization.plan comes with "v2-people".
                -- The target of the events' (workspaceId, orgId) foreign key: a workspace of that org.
                CREATE UNIQUE INDEX workspace_id_org ON workspace(id, orgId);

                -- One row per accepted event; the key is the org's idempotency key, so a duplicate is
                -- refused by the primary key and the table needs no second index. WITHOUT ROWID:
                -- one B-tree per insert, which is what keeps imports fast. No index on workspaceId for
                -- the same reason: deleting a workspace (rare) scans the events once to cascade.
                CREATE TABLE usageEvent (
                    orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
                    idempotencyKey TEXT NOT NULL CHECK (length(idempotencyKey) BETWEEN 1 AND 200),
                    at INTEGER NOT NULL,
                    workspaceId INTEGER NOT NULL,
                    kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
                    status TEXT NOT NULL CHECK (status IN ('success', 'error')),
                    provider TEXT NOT NULL CHECK (length(provider) <= 40),
                    model TEXT NOT NULL CHECK (length(model) <= 80),
                    inputTokens INTEGER NOT NULL CHECK (inputTokens >= 0),
                    outputTokens INTEGER NOT NULL CHECK (outputTokens >= 0),
                    costMicros INTEGER NOT NULL CHECK (costMicros >= 0),
                    byok BOOLEAN NOT NULL CHECK (byok IN (0, 1)),
                    PRIMARY KEY (orgId, idempotencyKey),
                    FOREIGN KEY (workspaceId, orgId) REFERENCES workspace(id, orgId) ON DELETE CASCADE
                ) WITHOUT ROWID;

                -- Daily aggregates per org × local day × workspace × kind × status × provider × model,
                -- kept exact in the same transaction as the events. `day` counts days since
                -- 1970-01-01 in the organization's time zone. Credits are the cost of the events that
                -- did not run on the org's own key (BYOK).
                \(rollupTable("usageDaily"))
                """)
    }

    /// The daily rollups' table: `usageDaily`, and its shadow `usageDailyNext` while a time-zone
    /// change is rebuilt (`UsageRebuild`).
    static func rollupTable(_ name: String) -> String {
        """
        CREATE TABLE \(name) (
            orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
            day INTEGER NOT NULL,
            workspaceId INTEGER NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('success', 'error')),
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            events INTEGER NOT NULL CHECK (events > 0),
            byokEvents INTEGER NOT NULL CHECK (byokEvents BETWEEN 0 AND events),
            inputTokens INTEGER NOT NULL CHECK (inputTokens >= 0),
            outputTokens INTEGER NOT NULL CHECK (outputTokens >= 0),
            costMicros INTEGER NOT NULL CHECK (costMicros >= 0),
            creditsMicros INTEGER NOT NULL CHECK (creditsMicros BETWEEN 0 AND costMicros),
            PRIMARY KEY (orgId, day, workspaceId, kind, status, provider, model),
            FOREIGN KEY (workspaceId, orgId) REFERENCES workspace(id, orgId) ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE INDEX \(name)_workspace ON \(name)(workspaceId);
        """
    }
}
