import Foundation
import GRDB

/// What `rotate-master-key` did.
public struct MasterKeyRotation: Sendable, Equatable {
    public var secrets: Int
    public var providers: Int
    public var fromVersion: Int
    public var toVersion: Int
}

extension AppDatabase {
    /// The master key's version: bound into every ciphertext, raised by each rotation.
    public var masterKeyVersion: Int { vault.version }

    /// Re-encrypts every secret and provider key under `newKey` in one transaction, and makes it
    /// the database's key (check value and version). Either everything is re-encrypted or nothing
    /// changes. This value keeps the old key: use `reopened(with:)` afterwards.
    public func rotateMasterKey(to newKey: MasterKey) throws -> MasterKeyRotation {
        try writer.write { db in
            try vault.requireCurrent(db)
            let next = Vault(key: newKey, version: vault.version + 1)
            let now = self.now()
            var secrets = 0, providers = 0
            let secretRows = try Row.fetchAll(db, sql: "SELECT id, orgId, ownerId, sealed, keyVersion FROM secret")
            let updateSecret = try db.makeStatement(sql: "UPDATE secret SET sealed = ?, keyVersion = ? WHERE id = ?")
            for row in secretRows {
                let identity = SealedIdentity.secret(orgId: row["orgId"], ownerId: row["ownerId"], id: row["id"])
                let plain = try vault.open(Array(row["sealed"] as Data), identity, keyVersion: row["keyVersion"])
                try updateSecret.execute(arguments: [Data(next.seal(plain, identity)), next.version, row["id"] as String])
                secrets += 1
            }
            let providerRows = try Row.fetchAll(db, sql: "SELECT id, orgId, kind, baseURL, sealed, keyVersion, keyBinding FROM provider")
            let updateProvider = try db.makeStatement(sql: "UPDATE provider SET sealed = ?, keyVersion = ?, keyBinding = 2 WHERE id = ?")
            for row in providerRows {
                let plain = try vault.open(Array(row["sealed"] as Data), .provider(row), keyVersion: row["keyVersion"])
                let identity = SealedIdentity.provider(orgId: row["orgId"], id: row["id"], kind: row["kind"], baseURL: row["baseURL"])
                try updateProvider.execute(arguments: [Data(next.seal(plain, identity)), next.version, row["id"] as String])
                providers += 1
            }
            // Two-factor secrets move to the new key too; recovery codes waiting to be shown are
            // dropped (the person sees their codes once, or makes new ones).
            let updateTwoFactor = try db.makeStatement(
                sql: "UPDATE twoFactor SET sealed = ?, keyVersion = ?, revealSession = NULL, revealSealed = NULL WHERE userId = ?")
            for row in try Row.fetchAll(db, sql: "SELECT userId, sealed, keyVersion FROM twoFactor") {
                let identity = SealedIdentity.twoFactor(userId: row["userId"])
                let plain = try vault.open(Array(row["sealed"] as Data), identity, keyVersion: row["keyVersion"])
                try updateTwoFactor.execute(arguments: [Data(next.seal(plain, identity)), next.version, row["userId"] as Int64])
            }
            try Self.resealIntegrations(db, from: vault, to: next)
            try resealSSO(db, to: next)
            try db.execute(
                sql: "UPDATE masterKeyCheck SET version = ?, checkValue = ?, rotatedAt = ? WHERE id = 1",
                arguments: [next.version, Data(newKey.checkValue), now])
            try AuditEvent(
                org: nil, actor: nil, action: .masterKeyRotate, target: "masterKey",
                summary: "re-encrypted \(secrets) secret(s) and \(providers) provider key(s): key version "
                    + "\(vault.version) → \(next.version)", at: now
            ).insert(db)
            return MasterKeyRotation(secrets: secrets, providers: providers, fromVersion: vault.version, toVersion: next.version)
        }
    }

    /// Rotation with the key files of a data directory: the new key is on disk (`master.key.new`)
    /// before the transaction, and becomes `master.key` only after it committed; the old key stays
    /// as `master.key.old`. A crash in between is finished at the next start (`MasterKeyFile`).
    public func rotateMasterKey(file: MasterKeyFile) throws -> MasterKeyRotation {
        let newKey = MasterKey.generate()
        try file.store(newKey, at: file.newPath)
        let rotation: MasterKeyRotation
        do {
            rotation = try rotateMasterKey(to: newKey)
        } catch {
            unlink(file.newPath)
            throw error
        }
        try file.promoteNew()
        return rotation
    }

    /// The same database with another key (after a rotation in tests, or to prove a wrong key is refused).
    public func reopened(with key: MasterKey) throws -> AppDatabase {
        try AppDatabase(writer, hasher: hasher, now: now, masterKey: .key(key), links: links)
    }
}
