import Foundation

/// The rules of the Integrations tab in one place: limits, what an endpoint URL may be, the
/// delivery schedule, and the shapes of signing secrets and event ids.
public enum IntegrationRules {
    public static let maxEndpoints = 10
    public static let maxURLLength = 2000
    public static let maxDescriptionLength = 200
    /// Attempts of one delivery before it is marked failed (a Redeliver starts a new round).
    public static let maxAttempts = 6
    /// The wait after attempt 1, 2, … 5: 1 min, 5 min, 30 min, 2 h, 12 h.
    public static let backoff: [TimeInterval] = [60, 300, 1_800, 7_200, 43_200]
    /// Each call's time-out; a claim outlives it, so only a delivery whose worker died is taken again.
    public static let timeout: TimeInterval = 10
    public static let claimLease: TimeInterval = 60
    /// How long a new signing secret waits to be shown to the session that made it.
    public static let revealWindow: TimeInterval = 600
    /// What the delivery log keeps of an answer's body.
    public static let excerptLength = 200
    /// Finished deliveries are kept this long in the log.
    public static let logDays = 30
    /// Receivers should refuse a signature older than this (the README's recipe).
    public static let signatureTolerance: TimeInterval = 300
    public static let secretPrefix = "whsec_"
    public static let eventPrefix = "evt_"

    public static func wait(afterAttempt attempt: Int) -> TimeInterval {
        backoff[min(max(attempt, 1), backoff.count) - 1]
    }

    /// A signing secret: `whsec_` and 256 random bits in base62.
    static func newSecret() -> String { secretPrefix + APIKeyFormat.base62(Crypto.randomBytes(32), length: 43) }

    /// An event id: `evt_` and 128 random bits in base62, the same at every attempt and redelivery.
    static func newEventId() -> String { eventPrefix + APIKeyFormat.base62(Crypto.randomBytes(16), length: 22) }

    /// `https://` anywhere public; `http://` only to a numeric address the operator's outbound
    /// allow-list names (a stand-in on loopback in tests): plain http to the internet would send
    /// events readable on the way. No user name or password in the URL, no fragment. The address
    /// itself is checked again after DNS resolution on every delivery (`OutboundHTTP`).
    static func checkURL(_ url: String, field: String, policy: OutboundPolicy, slack: Bool, into errors: inout FieldErrors) {
        let label = slack ? "Slack webhook URL" : "URL"
        TextRules.checkSingleLine(url, field: field, label: label, required: true, maxLength: maxURLLength, into: &errors)
        guard errors.byField[field] == nil else { return }
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), let host = parts.host, !host.isEmpty
        else {
            errors.add(field, "Enter a full address such as https://example.com/hooks/wheelhouse.")
            return
        }
        if parts.user != nil || parts.password != nil || parts.fragment != nil {
            errors.add(field, "The address must not contain a user name, password or #fragment.")
            return
        }
        let allowedPlain = scheme == "http" && allowedByPolicy(host, policy)
        guard scheme == "https" || allowedPlain else {
            errors.add(field, "Use an https:// address: events must not travel unencrypted.")
            return
        }
        if slack && !allowedByPolicy(host, policy)
            && !(scheme == "https" && host.lowercased() == "hooks.slack.com" && parts.path.hasPrefix("/services/"))
        {
            errors.add(field, "Paste the incoming-webhook URL Slack gave you: https://hooks.slack.com/services/….")
        }
    }

    /// True when `host` is a numeric address inside a block of `WHEELHOUSE_OUTBOUND_ALLOW`.
    static func allowedByPolicy(_ host: String, _ policy: OutboundPolicy) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        guard let address = IPAddress(bare) else { return false }
        return policy.allowed.contains { $0.contains(address) }
    }

    /// What the page shows of a Slack URL: `hooks.slack.com/…` and its last four characters.
    static func slackHint(_ url: String) -> String {
        let host = URLComponents(string: url)?.host ?? "hooks.slack.com"
        return "\(host)/…\(url.suffix(4))"
    }

    /// The events ticked, refused beside `events` when one is not in the catalog.
    static func checkEvents(_ raw: [String], into errors: inout FieldErrors) -> Set<IntegrationEvent> {
        var events = Set<IntegrationEvent>()
        for value in raw {
            guard let event = IntegrationEvent(rawValue: value), event != .test else {
                errors.add("events", "“\(TextRules.displayable(String(value.prefix(40))))” is not an event Wheelhouse sends.")
                continue
            }
            events.insert(event)
        }
        if raw.isEmpty { errors.add("events", "Choose at least one event.") }
        return events
    }
}
