import GRDB

/// What keeps the Members page (and every org page's member counts) bounded by its page size,
/// however many invitations are pending: see `AppDatabase.memberCounts`.
enum MembersAtScale {
    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE INDEX outbox_invitation ON outbox(invitationId, id);
                CREATE INDEX invitation_pending_by_expiry ON invitation(orgId, expiresAt) WHERE status = 'pending';
                -- "Last active" is each member's latest session: one index seek, however many sessions.
                CREATE INDEX session_user_seen ON session(userId, lastSeenAt);

                -- Pending invitations per organization, kept by the triggers below in the same
                -- transaction as every change of an invitation's status.
                CREATE TABLE invitationTally (
                    orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
                    pending INTEGER NOT NULL DEFAULT 0 CHECK (pending >= 0)
                );
                INSERT INTO invitationTally (orgId, pending)
                    SELECT o.id, (SELECT count(*) FROM invitation i WHERE i.orgId = o.id AND i.status = 'pending')
                    FROM organization o;
                CREATE TRIGGER invitation_tally_insert AFTER INSERT ON invitation WHEN NEW.status = 'pending' BEGIN
                    INSERT INTO invitationTally (orgId, pending) VALUES (NEW.orgId, 1)
                        ON CONFLICT (orgId) DO UPDATE SET pending = pending + 1;
                END;
                CREATE TRIGGER invitation_tally_update AFTER UPDATE OF status, orgId ON invitation
                WHEN OLD.status = 'pending' OR NEW.status = 'pending' BEGIN
                    UPDATE invitationTally SET pending = pending - 1 WHERE orgId = OLD.orgId AND OLD.status = 'pending';
                    INSERT INTO invitationTally (orgId, pending) SELECT NEW.orgId, 1 WHERE NEW.status = 'pending'
                        ON CONFLICT (orgId) DO UPDATE SET pending = pending + 1;
                END;
                CREATE TRIGGER invitation_tally_delete AFTER DELETE ON invitation WHEN OLD.status = 'pending' BEGIN
                    UPDATE invitationTally SET pending = pending - 1 WHERE orgId = OLD.orgId;
                END;
                """)
    }

    /// Pending invitations in the order of the Members list by role (role, then address), so a
    /// page by role is an index range too (migration "v7-members-by-role"). Unique because the
    /// address alone already is among an organization's pending invitations.
    static func createRoleIndex(_ db: Database) throws {
        try db.execute(sql: "CREATE UNIQUE INDEX invitation_pending_by_role ON invitation(orgId, role, email) WHERE status = 'pending'")
    }
}
