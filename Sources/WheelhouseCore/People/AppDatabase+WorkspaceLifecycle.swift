import Foundation
import GRDB

/// A shared workspace's name and description as its settings form submits them.
public struct WorkspaceChange: Sendable {
    public var name: String
    public var description: String
    public var expectedVersion: Int
    /// A `WorkLanguages` tag; nil keeps the workspace's language.
    public var language: String?

    public init(name: String, description: String, expectedVersion: Int, language: String? = nil) {
        self.name = name
        self.description = description
        self.expectedVersion = expectedVersion
        self.language = language
    }
}

/// Renaming, archiving and deleting shared workspaces: Owners and Admins (`createWorkspace`, the
/// action of managing shared workspaces). Default workspaces belong to their person and are never
/// renamed, archived or deleted here. Each change checks the version and writes its audit entry
/// in the same transaction.
extension AppDatabase {
    @discardableResult
    public func renameWorkspace(orgKey: String, key: String, _ change: WorkspaceChange, by actor: Actor) throws -> Workspace {
        var errors = FieldErrors()
        TextRules.checkSingleLine(change.name, field: "name", label: "Name", required: true, maxLength: 100, into: &errors)
        TextRules.checkMultiLine(change.description, field: "description", label: "Description", maxLength: 500, into: &errors)
        if let language = change.language, !WorkLanguages.isKnown(language) {
            errors.add("language", "Choose one of the languages listed.")
        }
        try errors.throwIfAny()
        return try writer.write { db in
            let (access, workspace) = try Self.sharedWorkspace(
                db, orgKey: orgKey, key: key, actor: actor, expectedVersion: change.expectedVersion)
            if workspace.archivedAt != nil { throw WorkspaceRule.archived }
            if change.name.caseInsensitiveCompare(workspace.name) != .orderedSame,
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM workspace WHERE orgId = ? AND isShared AND name = ? COLLATE NOCASE AND id <> ?)
                        """, arguments: [access.org.id!, change.name, workspace.id!])!
            {
                var taken = FieldErrors()
                taken.add("name", "A shared workspace named “\(change.name)” already exists.")
                throw DomainError.invalid(taken)
            }
            var updated = workspace
            updated.name = change.name
            updated.description = change.description
            updated.language = change.language ?? workspace.language
            guard updated != workspace else { return workspace }
            updated.version += 1
            try updated.update(db)
            var parts: [String] = []
            if workspace.name != updated.name { parts.append("name “\(workspace.name)” → “\(updated.name)”") }
            if workspace.description != updated.description { parts.append("description changed") }
            if workspace.language != updated.language { parts.append("language \(workspace.language) → \(updated.language)") }
            try AuditEvent(
                org: access.org.id, actor: actor, action: .workspaceUpdate, target: "workspace:\(key)",
                summary: parts.joined(separator: "; "), at: now()
            ).insert(db)
            return updated
        }
    }

    /// Archives (read-only, shown as archived) or restores a shared workspace.
    public func setWorkspaceArchived(orgKey: String, key: String, _ archived: Bool, expectedVersion: Int, by actor: Actor) throws {
        try writer.write { db in
            let (access, workspace) = try Self.sharedWorkspace(db, orgKey: orgKey, key: key, actor: actor, expectedVersion: expectedVersion)
            guard (workspace.archivedAt != nil) != archived else { return }
            let now = self.now()
            try db.execute(
                sql: "UPDATE workspace SET archivedAt = ?, version = version + 1 WHERE id = ?",
                arguments: [archived ? now : nil, workspace.id!])
            try AuditEvent(
                org: access.org.id, actor: actor, action: archived ? .workspaceArchive : .workspaceRestore,
                target: "workspace:\(key)", summary: "\(archived ? "archived" : "restored") “\(workspace.name)”", at: now
            ).insert(db)
        }
    }

    /// Deletes a shared workspace with its access list, workflows and agents, confirmed by typing its name.
    public func deleteWorkspace(orgKey: String, key: String, confirmation: String, expectedVersion: Int, by actor: Actor) throws {
        try writer.write { db in
            let (access, workspace) = try Self.sharedWorkspace(db, orgKey: orgKey, key: key, actor: actor, expectedVersion: expectedVersion)
            guard confirmation == workspace.name else {
                var errors = FieldErrors()
                errors.add("confirm", "Type the workspace’s name, “\(workspace.name)”, exactly to delete it.")
                throw DomainError.invalid(errors)
            }
            let workflows =
                try Int.fetchOne(db, sql: "SELECT count(*) FROM workflow WHERE workspaceId = ?", arguments: [workspace.id!]) ?? 0
            let agents = try Int.fetchOne(db, sql: "SELECT count(*) FROM agent WHERE workspaceId = ?", arguments: [workspace.id!]) ?? 0
            _ = try workspace.delete(db)
            try AuditEvent(
                org: access.org.id, actor: actor, action: .workspaceDelete, target: "workspace:\(key)",
                summary: "deleted “\(workspace.name)” with \(Plural.count(workflows, "workflow")) and \(Plural.count(agents, "agent"))",
                at: now()
            ).insert(db)
        }
    }

    static func sharedWorkspace(
        _ db: Database, orgKey: String, key: String, actor: Actor,
        expectedVersion: Int
    ) throws -> (OrgAccess, Workspace) {
        let access = try access(db, orgKey: orgKey, userId: actor.user.id!)
        let (workspace, _) = try visibleWorkspace(db, access: access, userId: actor.user.id!, key: key)
        try access.require(.createWorkspace)
        if !workspace.isShared { throw WorkspaceRule.privateWorkspace }
        guard workspace.version == expectedVersion else { throw DomainError.staleVersion }
        return (access, workspace)
    }
}
