import Foundation
import GRDB

/// One model of the catalog (seeded by migration; nobody edits it from the console).
public struct ChatModel: Sendable, Equatable {
    public var id: String
    public var provider: ProviderKind
    public var modelId: String
    public var displayName: String
    public var contextWindow: Int
    /// The secret name a person's own key must have, e.g. `OPENAI_API_KEY`.
    public var requiredKey: String
}

/// Where a model's key comes from, for one person.
public enum ChatModelKey: Sendable, Equatable {
    case ownSecret(String)
    case organization(String)
}

/// A catalog model as one person sees it: switched on for their picker or not, and whether the
/// key it needs is there.
public struct ChatModelChoice: Sendable, Equatable {
    public var model: ChatModel
    public var enabled: Bool
    /// Nil: not ready. An org provider whose last test failed does not count.
    public var key: ChatModelKey?
    /// The org has this provider but its last connection test failed.
    public var organizationKeyFailed: Bool

    public var isReady: Bool { key != nil }
}

extension AppDatabase {
    public func chatModelCatalog() throws -> [ChatModel] {
        try reader.read { db in try Self.catalog(db) }
    }

    static func catalog(_ db: Database) throws -> [ChatModel] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, provider, modelId, displayName, contextWindow, requiredKey FROM chatModel ORDER BY position, id
                """
        ).map { row in
            ChatModel(
                id: row[0], provider: ProviderKind(rawValue: row[1]) ?? .custom, modelId: row[2], displayName: row[3],
                contextWindow: row[4], requiredKey: row[5])
        }
    }

    /// The catalog with the person's choices and readiness, in one read.
    public func chatModels(_ access: OrgAccess, userId: Int64) throws -> [ChatModelChoice] {
        try access.require(.useOwnCredentials)
        let orgId = access.org.id!
        return try reader.read { db in
            let enabled = try Set(
                String.fetchAll(
                    db, sql: "SELECT modelId FROM chatModelChoice WHERE orgId = ? AND userId = ?",
                    arguments: [orgId, userId]))
            let ownKeys = try Set(
                String.fetchAll(
                    db, sql: "SELECT name FROM secret WHERE orgId = ? AND ownerId = ?",
                    arguments: [orgId, userId]))
            var orgProviders: [String: (name: String, failed: Bool)] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT kind, name, status FROM provider WHERE orgId = ? AND kind <> 'custom'",
                arguments: [orgId])
            {
                orgProviders[row[0]] = (row[1], (row[2] as String) == ProviderStatus.failed.rawValue)
            }
            return try Self.catalog(db).map { model in
                let org = orgProviders[model.provider.rawValue]
                let key: ChatModelKey? =
                    ownKeys.contains(model.requiredKey)
                    ? .ownSecret(model.requiredKey)
                    : org.flatMap { $0.failed ? nil : .organization($0.name) }
                return ChatModelChoice(
                    model: model, enabled: enabled.contains(model.id), key: key,
                    organizationKeyFailed: org?.failed ?? false)
            }
        }
    }

    /// Switches one model on or off in the actor's own picker. Changes nothing else: not the
    /// catalog, not anyone else's picker. Returns false when it already was that way.
    @discardableResult
    public func setChatModel(orgKey: String, modelId: String, enabled: Bool, by actor: Actor) throws -> Bool {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.useOwnCredentials)
            let orgId = access.org.id!, userId = actor.user.id!
            guard let name = try String.fetchOne(db, sql: "SELECT displayName FROM chatModel WHERE id = ?", arguments: [modelId]) else {
                var errors = FieldErrors()
                errors.addForm("There is no such model in the catalog.")
                throw DomainError.invalid(errors)
            }
            if enabled {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO chatModelChoice (orgId, userId, modelId, createdAt) VALUES (?, ?, ?, ?)",
                    arguments: [orgId, userId, modelId, self.now()])
            } else {
                try db.execute(
                    sql: "DELETE FROM chatModelChoice WHERE orgId = ? AND userId = ? AND modelId = ?",
                    arguments: [orgId, userId, modelId])
            }
            guard db.changesCount == 1 else { return false }
            try AuditEvent(
                org: orgId, actor: actor, action: enabled ? .chatModelEnable : .chatModelDisable,
                target: "chatModel:\(modelId)",
                summary: "switched \(name) \(enabled ? "on" : "off") in their own model picker", at: self.now()
            ).insert(db)
            return true
        }
    }
}
