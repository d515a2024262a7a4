import GRDB

/// The schema, as named migrations. A migration that has shipped is never edited: add a new one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation") { db in
            try db.execute(
                sql: """
                    CREATE TABLE user (
                        id INTEGER PRIMARY KEY,
                        email TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
                        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
                        passwordHash TEXT NOT NULL,
                        createdAt DATETIME NOT NULL
                    );
                    CREATE TABLE organization (
                        id INTEGER PRIMARY KEY,
                        key TEXT NOT NULL UNIQUE CHECK (key GLOB '[a-z0-9]*' AND length(key) BETWEEN 2 AND 40),
                        displayName TEXT NOT NULL CHECK (length(displayName) BETWEEN 1 AND 100),
                        description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
                        logoFile TEXT,
                        memberLimit INTEGER NOT NULL CHECK (memberLimit BETWEEN 1 AND 100000),
                        version INTEGER NOT NULL DEFAULT 1,
                        createdAt DATETIME NOT NULL,
                        updatedAt DATETIME NOT NULL
                    );
                    CREATE TABLE membership (
                        orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
                        userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                        role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
                        createdAt DATETIME NOT NULL,
                        PRIMARY KEY (orgId, userId)
                    ) WITHOUT ROWID;
                    CREATE INDEX membership_user ON membership(userId);
                    CREATE TABLE workspace (
                        id INTEGER PRIMARY KEY,
                        orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
                        key TEXT NOT NULL,
                        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
                        isShared BOOLEAN NOT NULL DEFAULT 0,
                        createdAt DATETIME NOT NULL,
                        UNIQUE (orgId, key)
                    );
                    CREATE TABLE session (
                        tokenHash BLOB PRIMARY KEY CHECK (length(tokenHash) = 32),
                        userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                        csrfToken TEXT NOT NULL,
                        createdAt DATETIME NOT NULL,
                        lastSeenAt DATETIME NOT NULL,
                        address TEXT NOT NULL,
                        userAgent TEXT NOT NULL,
                        flashKind TEXT,
                        flashMessage TEXT
                    ) WITHOUT ROWID;
                    CREATE INDEX session_user ON session(userId);
                    CREATE TABLE auditEvent (
                        id INTEGER PRIMARY KEY,
                        orgId INTEGER REFERENCES organization(id) ON DELETE SET NULL,
                        actorUserId INTEGER REFERENCES user(id) ON DELETE SET NULL,
                        action TEXT NOT NULL CHECK (length(action) > 0),
                        target TEXT NOT NULL,
                        summary TEXT NOT NULL,
                        address TEXT NOT NULL,
                        createdAt DATETIME NOT NULL
                    );
                    CREATE INDEX auditEvent_org ON auditEvent(orgId, createdAt);
                    CREATE TABLE loginFailure (
                        id INTEGER PRIMARY KEY,
                        email TEXT NOT NULL COLLATE NOCASE,
                        address TEXT NOT NULL,
                        at DATETIME NOT NULL
                    );
                    CREATE INDEX loginFailure_email ON loginFailure(email, at);
                    CREATE INDEX loginFailure_address ON loginFailure(address, at);
                    """)
        }
        migrator.registerMigration("v2-people") { db in
            try db.execute(sql: People.schema)
        }
        migrator.registerMigration("v3-credentials") { db in try CredentialsSchema.create(db) }
        migrator.registerMigration("v4-usage") { db in
            try UsageSchema.create(db)
        }
        migrator.registerMigration("v5-provider-checks") { db in try ProviderChecksSchema.create(db) }
        migrator.registerMigration("v5-usage-rebuild") { db in
            try db.execute(sql: UsageRebuild.schema)
        }
        migrator.registerMigration("v5-people-hardening") { db in try PeopleHardening.migrate(db) }
        // The Members page at 10 000 pending invitations: each invitation's latest email through an
        // index, the unexpired ones counted from an index of expiry dates, and the pending ones
        // counted by triggers instead of a scan.
        migrator.registerMigration("v6-members-at-scale") { db in try MembersAtScale.create(db) }
        migrator.registerMigration("v7-members-by-role") { db in try MembersAtScale.createRoleIndex(db) }
        migrator.registerMigration("v8-audit-log") { db in try AuditLogSchema.migrate(db) }
        migrator.registerMigration("v9-audit-retention") { db in try db.execute(sql: AuditRetentionSchema.sql) }
        migrator.registerMigration("v10-outbox-notices") { db in try OutboxNotices.migrate(db) }
        migrator.registerMigration("v11-notifications") { db in try db.execute(sql: NotificationSchema.sql) }
        migrator.registerMigration("v12-privacy") { db in try db.execute(sql: PrivacySchema.sql) }
        migrator.registerMigration("v13-data-export") { db in try db.execute(sql: DataExportSchema.sql) }
        migrator.registerMigration("v14-org-deletion") { db in try db.execute(sql: OrgDeletionSchema.sql) }
        migrator.registerMigration("v15-audit-user-agent") { db in
            try db.execute(sql: "ALTER TABLE auditEvent ADD COLUMN userAgent TEXT NOT NULL DEFAULT '' CHECK (length(userAgent) <= 300)")
        }
        migrator.registerMigration("v16-api-keys") { db in try db.execute(sql: APIKeySchema.sql) }
        migrator.registerMigration("v17-account-security") { db in try AccountSecuritySchema.migrate(db) }
        migrator.registerMigration("v18-two-factor") { db in try db.execute(sql: TwoFactorSchema.sql) }
        migrator.registerMigration("v19-account-profile") { db in try AccountProfileSchema.migrate(db) }
        migrator.registerMigration("v20-notification-preferences") { db in try NotificationPreferencesSchema.migrate(db) }
        migrator.registerMigration("v21-preferences-overview") { db in try PreferencesSchema.migrate(db) }
        migrator.registerMigration("v22-billing-credits") { db in try db.execute(sql: CreditsSchema.sql) }
        migrator.registerMigration("v23-billing-usage") { db in try db.execute(sql: CreditWarningSchema.sql) }
        migrator.registerMigration("v24-billing-payments") { db in try db.execute(sql: PaymentsSchema.sql) }
        migrator.registerMigration("v25-plan-catalog") { db in try PlanCatalogSchema.migrate(db) }
        migrator.registerMigration("v26-plan-changes") { db in try db.execute(sql: PlanChangeSchema.sql) }
        migrator.registerMigration("v27-plan-upgrades") { db in try PlanUpgradeSchema.migrate(db) }
        migrator.registerMigration("v28-billing-renewals") { db in try RenewalSchema.migrate(db) }
        migrator.registerMigration("v29-sso") { db in try db.execute(sql: SSOSchema.sql) }
        migrator.registerMigration("v30-integrations") { db in try IntegrationsSchema.migrate(db) }
        return migrator
    }
}
