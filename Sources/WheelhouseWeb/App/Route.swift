/// Every page of the console. `init?(path:)` parses a request path and `path` prints it back, so a
/// link can only point at a page that exists; `WebApp.dispatch` switches over all cases, so a new
/// route does not compile until it is handled.
public enum Route: Equatable, Sendable {
    case home
    case login
    case logout
    /// `/invitations/{token}`: the page an invitation email links to.
    case invitation(String)
    /// `/confirm/{token}`: the link that confirms the email of an account created through an invitation.
    case confirmation(String)
    case org(String, OrgRoute)

    /// Pages under `/orgs/{org}/`.
    public enum OrgRoute: Equatable, Sendable {
        case root
        case settings(SettingsTab)
        /// A page below a tab, e.g. `/settings/teams/3` or `/settings/members/invitations/7/resend`:
        /// the tab's controller parses the remaining segments with a route enum of its own.
        case settingsPage(SettingsTab, [String])
        case logo(file: String)
    }

    public init?(path: String) {
        let segments = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .dropFirst().map { String(decoding: $0, as: UTF8.self) }
        switch segments {
        case [""]: self = .home
        case ["login"]: self = .login
        case ["logout"]: self = .logout
        case let s where s.count == 2 && s[0] == "invitations" && !s[1].isEmpty && s[1].utf8.count <= 100:
            self = .invitation(s[1])
        case let s where s.count == 2 && s[0] == "confirm" && !s[1].isEmpty && s[1].utf8.count <= 100:
            self = .confirmation(s[1])
        case let s where s.count >= 2 && s[0] == "orgs" && !s[1].isEmpty:
            let org = s[1]
            let rest = Array(s.dropFirst(2))
            if rest.isEmpty || rest == [""] {
                self = .org(org, .root)
            } else if rest.count == 2, rest[0] == "settings", let tab = SettingsTab(rawValue: rest[1]) {
                self = .org(org, .settings(tab))
            } else if rest.count > 2, rest[0] == "settings", let tab = SettingsTab(rawValue: rest[1]),
                      !rest.dropFirst(2).contains(where: \.isEmpty) {
                self = .org(org, .settingsPage(tab, Array(rest.dropFirst(2))))
            } else if rest.count == 2, rest[0] == "logo", !rest[1].isEmpty {
                self = .org(org, .logo(file: rest[1]))
            } else {
                return nil
            }
        default: return nil
        }
    }

    /// A request path as the log may show it: an invitation link's token is replaced.
    public static func loggable(_ path: String) -> String {
        path.hasPrefix("/invitations/") ? "/invitations/…" : path.hasPrefix("/confirm/") ? "/confirm/…" : path
    }

    public var path: String {
        switch self {
        case .home: "/"
        case .login: "/login"
        case .logout: "/logout"
        case .invitation(let token): "/invitations/\(token)"
        case .confirmation(let token): "/confirm/\(token)"
        case .org(let key, .root): "/orgs/\(key)"
        case .org(let key, .settings(let tab)): "/orgs/\(key)/settings/\(tab.rawValue)"
        case .org(let key, .settingsPage(let tab, let rest)):
            "/orgs/\(key)/settings/\(tab.rawValue)/" + rest.joined(separator: "/")
        case .org(let key, .logo(let file)): "/orgs/\(key)/logo/\(file)"
        }
    }
}

/// One slug per settings tab: the path segment, the template `settings/<slug>`, the nav entry.
public enum SettingsTab: String, CaseIterable, Sendable {
    case general
    case members
    case teams
    case workspaces
    case secrets
    case providers
    case chatModels = "chat-models"
    case usage
    case billing

    public var title: String {
        switch self {
        case .general: "General"
        case .members: "Members"
        case .teams: "Teams"
        case .workspaces: "Workspaces"
        case .secrets: "Secrets"
        case .providers: "Providers"
        case .chatModels: "Chat models"
        case .usage: "Usage"
        case .billing: "Billing"
        }
    }
}
