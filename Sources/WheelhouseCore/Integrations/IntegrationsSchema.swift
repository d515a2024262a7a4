import GRDB

/// Migration "v30-integrations": webhook endpoints and the Slack channel of an organization (one
/// table: both receive the same events through the same outbox), their deliveries, the one showing
/// of a new signing secret, and editor-extension tokens as API keys of kind `editor`.
enum IntegrationsSchema {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: sql)
        // Editor tokens reuse the API key machinery (format, hashing, authentication, last used):
        // a key of kind `editor` belongs to the person who made it. Names are unique among the
        // organization's platform keys, and among each person's editor tokens.
        try db.execute(
            sql: """
                ALTER TABLE apiKey ADD COLUMN kind TEXT NOT NULL DEFAULT 'platform' CHECK (kind IN ('platform', 'editor'));
                DROP INDEX apiKey_name;
                CREATE UNIQUE INDEX apiKey_name ON apiKey(orgId, name COLLATE NOCASE) WHERE revokedAt IS NULL AND kind = 'platform';
                CREATE UNIQUE INDEX apiKey_editor_name ON apiKey(orgId, createdBy, name COLLATE NOCASE)
                    WHERE revokedAt IS NULL AND kind = 'editor';
                CREATE INDEX apiKey_editor ON apiKey(orgId, createdBy) WHERE kind = 'editor';
                """)
    }

    static let sql = """
        CREATE TABLE integrationEndpoint (
            id INTEGER PRIMARY KEY,
            orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('webhook', 'slack')),
            -- A webhook's URL; a Slack URL is itself the credential, so only its hint is here.
            url TEXT NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
            description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 200),
            events TEXT NOT NULL CHECK (length(events) <= 300),
            enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
            -- Sealed with the master key: a webhook's signing secret, or the Slack URL.
            sealed BLOB NOT NULL CHECK (length(sealed) >= 28),
            keyVersion INTEGER NOT NULL CHECK (keyVersion >= 1),
            createdBy INTEGER REFERENCES user(id) ON DELETE SET NULL,
            createdAt DATETIME NOT NULL,
            updatedAt DATETIME NOT NULL,
            secretRotatedAt DATETIME,
            version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
        );
        CREATE INDEX integrationEndpoint_org ON integrationEndpoint(orgId, kind, id);
        CREATE UNIQUE INDEX integrationEndpoint_slack ON integrationEndpoint(orgId) WHERE kind = 'slack';
        CREATE TABLE webhookDelivery (
            id INTEGER PRIMARY KEY,
            endpointId INTEGER NOT NULL REFERENCES integrationEndpoint(id) ON DELETE CASCADE,
            eventId TEXT NOT NULL CHECK (length(eventId) BETWEEN 5 AND 40),
            eventType TEXT NOT NULL CHECK (length(eventType) BETWEEN 1 AND 40),
            -- The exact bytes sent at every attempt (only the signature's timestamp changes).
            body BLOB NOT NULL,
            createdAt DATETIME NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivering', 'delivered', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            -- When pending: the next attempt; when delivering: the end of the worker's claim.
            nextAttemptAt DATETIME,
            lastAttemptAt DATETIME,
            responseCode INTEGER,
            responseExcerpt TEXT NOT NULL DEFAULT '' CHECK (length(responseExcerpt) <= 300),
            lastError TEXT CHECK (lastError IS NULL OR length(lastError) <= 300),
            deliveredAt DATETIME,
            UNIQUE (endpointId, eventId)
        );
        CREATE INDEX webhookDelivery_due ON webhookDelivery(nextAttemptAt) WHERE status IN ('pending', 'delivering');
        CREATE INDEX webhookDelivery_log ON webhookDelivery(endpointId, id);
        CREATE TABLE webhookSecretReveal (
            sessionHash BLOB PRIMARY KEY REFERENCES session(tokenHash) ON DELETE CASCADE,
            endpointId INTEGER NOT NULL REFERENCES integrationEndpoint(id) ON DELETE CASCADE,
            sealed BLOB NOT NULL CHECK (length(sealed) >= 28),
            keyVersion INTEGER NOT NULL CHECK (keyVersion >= 1),
            createdAt DATETIME NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX webhookSecretReveal_endpoint ON webhookSecretReveal(endpointId);
        """
}
