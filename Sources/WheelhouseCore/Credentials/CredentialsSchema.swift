import GRDB

/// The tables of issue 5 (migration "v3-credentials"): the master key's check value, per-person
/// secrets, organization providers, and the chat-model catalog with per-person choices. Ciphertext
/// columns hold nonce ‖ ciphertext ‖ tag; plaintext is never stored, only a short masked hint.
enum CredentialsSchema {
    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE masterKeyCheck (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    checkValue BLOB NOT NULL CHECK (length(checkValue) = 32),
                    createdAt DATETIME NOT NULL,
                    rotatedAt DATETIME
                );
                CREATE TABLE secret (
                    id TEXT PRIMARY KEY CHECK (id GLOB 'sec_*' AND length(id) BETWEEN 8 AND 64),
                    orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
                    ownerId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128 AND name NOT GLOB '*[^A-Z0-9_]*'
                                              AND name NOT GLOB '[0-9]*'),
                    sealed BLOB NOT NULL CHECK (length(sealed) >= 28),
                    keyVersion INTEGER NOT NULL CHECK (keyVersion >= 1),
                    hint TEXT NOT NULL CHECK (length(hint) <= 40),
                    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
                    createdAt DATETIME NOT NULL,
                    rotatedAt DATETIME,
                    UNIQUE (orgId, ownerId, name)
                );
                CREATE TABLE provider (
                    id TEXT PRIMARY KEY CHECK (id GLOB 'prv_*' AND length(id) BETWEEN 8 AND 64),
                    orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL CHECK (kind IN ('openai', 'anthropic', 'google', 'mistral', 'xai', 'custom')),
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
                    baseURL TEXT NOT NULL CHECK (length(baseURL) BETWEEN 10 AND 500
                                                 AND (baseURL GLOB 'https://*' OR baseURL GLOB 'http://*')),
                    sealed BLOB NOT NULL CHECK (length(sealed) >= 28),
                    keyVersion INTEGER NOT NULL CHECK (keyVersion >= 1),
                    hint TEXT NOT NULL CHECK (length(hint) <= 40),
                    status TEXT NOT NULL CHECK (status IN ('configured', 'connected', 'failed')),
                    lastCheckedAt DATETIME,
                    lastError TEXT CHECK (lastError IS NULL OR length(lastError) <= 500),
                    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
                    createdAt DATETIME NOT NULL,
                    updatedAt DATETIME NOT NULL,
                    CHECK ((status = 'configured') = (lastCheckedAt IS NULL)),
                    CHECK ((status = 'failed') = (lastError IS NOT NULL))
                );
                CREATE UNIQUE INDEX provider_name ON provider(orgId, name COLLATE NOCASE);
                CREATE UNIQUE INDEX provider_builtin ON provider(orgId, kind) WHERE kind <> 'custom';
                CREATE TABLE chatModel (
                    id TEXT PRIMARY KEY,
                    provider TEXT NOT NULL CHECK (provider IN ('openai', 'anthropic', 'google', 'mistral', 'xai')),
                    modelId TEXT NOT NULL CHECK (length(modelId) BETWEEN 1 AND 100),
                    displayName TEXT NOT NULL CHECK (length(displayName) BETWEEN 1 AND 100),
                    contextWindow INTEGER NOT NULL CHECK (contextWindow > 0),
                    requiredKey TEXT NOT NULL CHECK (length(requiredKey) BETWEEN 1 AND 128),
                    position INTEGER NOT NULL,
                    UNIQUE (provider, modelId)
                );
                CREATE TABLE chatModelChoice (
                    orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
                    userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    modelId TEXT NOT NULL REFERENCES chatModel(id) ON DELETE CASCADE,
                    createdAt DATETIME NOT NULL,
                    PRIMARY KEY (orgId, userId, modelId)
                ) WITHOUT ROWID;
                -- A person who leaves an organization takes their secrets and picker with them: nobody
                -- else could ever read or use them, and they must not come back with a new membership.
                CREATE TRIGGER membership_credentials_delete AFTER DELETE ON membership BEGIN
                    DELETE FROM secret WHERE orgId = OLD.orgId AND ownerId = OLD.userId;
                    DELETE FROM chatModelChoice WHERE orgId = OLD.orgId AND userId = OLD.userId;
                END;
                """)
        for (position, model) in seedCatalog.enumerated() {
            try db.execute(
                sql: """
                    INSERT INTO chatModel (id, provider, modelId, displayName, contextWindow, requiredKey, position)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    "\(model.0.rawValue)/\(model.1)", model.0.rawValue, model.1, model.2, model.3,
                    model.0.keyName, position + 1,
                ])
        }
    }

    /// The catalog as shipped: provider, model id, display name, context window (tokens).
    static let seedCatalog: [(ProviderKind, String, String, Int)] = [
        (.openai, "gpt-4.1", "GPT-4.1", 1_047_576),
        (.openai, "gpt-4o", "GPT-4o", 128_000),
        (.openai, "gpt-4o-mini", "GPT-4o mini", 128_000),
        (.openai, "o3-mini", "o3-mini", 200_000),
        (.anthropic, "claude-sonnet-4-0", "Claude Sonnet 4", 200_000),
        (.anthropic, "claude-opus-4-0", "Claude Opus 4", 200_000),
        (.anthropic, "claude-3-5-haiku-latest", "Claude Haiku 3.5", 200_000),
        (.google, "gemini-2.5-pro", "Gemini 2.5 Pro", 1_048_576),
        (.google, "gemini-2.0-flash", "Gemini 2.0 Flash", 1_048_576),
        (.mistral, "mistral-large-latest", "Mistral Large", 131_072),
        (.mistral, "codestral-latest", "Codestral", 256_000),
        (.xai, "grok-3", "Grok 3", 131_072),
        (.xai, "grok-3-mini", "Grok 3 mini", 131_072),
    ]
}
