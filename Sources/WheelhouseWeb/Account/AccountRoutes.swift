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
    /// `GET security/sessions` — the person's live sessions, the current one marked.
    case sessions
    /// `POST security/sessions/{key}/end` — ends one of them (the key is `ActiveSession.handle`).
    case endSession(String)
    /// `POST security/sessions/end-others` — signs out everywhere else.
    case endOtherSessions
    /// `GET security/two-factor` shows enrolment or status; `POST` confirms enrolment with a code.
    case twoFactor(Route.FormStep)
    /// `POST security/two-factor/disable` — turns two-factor off (password and a code).
    case disableTwoFactor
    /// `POST avatar` — sets or removes the person's picture (multipart; version-checked).
    case updateAvatar
    /// `GET avatar/{file}` — the person's own picture, while it is theirs.
    case avatar(String)
    /// `POST default-organization` — where `/` lands (version-checked).
    case defaultOrganization
    /// `POST email` — asks to move the account to a new address (password; a link to confirm).
    case changeEmail
    /// `GET delete` confirms, `POST delete` deletes the account (password).
    case deleteAccount(Route.FormStep)
    /// `GET organizations/new` — the New organization form; `POST` founds it.
    case newOrganization(Route.FormStep)
    /// `POST notifications/preferences` — saves the grid of kinds × channels (version-checked).
    case savePreferences
    /// `GET preferences` — theme, density and the default language of new work.
    case preferences
    /// `POST preferences` — saves them (version-checked).
    case updatePreferences
    /// `POST preferences/tutorial` — shows the overview's tutorial again where it was dismissed.
    case showTutorialAgain
    /// `POST preferences/widgets/reset` — every overview's widgets back in the default order.
    case resetWidgets

    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .profile },
        .post("") { _ in .updateProfile },
        .get("security") { _ in .security },
        .post("security/password") { _ in .changePassword },
        .get("notifications") { _ in .notifications },
        .post("notifications/{id}/read") { .markRead($0.id(0)) },
        .post("notifications/read-all") { _ in .markAllRead },
        .get("security/sessions") { _ in .sessions },
        .post("security/sessions/{key}/end") { .endSession($0.key(0)) },
        .post("security/sessions/end-others") { _ in .endOtherSessions },
        .get("security/two-factor") { _ in .twoFactor(.show) },
        .post("security/two-factor") { _ in .twoFactor(.submit) },
        .post("security/two-factor/disable") { _ in .disableTwoFactor },
        .post("avatar") { _ in .updateAvatar },
        .get("avatar/{key}") { .avatar($0.key(0)) },
        .post("default-organization") { _ in .defaultOrganization },
        .post("email") { _ in .changeEmail },
        .get("delete") { _ in .deleteAccount(.show) },
        .post("delete") { _ in .deleteAccount(.submit) },
        .get("organizations/new") { _ in .newOrganization(.show) },
        .post("organizations/new") { _ in .newOrganization(.submit) },
        .post("notifications/preferences") { _ in .savePreferences },
        .get("preferences") { _ in .preferences },
        .post("preferences") { _ in .updatePreferences },
        .post("preferences/tutorial") { _ in .showTutorialAgain },
        .post("preferences/widgets/reset") { _ in .resetWidgets },
    ]

    public var method: HTTPMethod {
        switch self {
        case .profile, .security, .notifications, .sessions, .twoFactor(.show), .avatar, .deleteAccount(.show),
            .newOrganization(.show), .preferences:
            .get
        case .updateProfile, .changePassword, .markRead, .markAllRead, .endSession, .endOtherSessions, .twoFactor(.submit),
            .disableTwoFactor, .updateAvatar, .defaultOrganization, .changeEmail, .deleteAccount(.submit), .newOrganization(.submit),
            .savePreferences, .updatePreferences, .showTutorialAgain, .resetWidgets:
            .post
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
        case .sessions: ["security", "sessions"]
        case .endSession(let handle): ["security", "sessions", handle, "end"]
        case .endOtherSessions: ["security", "sessions", "end-others"]
        case .twoFactor: ["security", "two-factor"]
        case .disableTwoFactor: ["security", "two-factor", "disable"]
        case .updateAvatar: ["avatar"]
        case .avatar(let file): ["avatar", file]
        case .defaultOrganization: ["default-organization"]
        case .changeEmail: ["email"]
        case .deleteAccount: ["delete"]
        case .newOrganization: ["organizations", "new"]
        case .savePreferences: ["notifications", "preferences"]
        case .preferences, .updatePreferences: ["preferences"]
        case .showTutorialAgain: ["preferences", "tutorial"]
        case .resetWidgets: ["preferences", "widgets", "reset"]
        }
    }
}
