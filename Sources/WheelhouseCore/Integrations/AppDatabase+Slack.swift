import Foundation
import GRDB

/// The organization's Slack channel: one incoming-webhook URL (sealed: whoever has it can post to
/// the channel) and the events to post there, delivered through the same outbox as webhooks.
extension AppDatabase {
    /// The Slack channel, if one is set up.
    public func slackIntegration(_ access: OrgAccess) throws -> IntegrationEndpoint? {
        try integrationEndpoints(access, kind: .slack).first
    }

    /// Sets up the channel, or changes its events and (when `form.url` is not empty) its URL.
    /// `expectedVersion` is 0 when the form was shown with no channel set up.
    @discardableResult
    public func saveSlack(orgKey: String, _ form: EndpointForm, expectedVersion: Int, by actor: Actor) throws -> IntegrationEndpoint {
        try writer.write { db in
            let access = try integrationAccess(db, orgKey: orgKey, actor: actor)
            let orgId = access.org.id!, now = self.now()
            let current = try Int64.fetchOne(
                db, sql: "SELECT id FROM integrationEndpoint WHERE orgId = ? AND kind = 'slack'", arguments: [orgId]
            ).map { try Self.endpoint(db, id: $0, orgId: orgId) }
            guard (current?.version ?? 0) == expectedVersion else { throw DomainError.staleVersion }
            var errors = FieldErrors()
            if current == nil || !form.url.isEmpty {
                IntegrationRules.checkURL(form.url, field: "url", policy: outboundPolicy, slack: true, into: &errors)
            }
            let events = IntegrationRules.checkEvents(form.events, into: &errors)
            try errors.throwIfAny()
            try vault.requireCurrent(db)
            let stored = IntegrationEvent.stored(events)
            let id: Int64
            if let current {
                id = current.id
                try db.execute(
                    sql: "UPDATE integrationEndpoint SET events = ?, updatedAt = ?, version = version + 1 WHERE id = ?",
                    arguments: [stored, now, id])
            } else {
                try db.execute(
                    sql: """
                        INSERT INTO integrationEndpoint (orgId, kind, url, events, sealed, keyVersion, createdBy, createdAt, updatedAt)
                        VALUES (?, 'slack', ?, ?, x'00000000000000000000000000000000000000000000000000000000', ?, ?, ?, ?)
                        """,
                    arguments: [orgId, IntegrationRules.slackHint(form.url), stored, vault.version, actor.user.id, now, now])
                id = db.lastInsertedRowID
            }
            if !form.url.isEmpty {
                try db.execute(
                    sql: "UPDATE integrationEndpoint SET url = ?, sealed = ?, keyVersion = ? WHERE id = ?",
                    arguments: [
                        IntegrationRules.slackHint(form.url),
                        Data(vault.seal(form.url, .integration(orgId: orgId, id: id, kind: "slack"))), vault.version, id,
                    ])
            }
            let urlNote = form.url.isEmpty ? "" : "URL \(IntegrationRules.slackHint(form.url)), "
            try AuditEvent(
                org: orgId, actor: actor, action: .slackSave, target: "slack:\(id)",
                summary: "\(current == nil ? "set up" : "changed") Slack: \(urlNote)events \(stored)", at: now
            ).insert(db)
            return try Self.endpoint(db, id: id, orgId: orgId)
        }
    }
}
