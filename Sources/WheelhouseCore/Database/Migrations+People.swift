/// The People schema (migration "v2-people"): invitations and their mail, teams, workspace
/// access, and the workflow and agent rows whose counts the Workspaces tab shows.
enum People {
    static let schema = """
        ALTER TABLE membership ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE organization ADD COLUMN plan TEXT NOT NULL DEFAULT 'team'
            CHECK (plan IN ('free', 'team', 'business'));

        ALTER TABLE workspace ADD COLUMN description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 500);
        ALTER TABLE workspace ADD COLUMN ownerUserId INTEGER REFERENCES user(id) ON DELETE SET NULL;
        ALTER TABLE workspace ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        UPDATE workspace SET ownerUserId = CAST(substr(key, 10) AS INTEGER)
            WHERE isShared = 0 AND key GLOB 'personal-[0-9]*';
        -- One default (private) workspace per person and organization.
        CREATE UNIQUE INDEX workspace_owner ON workspace(orgId, ownerUserId) WHERE ownerUserId IS NOT NULL;

        CREATE TABLE invitation (
            id INTEGER PRIMARY KEY,
            orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
            email TEXT NOT NULL COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
            role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
            -- The link's token is derived from this nonce with a server key; only its hash is kept.
            linkNonce BLOB NOT NULL CHECK (length(linkNonce) = 16),
            tokenHash BLOB NOT NULL UNIQUE CHECK (length(tokenHash) = 32),
            status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
            invitedBy INTEGER REFERENCES user(id) ON DELETE SET NULL,
            acceptedBy INTEGER REFERENCES user(id) ON DELETE SET NULL,
            createdAt DATETIME NOT NULL,
            sentAt DATETIME NOT NULL,
            expiresAt DATETIME NOT NULL,
            closedAt DATETIME,
            version INTEGER NOT NULL DEFAULT 1
        );
        -- At most one open invitation per address and organization.
        CREATE UNIQUE INDEX invitation_pending ON invitation(orgId, email) WHERE status = 'pending';
        CREATE INDEX invitation_org ON invitation(orgId, status);

        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            orgId INTEGER REFERENCES organization(id) ON DELETE SET NULL,
            kind TEXT NOT NULL CHECK (kind IN ('invitation')),
            invitationId INTEGER REFERENCES invitation(id) ON DELETE CASCADE,
            recipient TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            nextAttemptAt DATETIME NOT NULL,
            lastError TEXT,
            createdAt DATETIME NOT NULL,
            sentAt DATETIME
        );
        CREATE INDEX outbox_due ON outbox(status, nextAttemptAt);

        CREATE TABLE team (
            id INTEGER PRIMARY KEY,
            orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
            name TEXT NOT NULL COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 60),
            description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 500),
            version INTEGER NOT NULL DEFAULT 1,
            createdAt DATETIME NOT NULL,
            UNIQUE (orgId, name)
        );
        CREATE TABLE teamMember (
            teamId INTEGER NOT NULL REFERENCES team(id) ON DELETE CASCADE,
            userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            createdAt DATETIME NOT NULL,
            PRIMARY KEY (teamId, userId)
        ) WITHOUT ROWID;
        CREATE INDEX teamMember_user ON teamMember(userId);

        -- Who may reach a shared workspace: a person or a team, with a level.
        CREATE TABLE workspaceAccess (
            id INTEGER PRIMARY KEY,
            workspaceId INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
            userId INTEGER REFERENCES user(id) ON DELETE CASCADE,
            teamId INTEGER REFERENCES team(id) ON DELETE CASCADE,
            level TEXT NOT NULL CHECK (level IN ('read', 'write', 'admin')),
            version INTEGER NOT NULL DEFAULT 1,
            createdAt DATETIME NOT NULL,
            CHECK ((userId IS NULL) <> (teamId IS NULL))
        );
        CREATE UNIQUE INDEX workspaceAccess_user ON workspaceAccess(workspaceId, userId) WHERE userId IS NOT NULL;
        CREATE UNIQUE INDEX workspaceAccess_team ON workspaceAccess(workspaceId, teamId) WHERE teamId IS NOT NULL;
        CREATE INDEX workspaceAccess_teamId ON workspaceAccess(teamId);
        CREATE INDEX workspaceAccess_userId ON workspaceAccess(userId);

        -- Shown as counts only; running workflows and agents is not this console's job.
        CREATE TABLE workflow (
            id INTEGER PRIMARY KEY,
            workspaceId INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            createdAt DATETIME NOT NULL
        );
        CREATE INDEX workflow_workspace ON workflow(workspaceId);
        CREATE TABLE agent (
            id INTEGER PRIMARY KEY,
            workspaceId INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            createdAt DATETIME NOT NULL
        );
        CREATE INDEX agent_workspace ON agent(workspaceId);
        """
}
