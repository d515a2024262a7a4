/// `/account/…`: the signed-in person's own things, reached by every signed-in person whatever
/// their organizations. Each route acts on that person's own rows only; none is a change of an
/// organization, so none writes an audit entry (see `AuditTrailTests.personalNotAudited`).
public enum AccountRoute: RouteLeaves {
    /// `GET notifications` — the inbox, newest first (`?before=<id>` older, `?after=<id>` newer).
    case notifications
    /// `POST notifications/{id}/read` — marks one of the person's notifications read.
    case markRead(Int64)
    /// `POST notifications/read-all` — marks every one of them read.
    case markAllRead

    public static let patterns: [RoutePattern<Self>] = [
        .get("notifications") { _ in .notifications },
        .post("notifications/{id}/read") { .markRead($0.id(0)) },
        .post("notifications/read-all") { _ in .markAllRead },
    ]

    public var method: HTTPMethod { self == .notifications ? .get : .post }

    public var segments: [String] {
        switch self {
        case .notifications: ["notifications"]
        case .markRead(let id): ["notifications", String(id), "read"]
        case .markAllRead: ["notifications", "read-all"]
        }
    }
}
