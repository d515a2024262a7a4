import Foundation
import GRDB

/// Migration `v19-account-profile`: a person's picture and the organization `/` opens, and the
/// links that move an account to a new email address (mailed like reset links: the outbox keeps
/// a reference, never a usable token).
enum AccountProfileSchema {
    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE user ADD COLUMN avatarFile TEXT CHECK (avatarFile IS NULL OR length(avatarFile) BETWEEN 5 AND 40);
                ALTER TABLE user ADD COLUMN defaultOrgId INTEGER REFERENCES organization(id) ON DELETE SET NULL;
                CREATE TABLE emailChange (
                    id INTEGER PRIMARY KEY,
                    userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    newEmail TEXT NOT NULL CHECK (length(newEmail) BETWEEN 3 AND 254),
                    linkNonce BLOB NOT NULL CHECK (length(linkNonce) = 32),
                    tokenHash BLOB NOT NULL UNIQUE CHECK (length(tokenHash) = 32),
                    createdAt DATETIME NOT NULL,
                    expiresAt DATETIME NOT NULL,
                    usedAt DATETIME
                );
                CREATE INDEX emailChange_user ON emailChange(userId);
                """)
        try PeopleHardening.widenOutboxKinds(
            db, from: "kind IN ('invitation', 'confirmation', 'notice', 'passwordReset')",
            to: "kind IN ('invitation', 'confirmation', 'notice', 'passwordReset', 'emailChange')")
        try db.execute(sql: "ALTER TABLE outbox ADD COLUMN emailChangeId INTEGER REFERENCES emailChange(id) ON DELETE CASCADE")
    }
}
