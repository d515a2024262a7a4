/// The events an organization can send to its webhook endpoints and its Slack channel: the one
/// catalog, each raised from the notification of the same event (`init(notification:)`), so a
/// new raiser of a listed notification kind sends its event without a second hook.
public enum IntegrationEvent: String, CaseIterable, Sendable {
    case memberJoined = "member.joined"
    case creditsLow = "credits.low"
    case paymentFailed = "payment.failed"
    case providerFailed = "provider.failed"
    case apiKeyExpiring = "api_key.expiring"
    case dataExportReady = "data_export.ready"
    /// "Send test event" / "Send test message": sent to one endpoint only, never subscribed to.
    case test = "test"

    /// The events a person may tick: every one but the test.
    public static let subscribable: [IntegrationEvent] = allCases.filter { $0 != .test }

    /// The event a notification of `kind` stands for, if the catalog has one.
    public init?(notification kind: NotificationKind) {
        switch kind {
        case .memberJoined: self = .memberJoined
        case .creditsLow: self = .creditsLow
        case .paymentFailed: self = .paymentFailed
        case .providerFailed: self = .providerFailed
        case .apiKeyExpiring: self = .apiKeyExpiring
        case .dataExportReady: self = .dataExportReady
        default: return nil
        }
    }

    public var title: String {
        switch self {
        case .memberJoined: "Member joined"
        case .creditsLow: "Credits low"
        case .paymentFailed: "Payment failed"
        case .providerFailed: "Provider failed its connection test"
        case .apiKeyExpiring: "API key expiring"
        case .dataExportReady: "Data export ready"
        case .test: "Test event"
        }
    }

    /// Stored as a comma-separated list of raw values, in catalog order.
    static func stored(_ events: Set<IntegrationEvent>) -> String {
        allCases.filter(events.contains).map(\.rawValue).joined(separator: ",")
    }

    static func parse(_ stored: String) -> Set<IntegrationEvent> {
        Set(stored.split(separator: ",").compactMap { IntegrationEvent(rawValue: String($0)) })
    }
}
