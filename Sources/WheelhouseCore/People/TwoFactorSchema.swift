import GRDB

/// `v18-two-factor`: a person's TOTP secret (sealed with the master key), their recovery codes
/// (SHA-256 only) and the half-signed-in state between the password and the code.
enum TwoFactorSchema {
    static let sql = """
        CREATE TABLE twoFactor (
            userId INTEGER PRIMARY KEY REFERENCES user(id) ON DELETE CASCADE,
            sealed BLOB NOT NULL,
            keyVersion INTEGER NOT NULL,
            createdAt DATETIME NOT NULL,
            -- NULL while enrolment waits for its first code: sign-in does not ask for one yet.
            enabledAt DATETIME,
            -- The last step whose code was accepted: that code and older ones are refused.
            lastStep INTEGER NOT NULL DEFAULT 0,
            -- The new recovery codes, sealed for the one session that may see them once.
            revealSession BLOB,
            revealSealed BLOB
        );
        CREATE TABLE recoveryCode (
            userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            codeHash BLOB NOT NULL,
            usedAt DATETIME,
            PRIMARY KEY (userId, codeHash)
        ) WITHOUT ROWID;
        CREATE TABLE signInChallenge (
            tokenHash BLOB PRIMARY KEY,
            userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            address TEXT NOT NULL,
            userAgent TEXT NOT NULL,
            createdAt DATETIME NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX signInChallenge_user ON signInChallenge(userId);
        """
}
