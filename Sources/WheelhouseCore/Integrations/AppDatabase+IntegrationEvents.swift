import Foundation
import GRDB

/// Events into the outbox: `emitEvent` runs in the raiser's transaction and writes one delivery per
/// subscribed, enabled endpoint, all with one event id, so nothing is sent if the change rolls
/// back and an event reaches each endpoint once (unique (endpointId, eventId)). The worker sends
/// them later (`WebhookWorker`), never on a request thread.
extension AppDatabase {
    /// Queues `event` for every enabled endpoint of `orgId` subscribed to it. `payload` is the
    /// event's `data` object; its `summary` is also the Slack message. Returns the event id.
    @discardableResult
    public static func emitEvent(
        _ db: Database, orgId: Int64, event: IntegrationEvent, payload: [String: String], now: Date
    ) throws -> String {
        let eventId = IntegrationRules.newEventId()
        let endpoints = try Row.fetchAll(
            db, sql: "SELECT id, kind, events FROM integrationEndpoint WHERE orgId = ? AND enabled = 1", arguments: [orgId])
        let subscribed = endpoints.filter { IntegrationEvent.parse($0["events"]).contains(event) }
        guard !subscribed.isEmpty else { return eventId }
        for row in subscribed {
            try queueDelivery(
                db, orgId: orgId, endpointId: row["id"], kind: IntegrationKind(rawValue: row["kind"]) ?? .webhook, eventId: eventId,
                event: event, payload: payload, now: now)
        }
        return eventId
    }

    static func queueDelivery(
        _ db: Database, orgId: Int64, endpointId: Int64, kind: IntegrationKind, eventId: String, event: IntegrationEvent,
        payload: [String: String], now: Date
    ) throws {
        guard let org = try Row.fetchOne(db, sql: "SELECT key, displayName FROM organization WHERE id = ?", arguments: [orgId]) else {
            return
        }
        let body: [UInt8] =
            switch kind {
            case .webhook: webhookBody(eventId: eventId, event: event, orgKey: org[0], orgName: org[1], payload: payload, now: now)
            case .slack: slackBody(event: event, orgName: org[1], summary: payload["summary"] ?? event.title)
            }
        try db.execute(
            sql: """
                INSERT INTO webhookDelivery (endpointId, eventId, eventType, body, createdAt, status, nextAttemptAt)
                VALUES (?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (endpointId, eventId) DO NOTHING
                """, arguments: [endpointId, eventId, event.rawValue, Data(body), now, now])
    }

    /// `{"id","type","created","organization","data"}`, keys sorted, so the bytes are reproducible.
    static func webhookBody(
        eventId: String, event: IntegrationEvent, orgKey: String, orgName: String, payload: [String: String], now: Date
    ) -> [UInt8] {
        let object: [String: Any] = [
            "id": eventId, "type": event.rawValue, "created": Int(now.timeIntervalSince1970),
            "organization": ["key": orgKey, "name": orgName], "data": payload,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data)
    }

    /// Slack's `{"text": …}`, with `&`, `<` and `>` escaped as Slack asks, so no text of ours (a
    /// member's name) can turn into a link or a mention.
    static func slackBody(event: IntegrationEvent, orgName: String, summary: String) -> [UInt8] {
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
        let text = "*\(escaped(orgName))* · \(escaped(event.title)): \(escaped(summary))"
        let data = (try? JSONSerialization.data(withJSONObject: ["text": text], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data)
    }

    /// "Send test event" / "Send test message": one `test` event to this endpoint only, queued for
    /// the worker (the page shows it in the log when it has been sent). Returns its event id.
    @discardableResult
    public func sendIntegrationTest(orgKey: String, id: Int64, by actor: Actor) throws -> String {
        try writer.write { db in
            let access = try integrationAccess(db, orgKey: orgKey, actor: actor)
            let endpoint = try Self.endpoint(db, id: id, orgId: access.org.id!)
            let now = self.now(), eventId = IntegrationRules.newEventId()
            try Self.queueDelivery(
                db, orgId: endpoint.orgId, endpointId: id, kind: endpoint.kind, eventId: eventId, event: .test,
                payload: ["summary": "A test event sent by \(actor.user.name) from Wheelhouse."], now: now)
            try AuditEvent(
                org: endpoint.orgId, actor: actor, action: endpoint.kind == .slack ? .slackTest : .webhookTest,
                target: "\(endpoint.kind.rawValue):\(id)", summary: "sent test event \(eventId) to \(endpoint.url)", at: now
            ).insert(db)
            return eventId
        }
    }

    /// Sends a delivery again with the same event id and body: a new round of attempts, now.
    public func redeliver(orgKey: String, endpointId: Int64, deliveryId: Int64, by actor: Actor) throws {
        try writer.write { db in
            let access = try integrationAccess(db, orgKey: orgKey, actor: actor)
            let endpoint = try Self.endpoint(db, id: endpointId, orgId: access.org.id!)
            guard
                let eventId = try String.fetchOne(
                    db, sql: "SELECT eventId FROM webhookDelivery WHERE id = ? AND endpointId = ?", arguments: [deliveryId, endpointId])
            else { throw DomainError.notFound }
            let now = self.now()
            // A delivery being sent right now keeps its claim; the redelivery then is that attempt.
            try db.execute(
                sql: """
                    UPDATE webhookDelivery SET status = 'pending', attempts = 0, nextAttemptAt = ?, lastError = NULL
                    WHERE id = ? AND status <> 'delivering'
                    """, arguments: [now, deliveryId])
            try AuditEvent(
                org: endpoint.orgId, actor: actor, action: .webhookRedeliver, target: "\(endpoint.kind.rawValue):\(endpointId)",
                summary: "sent event \(eventId) again to \(endpoint.url)", at: now
            ).insert(db)
        }
    }

    /// The newest deliveries of one endpoint of the organization (another organization's: 404).
    public func integrationDeliveries(endpointId: Int64, _ access: OrgAccess, limit: Int = 50) throws -> [WebhookDelivery] {
        try access.require(.manageIntegrations)
        return try reader.read { db in
            _ = try Self.endpoint(db, id: endpointId, orgId: access.org.id!)
            return try Row.fetchAll(
                db, sql: "SELECT \(WebhookDelivery.columns) FROM webhookDelivery WHERE endpointId = ? ORDER BY id DESC LIMIT ?",
                arguments: [endpointId, limit]
            ).map(WebhookDelivery.init(row:))
        }
    }
}

/// A delivery as it would be after some attempts, written directly (the demo's log: it must not
/// call out to show one).
public struct SeededDelivery: Sendable {
    public var event: IntegrationEvent
    public var summary: String
    public var status: WebhookDelivery.Status
    public var attempts: Int
    public var responseCode: Int?
    public var excerpt: String
    public var error: String?
    public var createdAt: Date
    public var nextAttemptAt: Date?

    public init(
        event: IntegrationEvent, summary: String, status: WebhookDelivery.Status, attempts: Int, responseCode: Int?,
        excerpt: String = "", error: String? = nil, createdAt: Date, nextAttemptAt: Date? = nil
    ) {
        (self.event, self.summary, self.status, self.attempts, self.responseCode) = (event, summary, status, attempts, responseCode)
        (self.excerpt, self.error, self.createdAt, self.nextAttemptAt) = (excerpt, error, createdAt, nextAttemptAt)
    }
}

extension AppDatabase {
    public func seedDelivery(endpointId: Int64, _ seeded: SeededDelivery) throws {
        try writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT o.key, o.displayName FROM integrationEndpoint e JOIN organization o ON o.id = e.orgId WHERE e.id = ?",
                    arguments: [endpointId])
            else { throw DomainError.notFound }
            let eventId = IntegrationRules.newEventId()
            let body = Self.webhookBody(
                eventId: eventId, event: seeded.event, orgKey: row[0], orgName: row[1], payload: ["summary": seeded.summary],
                now: seeded.createdAt)
            let last = seeded.attempts > 0 ? seeded.createdAt.addingTimeInterval(Double(seeded.attempts - 1) * 60) : nil
            try db.execute(
                sql: """
                    INSERT INTO webhookDelivery (endpointId, eventId, eventType, body, createdAt, status, attempts, nextAttemptAt,
                        lastAttemptAt, responseCode, responseExcerpt, lastError, deliveredAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    endpointId, eventId, seeded.event.rawValue, Data(body), seeded.createdAt, seeded.status.rawValue, seeded.attempts,
                    seeded.nextAttemptAt, last, seeded.responseCode, seeded.excerpt, seeded.error,
                    seeded.status == .delivered ? last : nil,
                ])
        }
    }
}
