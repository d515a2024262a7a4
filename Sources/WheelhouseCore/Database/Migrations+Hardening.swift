import GRDB

/// Migration "v5-people-hardening" (issue 10): sign-in addresses a person is known at, request
/// throttling for unauthenticated forms, email confirmation of accounts created through an
/// invitation link, an invitation's personal message, archived workspaces, and a wider outbox.
enum PeopleHardening {
    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                -- Addresses a person has signed in from: failures by others never slow them there.
                CREATE TABLE knownSignIn (
                    userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    address TEXT NOT NULL,
                    lastAt DATETIME NOT NULL,
                    PRIMARY KEY (userId, address)
                ) WITHOUT ROWID;
                CREATE INDEX loginFailure_pair ON loginFailure(email, address, at);

                -- Unauthenticated posts that cost work (accepting an invitation), counted per address.
                CREATE TABLE requestAttempt (
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
                    address TEXT NOT NULL,
                    at DATETIME NOT NULL
                );
                CREATE INDEX requestAttempt_address ON requestAttempt(kind, address, at);

                -- An account created through an invitation link is usable only once its address is
                -- confirmed. The link's token is derived from the nonce with the links key; only its
                -- SHA-256 is stored.
                CREATE TABLE emailConfirmation (
                    id INTEGER PRIMARY KEY,
                    userId INTEGER NOT NULL UNIQUE REFERENCES user(id) ON DELETE CASCADE,
                    invitationId INTEGER REFERENCES invitation(id) ON DELETE SET NULL,
                    linkNonce BLOB NOT NULL CHECK (length(linkNonce) = 16),
                    tokenHash BLOB NOT NULL UNIQUE CHECK (length(tokenHash) = 32),
                    createdAt DATETIME NOT NULL,
                    expiresAt DATETIME NOT NULL
                );

                ALTER TABLE invitation ADD COLUMN message TEXT NOT NULL DEFAULT '' CHECK (length(message) <= 500);
                ALTER TABLE workspace ADD COLUMN archivedAt DATETIME;
                """)
        try widenOutboxKinds(db, from: "kind IN ('invitation')", to: "kind IN ('invitation', 'confirmation')")
        try db.execute(
            sql: """
                ALTER TABLE outbox ADD COLUMN confirmationId INTEGER REFERENCES emailConfirmation(id) ON DELETE CASCADE;
                """)
    }

    /// SQLite cannot change a CHECK in place: the outbox is rebuilt from its own stored SQL with
    /// the kind list widened, keeping every column (also ones added by other migrations) and index.
    static func widenOutboxKinds(_ db: Database, from: String, to: String) throws {
        guard let create = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'outbox'") else {
            return
        }
        let widened = create.replacingOccurrences(of: from, with: to)
        guard widened != create else { return }
        let indexes = try String.fetchAll(
            db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox' AND sql IS NOT NULL")
        // After one rebuild SQLite stores the name quoted (`CREATE TABLE "outbox"`): replace
        // whatever precedes the column list.
        guard let columns = widened.firstIndex(of: "(") else { return }
        let renamed = "CREATE TABLE outbox_widened " + widened[columns...]
        try db.execute(sql: renamed)
        try db.execute(sql: "INSERT INTO outbox_widened SELECT * FROM outbox")
        try db.execute(sql: "DROP TABLE outbox")
        try db.execute(sql: "ALTER TABLE outbox_widened RENAME TO outbox")
        for index in indexes { try db.execute(sql: index) }
    }
}
