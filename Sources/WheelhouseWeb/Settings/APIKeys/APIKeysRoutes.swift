import WheelhouseCore

/// `/orgs/{org}/settings/api-keys…`: the organization's platform API keys, Owner and Admin
/// (`manageAPIKeys`); another organization's key id is a 404.
public enum APIKeysRoute: TabRoutes {
    /// `GET` — the list, the create form and the lifetime policy; `POST` — make a key.
    case list, create
    /// `POST policy` — the maximum key lifetime.
    case policy
    /// `GET {id}/secret` — a new secret, shown once to the session that made it.
    case secret(Int64)
    /// `GET|POST {id}/rotate` — the grace choice, then a successor secret.
    case rotate(Int64, Route.FormStep)
    /// `GET|POST {id}/revoke-previous` — confirmation, then the old secret's grace ends now.
    case revokePrevious(Int64, Route.FormStep)
    /// `GET|POST {id}/revoke` — confirmation, then the key is revoked.
    case revoke(Int64, Route.FormStep)

    public static let requiredAction = Action.manageAPIKeys
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .list }, .post("") { _ in .create }, .post("policy") { _ in .policy },
        .get("{id}/secret") { .secret($0.id(0)) },
        .get("{id}/rotate") { .rotate($0.id(0), .show) }, .post("{id}/rotate") { .rotate($0.id(0), .submit) },
        .get("{id}/revoke-previous") { .revokePrevious($0.id(0), .show) },
        .post("{id}/revoke-previous") { .revokePrevious($0.id(0), .submit) },
        .get("{id}/revoke") { .revoke($0.id(0), .show) }, .post("{id}/revoke") { .revoke($0.id(0), .submit) },
    ]

    public var method: HTTPMethod {
        switch self {
        case .list, .secret: .get
        case .create, .policy: .post
        case .rotate(_, let step), .revokePrevious(_, let step), .revoke(_, let step): step.method
        }
    }

    public var segments: [String] {
        switch self {
        case .list, .create: []
        case .policy: ["policy"]
        case .secret(let id): ["\(id)", "secret"]
        case .rotate(let id, _): ["\(id)", "rotate"]
        case .revokePrevious(let id, _): ["\(id)", "revoke-previous"]
        case .revoke(let id, _): ["\(id)", "revoke"]
        }
    }
}
