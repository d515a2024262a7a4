import Foundation
import GRDB

/// A delivery claimed by a worker, with what it needs to send it.
public struct ClaimedDelivery: Sendable {
    public var id: Int64
    public var endpointId: Int64
    public var kind: IntegrationKind
    public var eventId: String
    /// Which attempt this is: also the claim's token (a finish for an older claim is ignored).
    public var attempt: Int
    /// The webhook's URL, or the Slack URL opened from its seal.
    public var url: String
    /// The webhook's signing secret; nil for Slack (unsigned).
    public var secret: String?
    public var body: [UInt8]
}

/// How one attempt ended, as the delivery log records it.
public enum DeliveryOutcome: Sendable, Equatable {
    case delivered(status: Int, excerpt: String)
    case failed(status: Int?, excerpt: String, reason: String)
}

extension AppDatabase {
    /// Claims one due delivery of an enabled endpoint in one UPDATE, so that no other worker
    /// (thread or process on the same database file) takes it until `claimLease` has passed:
    /// pending ones whose time has come, and ones whose worker died mid-attempt.
    public func claimDelivery() throws -> ClaimedDelivery? {
        let now = self.now()
        let anyDue = try reader.read { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS (SELECT 1 FROM webhookDelivery WHERE status IN ('pending', 'delivering') AND nextAttemptAt <= ?)",
                arguments: [now]) ?? false
        }
        guard anyDue else { return nil }
        return try writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        UPDATE webhookDelivery SET status = 'delivering', attempts = attempts + 1, nextAttemptAt = ?, lastAttemptAt = ?
                        WHERE id = (SELECT d.id FROM webhookDelivery d JOIN integrationEndpoint e ON e.id = d.endpointId
                                    WHERE d.status IN ('pending', 'delivering') AND d.nextAttemptAt <= ? AND e.enabled = 1
                                    ORDER BY d.nextAttemptAt LIMIT 1)
                        RETURNING id, endpointId, eventId, attempts, body
                        """, arguments: [now.addingTimeInterval(IntegrationRules.claimLease), now, now])
            else { return nil }
            let endpointId: Int64 = row["endpointId"]
            guard
                let endpoint = try Row.fetchOne(db, sql: "SELECT kind, url FROM integrationEndpoint WHERE id = ?", arguments: [endpointId]),
                let sealed = try openIntegrationSecret(db, endpointId: endpointId)
            else { return nil }
            let kind = IntegrationKind(rawValue: endpoint["kind"]) ?? .webhook
            return ClaimedDelivery(
                id: row["id"], endpointId: endpointId, kind: kind, eventId: row["eventId"], attempt: row["attempts"],
                url: kind == .slack ? sealed : endpoint["url"], secret: kind == .slack ? nil : sealed,
                body: Array(row["body"] as Data))
        }
    }

    /// Records an attempt: delivered, or retried after the back-off, or failed after `maxAttempts`.
    /// A finish for a claim that was taken over (its lease passed) changes nothing.
    public func finishDelivery(_ claimed: ClaimedDelivery, _ outcome: DeliveryOutcome) throws {
        let now = self.now()
        try writer.write { db in
            switch outcome {
            case .delivered(let status, let excerpt):
                try db.execute(
                    sql: """
                        UPDATE webhookDelivery SET status = 'delivered', responseCode = ?, responseExcerpt = ?, lastError = NULL,
                            deliveredAt = ?, nextAttemptAt = NULL
                        WHERE id = ? AND status = 'delivering' AND attempts = ?
                        """, arguments: [status, excerpt, now, claimed.id, claimed.attempt])
            case .failed(let status, let excerpt, let reason):
                let giveUp = claimed.attempt >= IntegrationRules.maxAttempts
                try db.execute(
                    sql: """
                        UPDATE webhookDelivery SET status = ?, responseCode = ?, responseExcerpt = ?, lastError = ?, nextAttemptAt = ?
                        WHERE id = ? AND status = 'delivering' AND attempts = ?
                        """,
                    arguments: [
                        giveUp ? "failed" : "pending", status, excerpt, String(reason.prefix(300)),
                        giveUp ? nil : now.addingTimeInterval(IntegrationRules.wait(afterAttempt: claimed.attempt)), claimed.id,
                        claimed.attempt,
                    ])
            }
        }
    }

    /// Removes finished deliveries (delivered or failed) older than `IntegrationRules.logDays`, so
    /// the log stays the recent past; pending ones stay whatever their age. Returns how many.
    @discardableResult
    public func pruneDeliveries() throws -> Int {
        let cutoff = now().addingTimeInterval(-Double(IntegrationRules.logDays) * 86_400)
        return try writer.write { db in
            try db.execute(
                sql: "DELETE FROM webhookDelivery WHERE status IN ('delivered', 'failed') AND createdAt < ?", arguments: [cutoff])
            return db.changesCount
        }
    }
}
