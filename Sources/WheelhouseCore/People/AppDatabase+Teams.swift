import Foundation
import GRDB

/// A team as its list and its page show it.
public struct TeamSummary: Sendable, Equatable {
    public var team: Team
    public var memberCount: Int
    public var workspaceCount: Int
}

public struct TeamPerson: Sendable, Equatable {
    public var userId: Int64
    public var name: String
    public var email: String
}

public struct TeamDetail: Sendable {
    public var team: Team
    public var members: [TeamPerson]
    /// Org members not yet in the team: the choices of "Add member".
    public var candidates: [TeamPerson]
    public var workspaces: [(key: String, name: String, level: AccessLevel)]
}

/// What a team form submits: the name and description, and the version it was rendered from.
public struct TeamChange: Sendable {
    public var name: String
    public var description: String
    public var expectedVersion: Int

    public init(name: String, description: String, expectedVersion: Int = 0) {
        self.name = name
        self.description = description
        self.expectedVersion = expectedVersion
    }

    func validate() throws {
        var errors = FieldErrors()
        TextRules.checkSingleLine(name, field: "name", label: "Team name", required: true, maxLength: 60, into: &errors)
        TextRules.checkMultiLine(description, field: "description", label: "Description", maxLength: 500, into: &errors)
        try errors.throwIfAny()
    }
}

extension AppDatabase {
    public func teams(orgId: Int64) throws -> [TeamSummary] {
        try reader.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.*, (SELECT count(*) FROM teamMember tm WHERE tm.teamId = t.id) AS memberCount,
                           (SELECT count(*) FROM workspaceAccess a WHERE a.teamId = t.id) AS workspaceCount
                    FROM team t WHERE t.orgId = ? ORDER BY t.name COLLATE NOCASE
                    """, arguments: [orgId]
            ).map { row in
                TeamSummary(team: try Team(row: row), memberCount: row["memberCount"], workspaceCount: row["workspaceCount"])
            }
        }
    }

    public func teamDetail(orgId: Int64, teamId: Int64) throws -> TeamDetail {
        try reader.read { db in
            guard let team = try Team.fetchOne(db, key: teamId), team.orgId == orgId else { throw DomainError.notFound }
            let person = { (row: Row) in TeamPerson(userId: row["id"], name: row["name"], email: row["email"]) }
            let members = try Row.fetchAll(
                db,
                sql: """
                    SELECT u.id, u.name, u.email FROM teamMember tm JOIN user u ON u.id = tm.userId
                    WHERE tm.teamId = ? ORDER BY u.name COLLATE NOCASE
                    """, arguments: [teamId]
            ).map(person)
            let candidates = try Row.fetchAll(
                db,
                sql: """
                    SELECT u.id, u.name, u.email FROM membership m JOIN user u ON u.id = m.userId
                    WHERE m.orgId = ? AND u.id NOT IN (SELECT userId FROM teamMember WHERE teamId = ?)
                    ORDER BY u.name COLLATE NOCASE
                    """, arguments: [orgId, teamId]
            ).map(person)
            let workspaces = try Row.fetchAll(
                db,
                sql: """
                    SELECT w.key, w.name, a.level FROM workspaceAccess a JOIN workspace w ON w.id = a.workspaceId
                    WHERE a.teamId = ? ORDER BY w.name COLLATE NOCASE
                    """, arguments: [teamId]
            ).map { (key: $0[0] as String, name: $0[1] as String, level: $0[2] as AccessLevel) }
            return TeamDetail(team: team, members: members, candidates: candidates, workspaces: workspaces)
        }
    }

    public func createTeam(orgKey: String, _ change: TeamChange, by actor: Actor) throws -> Team {
        try change.validate()
        return try writer.write { db in
            let access = try Self.teamAccess(db, orgKey: orgKey, actor: actor)
            try Self.checkTeamNameFree(db, orgId: access.org.id!, name: change.name, except: nil)
            var team = Team(
                id: nil, orgId: access.org.id!, name: change.name, description: change.description,
                version: 1, createdAt: now())
            try team.insert(db)
            try AuditEvent(
                org: access.org.id, actor: actor, action: .teamCreate, target: "team:\(team.id!)",
                summary: "created team “\(team.name)”", at: now()
            ).insert(db)
            return team
        }
    }

    public func updateTeam(orgKey: String, teamId: Int64, _ change: TeamChange, by actor: Actor) throws {
        try change.validate()
        try writer.write { db in
            let (access, team) = try Self.team(db, orgKey: orgKey, teamId: teamId, actor: actor)
            guard team.version == change.expectedVersion else { throw DomainError.staleVersion }
            if team.name == change.name && team.description == change.description { return }
            try Self.checkTeamNameFree(db, orgId: access.org.id!, name: change.name, except: teamId)
            try db.execute(
                sql: "UPDATE team SET name = ?, description = ?, version = version + 1 WHERE id = ?",
                arguments: [change.name, change.description, teamId])
            try AuditEvent(
                org: access.org.id, actor: actor, action: .teamUpdate, target: "team:\(teamId)",
                summary: team.name == change.name ? "description changed" : "name: “\(team.name)” → “\(change.name)”",
                at: now()
            ).insert(db)
        }
    }

    public func deleteTeam(orgKey: String, teamId: Int64, expectedVersion: Int, confirmation: String, by actor: Actor) throws {
        try writer.write { db in
            let (access, team) = try Self.team(db, orgKey: orgKey, teamId: teamId, actor: actor)
            guard team.version == expectedVersion else { throw DomainError.staleVersion }
            guard confirmation == team.name else {
                var errors = FieldErrors()
                errors.add("confirm", "Type the team’s name, “\(team.name)”, to delete it.")
                throw DomainError.invalid(errors)
            }
            try team.delete(db)
            try AuditEvent(
                org: access.org.id, actor: actor, action: .teamDelete, target: "team:\(teamId)",
                summary: "deleted team “\(team.name)”", at: now()
            ).insert(db)
        }
    }

    public func addTeamMember(orgKey: String, teamId: Int64, userId: Int64, by actor: Actor) throws {
        try writer.write { db in
            let (access, team) = try Self.team(db, orgKey: orgKey, teamId: teamId, actor: actor)
            _ = try Self.membership(db, orgId: access.org.id!, userId: userId)
            if try TeamMember.exists(db, key: ["teamId": teamId, "userId": userId]) {
                var errors = FieldErrors()
                errors.add("user", "That person is already in the team.")
                throw DomainError.invalid(errors)
            }
            try TeamMember(teamId: teamId, userId: userId, createdAt: now()).insert(db)
            try db.execute(sql: "UPDATE team SET version = version + 1 WHERE id = ?", arguments: [teamId])
            try AuditEvent(
                org: access.org.id, actor: actor, action: .teamMemberAdd, target: "team:\(teamId)",
                summary: "added user \(userId) to “\(team.name)”", at: now()
            ).insert(db)
        }
    }

    public func removeTeamMember(orgKey: String, teamId: Int64, userId: Int64, by actor: Actor) throws {
        try writer.write { db in
            let (access, team) = try Self.team(db, orgKey: orgKey, teamId: teamId, actor: actor)
            guard try TeamMember.deleteOne(db, key: ["teamId": teamId, "userId": userId]) else { throw DomainError.notFound }
            try db.execute(sql: "UPDATE team SET version = version + 1 WHERE id = ?", arguments: [teamId])
            try AuditEvent(
                org: access.org.id, actor: actor, action: .teamMemberRemove, target: "team:\(teamId)",
                summary: "removed user \(userId) from “\(team.name)”", at: now()
            ).insert(db)
        }
    }

    static func teamAccess(_ db: Database, orgKey: String, actor: Actor) throws -> OrgAccess {
        let access = try access(db, orgKey: orgKey, userId: actor.user.id!)
        try access.require(.manageTeams)
        return access
    }

    static func team(_ db: Database, orgKey: String, teamId: Int64, actor: Actor) throws -> (OrgAccess, Team) {
        let access = try teamAccess(db, orgKey: orgKey, actor: actor)
        guard let team = try Team.fetchOne(db, key: teamId), team.orgId == access.org.id else { throw DomainError.notFound }
        return (access, team)
    }

    static func checkTeamNameFree(_ db: Database, orgId: Int64, name: String, except: Int64?) throws {
        let taken = try Int64.fetchOne(
            db, sql: "SELECT id FROM team WHERE orgId = ? AND name = ? COLLATE NOCASE",
            arguments: [orgId, name])
        if let taken, taken != except {
            var errors = FieldErrors()
            errors.add("name", "A team named “\(name)” already exists.")
            throw DomainError.invalid(errors)
        }
    }
}

extension Team {
    public init(row: Row) throws {
        self.init(
            id: row["id"], orgId: row["orgId"], name: row["name"], description: row["description"],
            version: row["version"], createdAt: row["createdAt"])
    }
}
