import WheelhouseCore

/// `/orgs/{org}/settings/sso…`: single sign-on, Owner and Admin (`manageSSO`); another
/// organization's domain id is a 404.
public enum SSORoute: TabRoutes {
    /// `GET` — the configuration, the domains, test sign-in and enforcement.
    case show
    /// `POST config` — the OpenID Connect configuration (queues its discovery).
    case configure
    /// `POST domains` — add a domain.
    case addDomain
    /// `POST domains/{id}/verify` — queue a lookup of its TXT record.
    case verifyDomain(Int64)
    /// `POST domains/{id}/remove` — remove it.
    case removeDomain(Int64)
    /// `POST test` — a test sign-in through the provider (the session does not change).
    case test
    /// `POST enforcement` — enforce SSO or not, and the break-glass Owners.
    case enforcement

    public static let requiredAction = Action.manageSSO
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .show }, .post("config") { _ in .configure }, .post("domains") { _ in .addDomain },
        .post("domains/{id}/verify") { .verifyDomain($0.id(0)) }, .post("domains/{id}/remove") { .removeDomain($0.id(0)) },
        .post("test") { _ in .test }, .post("enforcement") { _ in .enforcement },
    ]

    public var method: HTTPMethod { self == .show ? .get : .post }

    public var segments: [String] {
        switch self {
        case .show: []
        case .configure: ["config"]
        case .addDomain: ["domains"]
        case .verifyDomain(let id): ["domains", "\(id)", "verify"]
        case .removeDomain(let id): ["domains", "\(id)", "remove"]
        case .test: ["test"]
        case .enforcement: ["enforcement"]
        }
    }
}
