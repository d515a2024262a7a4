import Foundation
import GRDB

/// A workspace card on the Workspaces tab.
public struct WorkspaceCard: Sendable, Equatable {
    public var workspace: Workspace
    public var memberCount: Int
    public var workflowCount: Int
    public var agentCount: Int
}

/// One grant on a workspace's access list, with whom it names.
public struct AccessGrant: Sendable, Equatable {
    public var grant: WorkspaceAccess
    public var subjectName: String
    /// The email for a person, the member count for a team.
    public var subjectDetail: String
}

public struct WorkspaceDetail: Sendable {
    public var card: WorkspaceCard
    public var grants: [AccessGrant]
    /// Owners and Admins, and Members holding `admin` on this workspace.
    public var canManageAccess: Bool
    public var people: [TeamPerson]
    public var teams: [Team]
}

public enum AccessSubject: Sendable, Equatable {
    case user(Int64)
    case team(Int64)
}

/// A new shared workspace as its form submits it.
public struct NewWorkspace: Sendable {
    public var name: String
    public var key: String
    public var description: String
    public var language: String

    public init(name: String, key: String, description: String, language: String = WorkLanguages.default) {
        self.name = name
        self.key = key
        self.description = description
        self.language = language
    }

    func validate() throws {
        var errors = FieldErrors()
        TextRules.checkSingleLine(name, field: "name", label: "Name", required: true, maxLength: 100, into: &errors)
        if !OrgKeyRules.isValid(key) || key.hasPrefix("personal-") {
            errors.add("key", "URL key must be 2–40 characters: lowercase letters, digits and dashes, and not start with “personal-”.")
        }
        TextRules.checkMultiLine(description, field: "description", label: "Description", maxLength: 500, into: &errors)
        if !WorkLanguages.isKnown(language) { errors.add("language", "Choose one of the languages listed.") }
        try errors.throwIfAny()
    }
}

public enum WorkspaceRule: Error, Equatable, Sendable {
    /// The plan's shared-workspace limit is reached (SaaS mode).
    case planLimit(Plan)
    /// Default workspaces belong to one person and are not shared.
    case privateWorkspace
    /// An archived workspace is read-only until restored.
    case archived
}

extension AppDatabase {
    static let cardColumns = """
        w.*, (CASE WHEN w.ownerUserId IS NOT NULL THEN 1 ELSE (SELECT count(DISTINCT p) FROM (
                 SELECT a.userId AS p FROM workspaceAccess a WHERE a.workspaceId = w.id AND a.userId IS NOT NULL
                 UNION SELECT tm.userId FROM workspaceAccess a JOIN teamMember tm ON tm.teamId = a.teamId WHERE a.workspaceId = w.id))
             END) AS memberCount,
             (SELECT count(*) FROM workflow f WHERE f.workspaceId = w.id) AS workflowCount,
             (SELECT count(*) FROM agent g WHERE g.workspaceId = w.id) AS agentCount
        """

    /// Workspaces this person can see: their own default one, and the shared ones — all of them
    /// for Owners and Admins, those granted to them or to one of their teams for Members.
    public func workspaceCards(access: OrgAccess, userId: Int64) throws -> [WorkspaceCard] {
        try reader.read { db in
            let seesAll = access.allows(.manageWorkspaceAccess)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.cardColumns) FROM workspace w
                    WHERE w.orgId = :org AND (w.ownerUserId = :user OR (w.isShared AND (:all OR EXISTS (
                        SELECT 1 FROM workspaceAccess a LEFT JOIN teamMember tm ON tm.teamId = a.teamId
                        WHERE a.workspaceId = w.id AND (a.userId = :user OR tm.userId = :user)))))
                    ORDER BY w.isShared, w.name COLLATE NOCASE
                    """, arguments: ["org": access.org.id!, "user": userId, "all": seesAll]
            ).map(Self.card)
        }
    }

    /// How many workspaces `workspaceCards` shows this person, counted without reading them.
    static func visibleWorkspaceCount(_ db: Database, access: OrgAccess, userId: Int64) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT count(*) FROM workspace w
                    WHERE w.orgId = :org AND (w.ownerUserId = :user OR (w.isShared AND (:all OR EXISTS (
                        SELECT 1 FROM workspaceAccess a LEFT JOIN teamMember tm ON tm.teamId = a.teamId
                        WHERE a.workspaceId = w.id AND (a.userId = :user OR tm.userId = :user)))))
                    """), arguments: ["org": access.org.id!, "user": userId, "all": access.allows(.manageWorkspaceAccess)]) ?? 0
    }

    static func card(_ row: Row) throws -> WorkspaceCard {
        WorkspaceCard(
            workspace: try Workspace(row: row), memberCount: row["memberCount"],
            workflowCount: row["workflowCount"], agentCount: row["agentCount"])
    }

    /// Shared workspaces counted against the plan (`planUsage`).
    static func sharedCount(_ db: Database, orgId: Int64) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM workspace WHERE orgId = ? AND isShared", arguments: [orgId]) ?? 0
    }

    /// The highest level this person holds on a workspace, directly or through a team.
    static func level(_ db: Database, workspaceId: Int64, userId: Int64) throws -> AccessLevel? {
        try AccessLevel.fetchAll(
            db,
            sql: """
                SELECT a.level FROM workspaceAccess a LEFT JOIN teamMember tm ON tm.teamId = a.teamId
                WHERE a.workspaceId = ? AND (a.userId = ?2 OR tm.userId = ?2)
                """, arguments: [workspaceId, userId]
        ).max()
    }

    /// A workspace's page, or `.notFound` when this person cannot see it.
    public func workspaceDetail(access: OrgAccess, userId: Int64, key: String) throws -> WorkspaceDetail {
        try reader.read { db in
            let (workspace, canManage) = try Self.visibleWorkspace(db, access: access, userId: userId, key: key)
            let card = try Self.card(
                Row.fetchOne(
                    db, sql: "SELECT \(Self.cardColumns) FROM workspace w WHERE w.id = ?",
                    arguments: [workspace.id!])!)
            let grants = try Row.fetchAll(
                db,
                sql: """
                    SELECT a.*, coalesce(u.name, t.name) AS subjectName,
                           coalesce(u.email, (SELECT CASE count(*) WHEN 1 THEN '1 member' ELSE count(*) || ' members' END
                                             FROM teamMember tm WHERE tm.teamId = t.id)) AS subjectDetail
                    FROM workspaceAccess a LEFT JOIN user u ON u.id = a.userId LEFT JOIN team t ON t.id = a.teamId
                    WHERE a.workspaceId = ? ORDER BY a.teamId IS NULL, subjectName COLLATE NOCASE
                    """, arguments: [workspace.id!]
            ).map { row in
                AccessGrant(grant: try WorkspaceAccess(row: row), subjectName: row["subjectName"], subjectDetail: row["subjectDetail"])
            }
            let people = try Row.fetchAll(
                db,
                sql: """
                    SELECT u.id, u.name, u.email FROM membership m JOIN user u ON u.id = m.userId WHERE m.orgId = ?
                    ORDER BY u.name COLLATE NOCASE
                    """, arguments: [access.org.id!]
            ).map { TeamPerson(userId: $0["id"], name: $0["name"], email: $0["email"]) }
            let teams = try Team.filter(Column("orgId") == access.org.id!).order(Column("name").collating(.nocase)).fetchAll(db)
            return WorkspaceDetail(card: card, grants: grants, canManageAccess: canManage, people: people, teams: teams)
        }
    }

    static func visibleWorkspace(_ db: Database, access: OrgAccess, userId: Int64, key: String) throws -> (Workspace, Bool) {
        guard let workspace = try Workspace.filter(Column("orgId") == access.org.id! && Column("key") == key).fetchOne(db) else {
            throw DomainError.notFound
        }
        if !workspace.isShared {
            guard workspace.ownerUserId == userId else { throw DomainError.notFound }
            return (workspace, false)
        }
        if access.allows(.manageWorkspaceAccess) { return (workspace, workspace.archivedAt == nil) }
        guard let level = try level(db, workspaceId: workspace.id!, userId: userId) else { throw DomainError.notFound }
        return (workspace, level == .admin && workspace.archivedAt == nil)
    }

    public func createWorkspace(orgKey: String, _ new: NewWorkspace, enforcePlan: Bool, by actor: Actor) throws -> Workspace {
        try new.validate()
        return try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.createWorkspace)
            if enforcePlan {
                let usage = try Self.planUsage(db, orgId: access.org.id!)
                if usage.workspaceLimitReached { throw WorkspaceRule.planLimit(usage.plan) }
            }
            var errors = FieldErrors()
            if try Workspace.filter(Column("orgId") == access.org.id! && Column("key") == new.key).fetchCount(db) > 0 {
                errors.add("key", "The URL key “\(new.key)” is already used by another workspace.")
            }
            if try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM workspace WHERE orgId = ? AND isShared AND name = ? COLLATE NOCASE)",
                arguments: [access.org.id!, new.name])!
            {
                errors.add("name", "A shared workspace named “\(new.name)” already exists.")
            }
            try errors.throwIfAny()
            let now = self.now()
            var workspace = Workspace(
                id: nil, orgId: access.org.id!, key: new.key, name: new.name, isShared: true,
                createdAt: now, description: new.description, language: new.language)
            try workspace.insert(db)
            var grant = WorkspaceAccess(
                id: nil, workspaceId: workspace.id!, userId: actor.user.id, teamId: nil, level: .admin,
                version: 1, createdAt: now)
            try grant.insert(db)
            try AuditEvent(
                org: access.org.id, actor: actor, action: .workspaceCreate, target: "workspace:\(new.key)",
                summary: "created shared workspace “\(new.name)”", at: now
            ).insert(db)
            return workspace
        }
    }

    public func grantAccess(
        orgKey: String, workspaceKey: String, to subject: AccessSubject, level: AccessLevel,
        by actor: Actor
    ) throws {
        try writer.write { db in
            let (access, workspace) = try Self.manageableWorkspace(db, orgKey: orgKey, key: workspaceKey, actor: actor)
            var grant = WorkspaceAccess(
                id: nil, workspaceId: workspace.id!, userId: nil, teamId: nil, level: level,
                version: 1, createdAt: now())
            let name: String
            switch subject {
            case .user(let id):
                _ = try Self.membership(db, orgId: access.org.id!, userId: id)
                grant.userId = id
                name = try String.fetchOne(db, sql: "SELECT email FROM user WHERE id = ?", arguments: [id]) ?? "user \(id)"
            case .team(let id):
                guard let team = try Team.fetchOne(db, key: id), team.orgId == access.org.id else { throw DomainError.notFound }
                grant.teamId = id
                name = "team “\(team.name)”"
            }
            let exists =
                try WorkspaceAccess.filter(
                    Column("workspaceId") == workspace.id!
                        && (grant.userId.map { Column("userId") == $0 } ?? (Column("teamId") == grant.teamId!))
                ).fetchCount(db) > 0
            if exists {
                var errors = FieldErrors()
                errors.add("subject", "\(name) already has access: change the level in the list.")
                throw DomainError.invalid(errors)
            }
            try grant.insert(db)
            try AuditEvent(
                org: access.org.id, actor: actor, action: .workspaceAccessGrant, target: "workspace:\(workspace.key)",
                summary: "\(name): \(level.rawValue)", at: now()
            ).insert(db)
        }
    }

    /// Changes a grant's level, or revokes it when `level` is nil.
    public func changeAccess(
        orgKey: String, workspaceKey: String, grantId: Int64, level: AccessLevel?,
        expectedVersion: Int, by actor: Actor
    ) throws {
        try writer.write { db in
            let (access, workspace) = try Self.manageableWorkspace(db, orgKey: orgKey, key: workspaceKey, actor: actor)
            guard let grant = try WorkspaceAccess.fetchOne(db, key: grantId), grant.workspaceId == workspace.id else {
                throw DomainError.notFound
            }
            guard grant.version == expectedVersion else { throw DomainError.staleVersion }
            let subject = grant.userId.map { "user:\($0)" } ?? "team:\(grant.teamId!)"
            if let level {
                if level == grant.level { return }
                try db.execute(
                    sql: "UPDATE workspaceAccess SET level = ?, version = version + 1 WHERE id = ?", arguments: [level, grantId])
                try AuditEvent(
                    org: access.org.id, actor: actor, action: .workspaceAccessChange, target: "workspace:\(workspace.key)",
                    summary: "\(subject): \(grant.level.rawValue) → \(level.rawValue)", at: now()
                ).insert(db)
            } else {
                try grant.delete(db)
                try AuditEvent(
                    org: access.org.id, actor: actor, action: .workspaceAccessRevoke, target: "workspace:\(workspace.key)",
                    summary: "\(subject): \(grant.level.rawValue) revoked", at: now()
                ).insert(db)
            }
        }
    }

    static func manageableWorkspace(_ db: Database, orgKey: String, key: String, actor: Actor) throws -> (OrgAccess, Workspace) {
        let access = try access(db, orgKey: orgKey, userId: actor.user.id!)
        let (workspace, canManage) = try visibleWorkspace(db, access: access, userId: actor.user.id!, key: key)
        if !workspace.isShared { throw WorkspaceRule.privateWorkspace }
        if workspace.archivedAt != nil { throw WorkspaceRule.archived }
        guard canManage else { throw DomainError.forbidden(.manageWorkspaceAccess) }
        return (access, workspace)
    }
}
