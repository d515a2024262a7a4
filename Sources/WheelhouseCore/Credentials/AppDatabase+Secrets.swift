import Foundation
import GRDB

/// A secret as anyone may see it: never its value, only a masked hint.
public struct SecretSummary: Sendable, Equatable {
    public var id: String
    public var name: String
    public var hint: String
    public var version: Int
    public var createdAt: Date
    public var rotatedAt: Date?

    init(row: Row) {
        self.init(
            id: row["id"], name: row["name"], hint: row["hint"], version: row["version"],
            createdAt: row["createdAt"], rotatedAt: row["rotatedAt"])
    }

    init(id: String, name: String, hint: String, version: Int, createdAt: Date, rotatedAt: Date?) {
        self.id = id
        self.name = name
        self.hint = hint
        self.version = version
        self.createdAt = createdAt
        self.rotatedAt = rotatedAt
    }

    static let columns = "id, name, hint, version, createdAt, rotatedAt"
}

/// How many secrets one member holds: all an Owner may know about other people's secrets.
public struct MemberSecretCount: Sendable, Equatable {
    public var userId: Int64
    public var name: String
    public var email: String
    public var role: Role
    public var secrets: Int
}

/// Secrets belong to one person in one organization. Every method takes the person from the
/// actor or the viewer: nobody, Owner included, reads, lists, rotates or deletes another
/// person's secret (they get `.notFound`, as for a secret that does not exist).
extension AppDatabase {
    public func secrets(orgId: Int64, ownerId: Int64) throws -> [SecretSummary] {
        try reader.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(SecretSummary.columns) FROM secret WHERE orgId = ? AND ownerId = ? ORDER BY name",
                arguments: [orgId, ownerId]
            ).map(SecretSummary.init(row:))
        }
    }

    /// The Secrets tab's list, by name, `pageSize` at a time.
    public func secretsPage(orgId: Int64, ownerId: Int64, page: Int, pageSize: Int = 50) throws -> Paged<SecretSummary> {
        try reader.read { db in
            let total =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM secret WHERE orgId = ? AND ownerId = ?"),
                    arguments: [orgId, ownerId]) ?? 0
            let entries = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT \(SecretSummary.columns) FROM secret WHERE orgId = ? AND ownerId = ? ORDER BY name LIMIT ? OFFSET ?
                        """), arguments: [orgId, ownerId, pageSize, Paged<SecretSummary>.offset(page: page, pageSize: pageSize)]
            )
            .map(SecretSummary.init(row:))
            return Paged(entries: entries, total: total, page: page, pageSize: pageSize)
        }
    }

    public func secret(id: String, orgId: Int64, ownerId: Int64) throws -> SecretSummary {
        try reader.read { db in try Self.ownSecret(db, id: id, orgId: orgId, ownerId: ownerId) }
    }

    static func ownSecret(_ db: Database, id: String, orgId: Int64, ownerId: Int64) throws -> SecretSummary {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT \(SecretSummary.columns) FROM secret WHERE id = ? AND orgId = ? AND ownerId = ?
                    """, arguments: [id, orgId, ownerId])
        else { throw DomainError.notFound }
        return SecretSummary(row: row)
    }

    /// Every member with the number of secrets they hold, for Owners (`viewMemberSecretCounts`),
    /// by name, `pageSize` members at a time.
    public func secretCountsByMember(_ access: OrgAccess, page: Int = 1, pageSize: Int = 50) throws -> Paged<MemberSecretCount> {
        try access.require(.viewMemberSecretCounts)
        return try reader.read { db in
            let total =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM membership WHERE orgId = ?"),
                    arguments: [access.org.id]) ?? 0
            let entries = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT u.id, u.name, u.email, m.role,
                               (SELECT count(*) FROM secret s WHERE s.orgId = m.orgId AND s.ownerId = m.userId)
                        FROM membership m JOIN user u ON u.id = m.userId WHERE m.orgId = ?
                        ORDER BY u.name COLLATE NOCASE, u.id LIMIT ? OFFSET ?
                        """), arguments: [access.org.id, pageSize, Paged<MemberSecretCount>.offset(page: page, pageSize: pageSize)]
            ).map { row in
                MemberSecretCount(userId: row[0], name: row[1], email: row[2], role: row[3], secrets: row[4])
            }
            return Paged(entries: entries, total: total, page: page, pageSize: pageSize)
        }
    }

    /// Adds a secret for the actor. `value` is encrypted before the row is written; the audit entry
    /// names neither the secret nor its value.
    @discardableResult
    public func addSecret(orgKey: String, by actor: Actor, name: String, value: String) throws -> SecretSummary {
        var errors = FieldErrors()
        SecretRules.checkName(name, field: "name", into: &errors)
        SecretRules.checkValue(value, field: "value", into: &errors)
        return try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.useOwnCredentials)
            let orgId = access.org.id!, ownerId = actor.user.id!
            if errors.byField["name"] == nil,
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM secret WHERE orgId = ? AND ownerId = ? AND name = ?",
                    arguments: [orgId, ownerId, name])! > 0
            {
                errors.add("name", "You already have a secret named \(name) in this organization. Rotate it to change its value.")
            }
            try errors.throwIfAny()
            try vault.requireCurrent(db)
            let now = self.now()
            let secret = SecretSummary(
                id: SecretRules.newID(prefix: "sec_"), name: name, hint: SecretRules.hint(for: value),
                version: 1, createdAt: now, rotatedAt: nil)
            let sealed = vault.seal(value, .secret(orgId: orgId, ownerId: ownerId, id: secret.id))
            try db.execute(
                sql: """
                    INSERT INTO secret (id, orgId, ownerId, name, sealed, keyVersion, hint, version, createdAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)
                    """, arguments: [secret.id, orgId, ownerId, name, Data(sealed), vault.version, secret.hint, now])
            try AuditEvent(
                org: orgId, actor: actor, action: .secretCreate, target: "secret:\(secret.id)",
                summary: "added one of their own secrets", at: now
            ).insert(db)
            return secret
        }
    }

    /// Replaces the value of the actor's secret; the id stays, so runs that name it keep working.
    @discardableResult
    public func rotateSecret(
        orgKey: String, id: String, by actor: Actor, value: String,
        expectedVersion: Int
    ) throws -> SecretSummary {
        var errors = FieldErrors()
        SecretRules.checkValue(value, field: "value", label: "New value", into: &errors)
        return try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.useOwnCredentials)
            let orgId = access.org.id!, ownerId = actor.user.id!
            var secret = try Self.ownSecret(db, id: id, orgId: orgId, ownerId: ownerId)
            try errors.throwIfAny()
            guard secret.version == expectedVersion else { throw DomainError.staleVersion }
            try vault.requireCurrent(db)
            let now = self.now()
            let sealed = vault.seal(value, .secret(orgId: orgId, ownerId: ownerId, id: id))
            secret.hint = SecretRules.hint(for: value)
            secret.rotatedAt = now
            secret.version += 1
            try db.execute(
                sql: """
                    UPDATE secret SET sealed = ?, keyVersion = ?, hint = ?, version = ?, rotatedAt = ?
                    WHERE id = ? AND ownerId = ? AND version = ?
                    """, arguments: [Data(sealed), vault.version, secret.hint, secret.version, now, id, ownerId, expectedVersion])
            guard db.changesCount == 1 else { throw DomainError.staleVersion }
            try AuditEvent(
                org: orgId, actor: actor, action: .secretRotate, target: "secret:\(id)",
                summary: "rotated one of their own secrets", at: now
            ).insert(db)
            return secret
        }
    }

    @discardableResult
    public func deleteSecret(orgKey: String, id: String, by actor: Actor, expectedVersion: Int) throws -> SecretSummary {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.useOwnCredentials)
            let secret = try Self.ownSecret(db, id: id, orgId: access.org.id!, ownerId: actor.user.id!)
            guard secret.version == expectedVersion else { throw DomainError.staleVersion }
            try db.execute(
                sql: "DELETE FROM secret WHERE id = ? AND ownerId = ? AND version = ?",
                arguments: [id, actor.user.id!, expectedVersion])
            guard db.changesCount == 1 else { throw DomainError.staleVersion }
            try AuditEvent(
                org: access.org.id, actor: actor, action: .secretDelete, target: "secret:\(id)",
                summary: "deleted one of their own secrets", at: self.now()
            ).insert(db)
            return secret
        }
    }

    /// The plaintext of the owner's secret, for whatever hands it to a run. Never rendered.
    public func secretValue(id: String, orgId: Int64, ownerId: Int64) throws -> String {
        try reader.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT sealed, keyVersion FROM secret WHERE id = ? AND orgId = ? AND ownerId = ?
                        """, arguments: [id, orgId, ownerId])
            else { throw DomainError.notFound }
            return try vault.open(
                Array(row["sealed"] as Data), .secret(orgId: orgId, ownerId: ownerId, id: id),
                keyVersion: row["keyVersion"])
        }
    }
}
