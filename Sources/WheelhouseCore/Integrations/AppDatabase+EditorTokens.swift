import Foundation
import GRDB

/// Editor-extension tokens (a VS Code extension reading the organization): API keys of kind
/// `editor`, so they have the keys' format, hashing, authentication and "last used". Each belongs
/// to the person who made it — any role makes and revokes their own —, carries a fixed read-only
/// scope set that every role may hold, expires after `lifetimeDays` (sooner if the organization's
/// key policy says so) and stops working when its maker leaves. Owners and Admins see everyone's
/// and may revoke them (`manageIntegrations`).
public enum EditorTokenRules {
    public static let scopes: Set<APIScope> = [.membersRead, .workspacesRead]
    public static let lifetimeDays = 90
    public static let maxNameLength = 60
    /// Live tokens per person per organization.
    public static let maxPerPerson = 10
}

extension AppDatabase {
    /// The signed-in person's tokens in the organization, or everyone's with `everyone` (Owners
    /// and Admins only), newest first.
    public func editorTokens(_ access: OrgAccess, userId: Int64, everyone: Bool = false) throws -> [APIKeySummary] {
        if everyone { try access.require(.manageIntegrations) }
        let now = self.now()
        return try reader.read { db in
            let policy = try APIKeySchema.policy(db, orgId: access.org.id!).policy
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT \(APIKeySummary.columns) FROM \(APIKeySummary.from)
                    WHERE k.orgId = ? AND k.kind = 'editor' AND (? OR k.createdBy = ?) ORDER BY k.id DESC
                    """, arguments: [access.org.id, everyone, userId]
            ).map { APIKeySummary(row: $0, policy: policy, now: now) }
        }
    }

    /// One token the person may see: their own, or anyone's for Owners and Admins; else `.notFound`.
    public func editorToken(id: Int64, _ access: OrgAccess, userId: Int64) throws -> APIKeySummary {
        try reader.read { db in try Self.editorToken(db, id: id, access: access, userId: userId, now: now()) }
    }

    static func editorToken(_ db: Database, id: Int64, access: OrgAccess, userId: Int64, now: Date) throws -> APIKeySummary {
        let token = try apiKey(db, id: id, orgId: access.org.id!, now: now, kind: "editor")
        guard token.createdById == userId || access.allows(.manageIntegrations) else { throw DomainError.notFound }
        return token
    }

    public func createEditorToken(orgKey: String, name: String, by actor: Actor, revealTo session: SessionRecord? = nil) throws
        -> IssuedAPIKey
    {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            let orgId = access.org.id!, now = self.now()
            var errors = FieldErrors()
            TextRules.checkSingleLine(
                name, field: "name", label: "Name", required: true, maxLength: EditorTokenRules.maxNameLength, into: &errors)
            let live = try Row.fetchAll(
                db,
                sql:
                    "SELECT name FROM apiKey WHERE orgId = ? AND kind = 'editor' AND createdBy = ? AND revokedAt IS NULL AND expiresAt > ?",
                arguments: [orgId, actor.user.id, now]
            ).map { $0[0] as String }
            if errors.byField["name"] == nil,
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM apiKey WHERE orgId = ? AND kind = 'editor' AND createdBy = ? AND name = ? COLLATE NOCASE
                                       AND revokedAt IS NULL)
                        """, arguments: [orgId, actor.user.id, name])!
            {
                errors.add("name", "You already have a token named \(name). Choose another name, or revoke that one.")
            }
            if live.count >= EditorTokenRules.maxPerPerson {
                errors.addForm("You have \(EditorTokenRules.maxPerPerson) live editor tokens here. Revoke one to make another.")
            }
            try errors.throwIfAny()
            let policyDays = try APIKeySchema.policy(db, orgId: orgId).policy.maxDays ?? EditorTokenRules.lifetimeDays
            let expiresAt = now.addingTimeInterval(TimeInterval(min(policyDays, EditorTokenRules.lifetimeDays)) * 86_400)
            let secret = APIKeyFormat.generate()
            try db.execute(
                sql: """
                    INSERT INTO apiKey (orgId, kind, name, scopes, createdBy, createdAt, expiresAt, secretHash, displayPrefix, noticesSent)
                    VALUES (?, 'editor', ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    orgId, name, APIKeyRules.stored(EditorTokenRules.scopes), actor.user.id, now, expiresAt, Data(Crypto.sha256(secret)),
                    APIKeyFormat.displayPrefix(secret), APIKeyRules.noticesPast(lifetime: expiresAt.timeIntervalSince(now)),
                ])
            let id = db.lastInsertedRowID
            if let session { try holdForReveal(db, secret: secret, keyId: id, session: session, now: now) }
            try AuditEvent(
                org: orgId, actor: actor, action: .editorTokenCreate, target: "apiKey:\(id)",
                summary: "created editor token \(name) (expires \(UTCDay.string(expiresAt)))", at: now
            ).insert(db)
            return IssuedAPIKey(key: try Self.apiKey(db, id: id, orgId: orgId, now: now, kind: "editor"), secret: secret)
        }
    }

    public func revokeEditorToken(orgKey: String, id: Int64, expectedVersion: Int, by actor: Actor) throws {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            let now = self.now()
            let token = try Self.editorToken(db, id: id, access: access, userId: actor.user.id!, now: now)
            guard token.version == expectedVersion else { throw DomainError.staleVersion }
            guard token.revokedAt == nil else {
                var errors = FieldErrors()
                errors.addForm("This token is already revoked.")
                throw DomainError.invalid(errors)
            }
            try db.execute(sql: "UPDATE apiKey SET revokedAt = ?, version = version + 1 WHERE id = ?", arguments: [now, id])
            try db.execute(sql: "DELETE FROM apiKeyReveal WHERE keyId = ?", arguments: [id])
            let whose = token.createdById == actor.user.id ? "" : " of \(token.createdByName ?? "a former member")"
            try AuditEvent(
                org: access.org.id, actor: actor, action: .editorTokenRevoke, target: "apiKey:\(id)",
                summary: "revoked editor token \(token.name)\(whose)", at: now
            ).insert(db)
        }
    }
}
