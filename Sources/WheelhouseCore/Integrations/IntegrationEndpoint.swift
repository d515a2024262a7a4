import Foundation
import GRDB

public enum IntegrationKind: String, Sendable {
    case webhook, slack
}

/// A webhook endpoint or the Slack channel, as the page shows it: never its secret, and for
/// Slack only a hint of the URL (the URL is itself the credential).
public struct IntegrationEndpoint: Sendable, Equatable {
    public var id: Int64
    public var orgId: Int64
    public var kind: IntegrationKind
    /// A webhook's URL; for Slack, `hooks.slack.com/…` and its last four characters.
    public var url: String
    public var description: String
    public var events: Set<IntegrationEvent>
    public var enabled: Bool
    public var createdByName: String?
    public var createdAt: Date
    public var secretRotatedAt: Date?
    public var version: Int

    static let columns = """
        e.id, e.orgId, e.kind, e.url, e.description, e.events, e.enabled, u.name, e.createdAt, e.secretRotatedAt, e.version
        """
    static let from = "integrationEndpoint e LEFT JOIN user u ON u.id = e.createdBy"

    init(row: Row) {
        (id, orgId) = (row[0], row[1])
        kind = IntegrationKind(rawValue: row[2]) ?? .webhook
        (url, description) = (row[3], row[4])
        events = IntegrationEvent.parse(row[5])
        (enabled, createdByName, createdAt, secretRotatedAt, version) = (row[6], row[7], row[8], row[9], row[10])
    }
}

/// The add-endpoint and Slack forms' values as sent; the domain checks each and reports all
/// problems at once beside `url`, `description` and `events`.
public struct EndpointForm: Sendable {
    public var url: String
    public var description: String
    /// Raw event values as ticked; unknown ones are refused, not dropped.
    public var events: [String]

    public init(url: String, description: String = "", events: [String]) {
        (self.url, self.description, self.events) = (url, description, events)
    }
}

/// One delivery of one event to one endpoint, as the delivery log shows it.
public struct WebhookDelivery: Sendable, Equatable {
    public enum Status: String, Sendable {
        case pending, delivering, delivered, failed
    }

    public var id: Int64
    public var endpointId: Int64
    public var eventId: String
    public var eventType: String
    public var createdAt: Date
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastAttemptAt: Date?
    public var responseCode: Int?
    public var responseExcerpt: String
    public var lastError: String?
    public var deliveredAt: Date?

    static let columns = """
        id, endpointId, eventId, eventType, createdAt, status, attempts, nextAttemptAt, lastAttemptAt, responseCode,
        responseExcerpt, lastError, deliveredAt
        """

    init(row: Row) {
        (id, endpointId, eventId, eventType, createdAt) = (row[0], row[1], row[2], row[3], row[4])
        status = Status(rawValue: row[5]) ?? .pending
        (attempts, nextAttemptAt, lastAttemptAt, responseCode) = (row[6], row[7], row[8], row[9])
        (responseExcerpt, lastError, deliveredAt) = (row[10], row[11], row[12])
    }
}

/// What `createWebhookEndpoint` and `rotateWebhookSecret` return: the secret exists nowhere else
/// in clear (the caller shows it once).
public struct IssuedWebhookSecret: Sendable {
    public var endpoint: IntegrationEndpoint
    public var secret: String
}
