import GRDB

/// Migration `v21-preferences-overview`: each person's appearance and default language, their
/// dashboard layout and readiness reviews per organization, the tutorial's dismissals, and a
/// language on every workspace.
enum PreferencesSchema {
    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE userPreference (
                    userId INTEGER PRIMARY KEY REFERENCES user(id) ON DELETE CASCADE,
                    theme TEXT NOT NULL DEFAULT 'system' CHECK (theme IN ('system', 'light', 'dark')),
                    density TEXT NOT NULL DEFAULT 'comfortable' CHECK (density IN ('comfortable', 'compact')),
                    language TEXT NOT NULL DEFAULT 'en' CHECK (length(language) BETWEEN 2 AND 20),
                    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
                );
                -- A person's own order of the overview's widgets in one organization; no rows: the default.
                CREATE TABLE dashboardWidget (
                    userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
                    widget TEXT NOT NULL CHECK (length(widget) BETWEEN 1 AND 40),
                    position INTEGER NOT NULL,
                    hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
                    PRIMARY KEY (userId, orgId, widget)
                ) WITHOUT ROWID;
                CREATE TABLE readinessReview (
                    userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
                    item TEXT NOT NULL CHECK (length(item) BETWEEN 1 AND 40),
                    reviewedAt DATETIME NOT NULL,
                    PRIMARY KEY (userId, orgId, item)
                ) WITHOUT ROWID;
                CREATE TABLE tutorialDismissal (
                    userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
                    dismissedAt DATETIME NOT NULL,
                    PRIMARY KEY (userId, orgId)
                ) WITHOUT ROWID;
                ALTER TABLE workspace ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (length(language) BETWEEN 2 AND 20);
                """)
    }
}
