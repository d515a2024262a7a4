import Foundation
import GRDB

/// Changes to existing keys and to the organization's lifetime policy. Each checks the version
/// its form was loaded with, so a double-submitted form changes nothing the second time (409),
/// and writes its audit entry in the same transaction.
extension AppDatabase {
    /// Issues a successor secret for the key: same id, name, scopes and expiry. The old secret
    /// keeps working until `grace` (a form value of `APIKeyGrace`) has passed, then is refused as
    /// revoked. The same form sent twice finds the version moved on and gets `staleVersion`: one
    /// successor, and the second answer never shows a secret as if it were new.
    public func rotateAPIKey(
        orgKey: String, id: Int64, grace: String, expectedVersion: Int, by actor: Actor, revealTo session: SessionRecord? = nil
    ) throws -> IssuedAPIKey {
        try writer.write { db in
            let (access, key, now) = try changing(db, orgKey: orgKey, id: id, expectedVersion: expectedVersion, actor: actor)
            var errors = FieldErrors()
            let grace = APIKeyGrace(formValue: grace)
            if grace == nil { errors.add("grace", "Choose when the old secret stops working.") }
            switch key.status {
            case .revoked: errors.addForm("This key is revoked: it cannot be rotated. Make a new key instead.")
            case .expired: errors.addForm("This key has expired: it cannot be rotated. Make a new key instead.")
            default: break
            }
            try errors.throwIfAny()
            let secret = APIKeyFormat.generate()
            let until = now.addingTimeInterval(TimeInterval(grace!.rawValue))
            try db.execute(
                sql: """
                    UPDATE apiKey SET previousHash = secretHash, previousUntil = ?, secretHash = ?, displayPrefix = ?,
                        rotatedAt = ?, version = version + 1
                    WHERE id = ? AND version = ?
                    """,
                arguments: [
                    until, Data(Crypto.sha256(secret)), APIKeyFormat.displayPrefix(secret), now, id, expectedVersion,
                ])
            guard db.changesCount == 1 else { throw DomainError.staleVersion }
            if let session { try holdForReveal(db, secret: secret, keyId: id, session: session, now: now) }
            try AuditEvent(
                org: access.org.id, actor: actor, action: .apiKeyRotate, target: "apiKey:\(id)",
                summary: "rotated API key \(key.name); the old secret works \(grace!.title.lowercased())", at: now
            ).insert(db)
            return IssuedAPIKey(key: try Self.apiKey(db, id: id, orgId: access.org.id!, now: now), secret: secret)
        }
    }

    /// Ends the grace of the key's previous secret now.
    @discardableResult
    public func revokePreviousAPIKeySecret(orgKey: String, id: Int64, expectedVersion: Int, by actor: Actor) throws -> APIKeySummary {
        try writer.write { db in
            let (access, key, now) = try changing(db, orgKey: orgKey, id: id, expectedVersion: expectedVersion, actor: actor)
            guard key.previousUntil != nil else {
                var errors = FieldErrors()
                errors.addForm("This key has no old secret that still works: nothing to revoke.")
                throw DomainError.invalid(errors)
            }
            try db.execute(
                sql: "UPDATE apiKey SET previousUntil = ?, version = version + 1 WHERE id = ? AND version = ?",
                arguments: [now, id, expectedVersion])
            guard db.changesCount == 1 else { throw DomainError.staleVersion }
            try AuditEvent(
                org: access.org.id, actor: actor, action: .apiKeyRevokePrevious, target: "apiKey:\(id)",
                summary: "revoked the previous secret of API key \(key.name) before its grace ended", at: now
            ).insert(db)
            return try Self.apiKey(db, id: id, orgId: access.org.id!, now: now)
        }
    }

    /// Revokes the key (and any old secret in its grace) at once; it stays in the list as revoked.
    @discardableResult
    public func revokeAPIKey(orgKey: String, id: Int64, expectedVersion: Int, by actor: Actor) throws -> APIKeySummary {
        try writer.write { db in
            let (access, key, now) = try changing(db, orgKey: orgKey, id: id, expectedVersion: expectedVersion, actor: actor)
            guard key.revokedAt == nil else {
                var errors = FieldErrors()
                errors.addForm("This key is already revoked.")
                throw DomainError.invalid(errors)
            }
            try db.execute(
                sql: """
                    UPDATE apiKey SET revokedAt = ?, previousUntil = min(previousUntil, ?), version = version + 1
                    WHERE id = ? AND version = ?
                    """, arguments: [now, now, id, expectedVersion])
            guard db.changesCount == 1 else { throw DomainError.staleVersion }
            try db.execute(sql: "DELETE FROM apiKeyReveal WHERE keyId = ?", arguments: [id])
            try AuditEvent(
                org: access.org.id, actor: actor, action: .apiKeyRevoke, target: "apiKey:\(id)",
                summary: "revoked API key \(key.name)", at: now
            ).insert(db)
            return try Self.apiKey(db, id: id, orgId: access.org.id!, now: now)
        }
    }

    /// Sets the maximum key lifetime (`none`, `30`, `90`, `365`). Keys that now break it are
    /// blocked (refused with `key_blocked_by_policy`), never deleted: relaxing it again brings
    /// them back. Returns the new setting and how many keys it blocks.
    @discardableResult
    public func setAPIKeyPolicy(
        orgKey: String, value: String, expectedVersion: Int, by actor: Actor
    ) throws -> (setting: APIKeyPolicySetting, blocked: Int) {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageAPIKeys)
            guard let policy = APIKeyLifetimePolicy(formValue: value) else {
                var errors = FieldErrors()
                errors.add("policy", "Choose no maximum, 30, 90 or 365 days.")
                throw DomainError.invalid(errors)
            }
            let orgId = access.org.id!, now = self.now()
            let before = try APIKeySchema.policy(db, orgId: orgId)
            guard before.version == expectedVersion else { throw DomainError.staleVersion }
            let blocked = try Row.fetchAll(
                db, sql: "SELECT createdAt, expiresAt FROM apiKey WHERE orgId = ? AND revokedAt IS NULL", arguments: [orgId]
            ).filter { row in
                let expiresAt: Date? = row[1]
                return (expiresAt.map { $0 > now } ?? true) && !policy.allows(createdAt: row[0], expiresAt: expiresAt)
            }.count
            guard policy != before.policy else { return (before, blocked) }
            let after = APIKeyPolicySetting(policy: policy, version: before.version + 1)
            try db.execute(
                sql: """
                    INSERT INTO apiKeyPolicy (orgId, maxDays, version, updatedAt) VALUES (?, ?, ?, ?)
                    ON CONFLICT (orgId) DO UPDATE SET maxDays = excluded.maxDays, version = excluded.version, updatedAt = excluded.updatedAt
                    """, arguments: [orgId, policy.rawValue, after.version, now])
            try AuditEvent(
                org: orgId, actor: actor, action: .apiKeyPolicy, target: "org:\(access.org.key)",
                summary: "API key lifetime \(before.policy.title.lowercased()) → \(policy.title.lowercased())"
                    + (blocked > 0 ? "; \(Plural.count(blocked, "key")) blocked" : ""), at: now
            ).insert(db)
            return (after, blocked)
        }
    }

    /// The organization, the key as it is now (404 for another organization's), and the time;
    /// a stale version is refused before anything else is looked at.
    private func changing(
        _ db: Database, orgKey: String, id: Int64, expectedVersion: Int, actor: Actor
    ) throws -> (OrgAccess, APIKeySummary, Date) {
        let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
        try access.require(.manageAPIKeys)
        let now = self.now()
        let key = try Self.apiKey(db, id: id, orgId: access.org.id!, now: now)
        guard key.version == expectedVersion else { throw DomainError.staleVersion }
        return (access, key, now)
    }
}
