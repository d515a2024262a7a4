import Foundation
import GRDB

extension AppDatabase {
    /// The organization's providers: the built-in ones in a fixed order, then custom ones by name.
    public func providers(_ access: OrgAccess) throws -> [ProviderSummary] {
        try access.require(.manageOrgCredentials)
        return try reader.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(ProviderSummary.columns) FROM provider WHERE orgId = ? ORDER BY name COLLATE NOCASE",
                arguments: [access.org.id]
            ).map(ProviderSummary.init(row:))
        }
    }

    public func provider(_ access: OrgAccess, id: String) throws -> ProviderSummary {
        try access.require(.manageOrgCredentials)
        return try reader.read { db in try Self.provider(db, orgId: access.org.id!, id: id) }
    }

    static func provider(_ db: Database, orgId: Int64, id: String) throws -> ProviderSummary {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT \(ProviderSummary.columns) FROM provider WHERE id = ? AND orgId = ?",
                arguments: [id, orgId])
        else { throw DomainError.notFound }
        return ProviderSummary(row: row)
    }

    /// Providers whose last connection test failed, by name: the banner's source. Org pages get
    /// them with the `OrgView`; this is for the rest.
    public func failedProviders(orgId: Int64) throws -> [FailedProvider] {
        try reader.read { db in try Self.failedProviders(db, orgId: orgId) }
    }

    static func failedProviders(_ db: Database, orgId: Int64) throws -> [FailedProvider] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT name, lastError FROM provider WHERE orgId = ? AND status = 'failed' ORDER BY name COLLATE NOCASE
                    """), arguments: [orgId]
        ).map { FailedProvider(name: $0[0], error: $0[1]) }
    }

    @discardableResult
    public func addProvider(orgKey: String, by actor: Actor, _ change: ProviderChange) throws -> ProviderSummary {
        var errors = FieldErrors()
        change.validate(isNew: true, into: &errors)
        return try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageOrgCredentials)
            let orgId = access.org.id!
            let name = change.kind == .custom ? change.name : change.kind.displayName
            if change.kind != .custom,
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM provider WHERE orgId = ? AND kind = ?",
                    arguments: [orgId, change.kind.rawValue])! > 0
            {
                errors.addForm("\(change.kind.displayName) is already configured. Edit it to replace its key.")
            } else if errors.byField["name"] == nil, try Self.nameTaken(db, orgId: orgId, name: name, except: nil) {
                errors.add("name", "A provider named “\(name)” already exists in this organization.")
            }
            try errors.throwIfAny()
            try vault.requireCurrent(db)
            let now = self.now()
            let id = SecretRules.newID(prefix: "prv_")
            let provider = ProviderSummary(
                id: id, kind: change.kind, name: name, baseURL: change.baseURL,
                hint: SecretRules.hint(for: change.apiKey), status: .configured,
                lastCheckedAt: nil, lastError: nil, version: 1, createdAt: now, updatedAt: now)
            try db.execute(
                sql: """
                    INSERT INTO provider (id, orgId, kind, name, baseURL, sealed, keyVersion, keyBinding, hint, status, version, createdAt, updatedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 2, ?, 'configured', 1, ?, ?)
                    """,
                arguments: [
                    id, orgId, change.kind.rawValue, name, change.baseURL,
                    Data(
                        vault.seal(
                            change.apiKey,
                            .provider(
                                orgId: orgId, id: id, kind: change.kind.rawValue,
                                baseURL: change.baseURL))), vault.version,
                    provider.hint, now, now,
                ])
            try AuditEvent(
                org: orgId, actor: actor, action: .providerCreate, target: "provider:\(id)",
                summary: "configured \(name) at \(change.baseURL)", at: now
            ).insert(db)
            return provider
        }
    }

    /// Changes the name (custom only), the base URL and, when one is given, the key. A new key or
    /// URL makes the status Configured again: the last test no longer says anything about it.
    /// A new base URL needs the key again: the stored key is sealed to the URL it was entered for
    /// and is never sent anywhere else.
    @discardableResult
    public func updateProvider(orgKey: String, id: String, by actor: Actor, _ change: ProviderChange) throws -> ProviderSummary {
        var errors = FieldErrors()
        change.validate(isNew: false, into: &errors)
        return try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageOrgCredentials)
            let orgId = access.org.id!
            var provider = try Self.provider(db, orgId: orgId, id: id)
            let name = provider.kind == .custom ? change.name : provider.kind.displayName
            if errors.byField["name"] == nil, try Self.nameTaken(db, orgId: orgId, name: name, except: id) {
                errors.add("name", "A provider named “\(name)” already exists in this organization.")
            }
            if change.apiKey.isEmpty, change.baseURL != provider.baseURL, errors.byField["base_url"] == nil {
                errors.add("api_key", ProviderRules.keyAgainForNewURL)
            }
            try errors.throwIfAny()
            guard provider.version == change.expectedVersion else { throw DomainError.staleVersion }
            let before = provider
            let now = self.now()
            provider.name = name
            provider.baseURL = change.baseURL
            var sealed: Data?
            if !change.apiKey.isEmpty {
                try vault.requireCurrent(db)
                sealed = Data(
                    vault.seal(
                        change.apiKey,
                        .provider(
                            orgId: orgId, id: id, kind: provider.kind.rawValue,
                            baseURL: change.baseURL)))
                provider.hint = SecretRules.hint(for: change.apiKey)
            }
            guard provider != before || sealed != nil else { return provider }
            if sealed != nil || provider.baseURL != before.baseURL {
                (provider.status, provider.lastCheckedAt, provider.lastError) = (.configured, nil, nil)
            }
            provider.version += 1
            provider.updatedAt = now
            try db.execute(
                sql: """
                    UPDATE provider SET name = ?, baseURL = ?, hint = ?, status = ?, lastCheckedAt = ?, lastError = ?,
                           sealed = coalesce(?, sealed), keyVersion = CASE WHEN ? IS NULL THEN keyVersion ELSE ? END,
                           keyBinding = CASE WHEN ? IS NULL THEN keyBinding ELSE 2 END,
                           version = ?, updatedAt = ? WHERE id = ? AND orgId = ? AND version = ?
                    """,
                arguments: [
                    provider.name, provider.baseURL, provider.hint, provider.status.rawValue,
                    provider.lastCheckedAt, provider.lastError, sealed, sealed, vault.version, sealed,
                    provider.version, now, id, orgId, before.version,
                ])
            guard db.changesCount == 1 else { throw DomainError.staleVersion }
            var parts: [String] = []
            if before.name != provider.name { parts.append("name “\(before.name)” → “\(provider.name)”") }
            if before.baseURL != provider.baseURL { parts.append("base URL \(before.baseURL) → \(provider.baseURL)") }
            if sealed != nil { parts.append("key replaced") }
            try AuditEvent(
                org: orgId, actor: actor, action: .providerUpdate, target: "provider:\(id)",
                summary: "\(provider.name): " + parts.joined(separator: "; "), at: now
            ).insert(db)
            return provider
        }
    }

    @discardableResult
    public func deleteProvider(orgKey: String, id: String, by actor: Actor, expectedVersion: Int) throws -> ProviderSummary {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageOrgCredentials)
            let provider = try Self.provider(db, orgId: access.org.id!, id: id)
            guard provider.version == expectedVersion else { throw DomainError.staleVersion }
            try db.execute(sql: "DELETE FROM provider WHERE id = ? AND version = ?", arguments: [id, expectedVersion])
            try AuditEvent(
                org: access.org.id, actor: actor, action: .providerDelete, target: "provider:\(id)",
                summary: "removed \(provider.name)", at: self.now()
            ).insert(db)
            return provider
        }
    }

    static func nameTaken(_ db: Database, orgId: Int64, name: String, except id: String?) throws -> Bool {
        try Int.fetchOne(
            db, sql: "SELECT count(*) FROM provider WHERE orgId = ? AND name = ? COLLATE NOCASE AND id IS NOT ?",
            arguments: [orgId, name, id])! > 0
    }
}
