/// `/account/…`: the signed-in person's own things, reached by every signed-in person whatever
/// their organizations. Each route acts on that person's own rows only; none is a change of an
/// organization, so none writes an audit entry (see `AuditTrailTests.personalNotAudited`).
public enum AccountRoute: RouteLeaves {
    /// `GET /account` — the profile form (name).
    case profile
    /// `POST /account` — saves the name (version-checked).
    case updateProfile
    /// `GET security` — the Security page: Change password.
    case security
    /// `POST security/password` — changes the password; every other session ends.
    case changePassword
    /// `GET notifications` — the inbox, newest first (`?before=<id>` older, `?after=<id>` newer).
    case notifications
    /// `POST notifications/{id}/read` — marks one of the person's notifications read.
    case markRead(Int64)
    /// `POST notifications/read-all` — marks every one of them read.
    case markAllRead

    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .profile },
        .post("") { _ in .updateProfile },
        .get("security") { _ in .security },
        .post("security/password") { _ in .changePassword },
        .get("notifications") { _ in .notifications },
        .post("notifications/{id}/read") { .markRead($0.id(0)) },
        .post("notifications/read-all") { _ in .markAllRead },
    ]

    public var method: HTTPMethod {
        switch self {
        case .profile, .security, .notifications: .get
        case .updateProfile, .changePassword, .markRead, .markAllRead: .post
        }
    }

    public var segments: [String] {
        switch self {
        case .profile, .updateProfile: []
        case .security: ["security"]
        case .changePassword: ["security", "password"]
        case .notifications: ["notifications"]
        case .markRead(let id): ["notifications", String(id), "read"]
        case .markAllRead: ["notifications", "read-all"]
        }
    }
}
