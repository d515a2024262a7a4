import Foundation
import GRDB

/// Webhook endpoints of an organization (Owner and Admin, `manageIntegrations`): reading, adding,
/// switching on and off, deleting and rotating the signing secret. Each change and its audit
/// entry are one transaction; the secret is sealed with the master key (it must be recovered to
/// sign) and shown once, to the session that made it.
extension AppDatabase {
    public func integrationEndpoints(_ access: OrgAccess, kind: IntegrationKind) throws -> [IntegrationEndpoint] {
        try access.require(.manageIntegrations)
        return try reader.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT \(IntegrationEndpoint.columns) FROM \(IntegrationEndpoint.from) WHERE e.orgId = ? AND e.kind = ? ORDER BY e.id",
                arguments: [access.org.id, kind.rawValue]
            ).map(IntegrationEndpoint.init(row:))
        }
    }

    /// One endpoint of the organization; another organization's id (or none) is `.notFound`.
    public func integrationEndpoint(id: Int64, _ access: OrgAccess) throws -> IntegrationEndpoint {
        try access.require(.manageIntegrations)
        return try reader.read { db in try Self.endpoint(db, id: id, orgId: access.org.id!) }
    }

    static func endpoint(_ db: Database, id: Int64, orgId: Int64) throws -> IntegrationEndpoint {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT \(IntegrationEndpoint.columns) FROM \(IntegrationEndpoint.from) WHERE e.id = ? AND e.orgId = ?",
                arguments: [id, orgId])
        else { throw DomainError.notFound }
        return IntegrationEndpoint(row: row)
    }

    /// The organization's access for a change of its integrations, in the change's transaction.
    func integrationAccess(_ db: Database, orgKey: String, actor: Actor) throws -> OrgAccess {
        let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
        try access.require(.manageIntegrations)
        return access
    }

    public func createWebhookEndpoint(
        orgKey: String, _ form: EndpointForm, by actor: Actor, revealTo session: SessionRecord? = nil
    ) throws -> IssuedWebhookSecret {
        try writer.write { db in
            let access = try integrationAccess(db, orgKey: orgKey, actor: actor)
            let orgId = access.org.id!, now = self.now()
            var errors = FieldErrors()
            IntegrationRules.checkURL(form.url, field: "url", policy: outboundPolicy, slack: false, into: &errors)
            TextRules.checkSingleLine(
                form.description, field: "description", label: "Description", required: false,
                maxLength: IntegrationRules.maxDescriptionLength, into: &errors)
            let events = IntegrationRules.checkEvents(form.events, into: &errors)
            let count = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM integrationEndpoint WHERE orgId = ? AND kind = 'webhook'", arguments: [orgId])!
            if count >= IntegrationRules.maxEndpoints {
                errors.addForm("An organization has at most \(IntegrationRules.maxEndpoints) webhook endpoints. Delete one to add another.")
            }
            try errors.throwIfAny()
            try vault.requireCurrent(db)
            let secret = IntegrationRules.newSecret()
            try db.execute(
                sql: """
                    INSERT INTO integrationEndpoint (orgId, kind, url, description, events, sealed, keyVersion, createdBy, createdAt, updatedAt)
                    VALUES (?, 'webhook', ?, ?, ?, x'00000000000000000000000000000000000000000000000000000000', ?, ?, ?, ?)
                    """,
                arguments: [orgId, form.url, form.description, IntegrationEvent.stored(events), vault.version, actor.user.id, now, now])
            let id = db.lastInsertedRowID
            // Sealed once the id exists: the ciphertext is bound to its row.
            try db.execute(
                sql: "UPDATE integrationEndpoint SET sealed = ? WHERE id = ?",
                arguments: [Data(vault.seal(secret, .integration(orgId: orgId, id: id, kind: "webhook"))), id])
            if let session { try holdWebhookSecret(db, secret: secret, endpointId: id, session: session, now: now) }
            try AuditEvent(
                org: orgId, actor: actor, action: .webhookCreate, target: "webhook:\(id)",
                summary: "added webhook endpoint \(form.url) (\(IntegrationEvent.stored(events)))", at: now
            ).insert(db)
            return IssuedWebhookSecret(endpoint: try Self.endpoint(db, id: id, orgId: orgId), secret: secret)
        }
    }

    /// Switches an endpoint (webhook or Slack) on or off; pending deliveries wait while it is off.
    public func setIntegrationEnabled(orgKey: String, id: Int64, enabled: Bool, expectedVersion: Int, by actor: Actor) throws {
        try writer.write { db in
            let access = try integrationAccess(db, orgKey: orgKey, actor: actor)
            let endpoint = try Self.endpoint(db, id: id, orgId: access.org.id!)
            guard endpoint.version == expectedVersion else { throw DomainError.staleVersion }
            let now = self.now()
            try db.execute(
                sql: "UPDATE integrationEndpoint SET enabled = ?, updatedAt = ?, version = version + 1 WHERE id = ?",
                arguments: [enabled, now, id])
            try AuditEvent(
                org: endpoint.orgId, actor: actor, action: endpoint.kind == .slack ? .slackSave : .webhookUpdate,
                target: "\(endpoint.kind.rawValue):\(id)",
                summary: "\(enabled ? "enabled" : "disabled") \(endpoint.kind == .slack ? "Slack" : "webhook endpoint \(endpoint.url)")",
                at: now
            ).insert(db)
        }
    }

    /// Deletes an endpoint (webhook or Slack) with its delivery log.
    public func deleteIntegration(orgKey: String, id: Int64, expectedVersion: Int, by actor: Actor) throws {
        try writer.write { db in
            let access = try integrationAccess(db, orgKey: orgKey, actor: actor)
            let endpoint = try Self.endpoint(db, id: id, orgId: access.org.id!)
            guard endpoint.version == expectedVersion else { throw DomainError.staleVersion }
            try db.execute(sql: "DELETE FROM integrationEndpoint WHERE id = ?", arguments: [id])
            try AuditEvent(
                org: endpoint.orgId, actor: actor, action: endpoint.kind == .slack ? .slackDelete : .webhookDelete,
                target: "\(endpoint.kind.rawValue):\(id)",
                summary: endpoint.kind == .slack ? "removed Slack (\(endpoint.url))" : "deleted webhook endpoint \(endpoint.url)",
                at: now()
            ).insert(db)
        }
    }

    /// A new signing secret; the old one stops signing at once (receivers must take the new one).
    public func rotateWebhookSecret(
        orgKey: String, id: Int64, expectedVersion: Int, by actor: Actor, revealTo session: SessionRecord? = nil
    ) throws -> IssuedWebhookSecret {
        try writer.write { db in
            let access = try integrationAccess(db, orgKey: orgKey, actor: actor)
            let endpoint = try Self.endpoint(db, id: id, orgId: access.org.id!)
            guard endpoint.kind == .webhook else { throw DomainError.notFound }
            guard endpoint.version == expectedVersion else { throw DomainError.staleVersion }
            try vault.requireCurrent(db)
            let now = self.now(), secret = IntegrationRules.newSecret()
            try db.execute(
                sql: """
                    UPDATE integrationEndpoint SET sealed = ?, keyVersion = ?, secretRotatedAt = ?, updatedAt = ?, version = version + 1
                    WHERE id = ?
                    """,
                arguments: [
                    Data(vault.seal(secret, .integration(orgId: endpoint.orgId, id: id, kind: "webhook"))), vault.version, now, now, id,
                ])
            if let session { try holdWebhookSecret(db, secret: secret, endpointId: id, session: session, now: now) }
            try AuditEvent(
                org: endpoint.orgId, actor: actor, action: .webhookRotateSecret, target: "webhook:\(id)",
                summary: "rotated the signing secret of \(endpoint.url)", at: now
            ).insert(db)
            return IssuedWebhookSecret(endpoint: try Self.endpoint(db, id: id, orgId: endpoint.orgId), secret: secret)
        }
    }

    func holdWebhookSecret(_ db: Database, secret: String, endpointId: Int64, session: SessionRecord, now: Date) throws {
        let sealed = vault.seal(secret, .webhookReveal(endpointId: endpointId, session: session.tokenHash))
        try db.execute(
            sql:
                "INSERT OR REPLACE INTO webhookSecretReveal (sessionHash, endpointId, sealed, keyVersion, createdAt) VALUES (?, ?, ?, ?, ?)",
            arguments: [session.tokenHash, endpointId, Data(sealed), vault.version, now])
    }

    /// The new secret held for `session`, removed as it is read: shown once, within `revealWindow`.
    public func takeWebhookSecret(endpointId: Int64, session: SessionRecord) throws -> String? {
        try writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT sealed, keyVersion, createdAt FROM webhookSecretReveal WHERE sessionHash = ? AND endpointId = ?",
                    arguments: [session.tokenHash, endpointId])
            else { return nil }
            try db.execute(sql: "DELETE FROM webhookSecretReveal WHERE sessionHash = ?", arguments: [session.tokenHash])
            guard now().timeIntervalSince(row["createdAt"] as Date) <= IntegrationRules.revealWindow else { return nil }
            return try? vault.open(
                Array(row["sealed"] as Data), .webhookReveal(endpointId: endpointId, session: session.tokenHash),
                keyVersion: row["keyVersion"])
        }
    }

    /// The sealed secret (webhook) or URL (Slack) of an endpoint, opened for the worker.
    func openIntegrationSecret(_ db: Database, endpointId: Int64) throws -> String? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT orgId, kind, sealed, keyVersion FROM integrationEndpoint WHERE id = ?", arguments: [endpointId])
        else { return nil }
        return try vault.open(
            Array(row["sealed"] as Data), .integration(orgId: row["orgId"], id: endpointId, kind: row["kind"]),
            keyVersion: row["keyVersion"])
    }

    /// `rotateMasterKey`: every endpoint's secret moves to the new key; unseen reveals are dropped.
    static func resealIntegrations(_ db: Database, from old: Vault, to next: Vault) throws {
        let update = try db.makeStatement(sql: "UPDATE integrationEndpoint SET sealed = ?, keyVersion = ? WHERE id = ?")
        for row in try Row.fetchAll(db, sql: "SELECT id, orgId, kind, sealed, keyVersion FROM integrationEndpoint") {
            let identity = SealedIdentity.integration(orgId: row["orgId"], id: row["id"], kind: row["kind"])
            let plain = try old.open(Array(row["sealed"] as Data), identity, keyVersion: row["keyVersion"])
            try update.execute(arguments: [Data(next.seal(plain, identity)), next.version, row["id"] as Int64])
        }
        try db.execute(sql: "DELETE FROM webhookSecretReveal")
    }
}
