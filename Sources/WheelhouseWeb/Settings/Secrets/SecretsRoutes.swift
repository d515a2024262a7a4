import WheelhouseCore

/// `/orgs/{org}/settings/secrets…`: each person's own secrets (`useOwnCredentials`, every role);
/// another person's secret is a 404.
public enum SecretsRoute: TabRoutes {
    /// `GET` — the list and the add form; `POST` — add a secret.
    case list, add
    /// `GET|POST {id}/rotate` — the rotate form and its post.
    case rotate(String, Route.FormStep)
    /// `GET|POST {id}/delete` — the confirmation and its post.
    case delete(String, Route.FormStep)

    public static let requiredAction = Action.useOwnCredentials
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .list }, .post("") { _ in .add },
        .get("{key}/rotate") { .rotate($0.key(0), .show) }, .post("{key}/rotate") { .rotate($0.key(0), .submit) },
        .get("{key}/delete") { .delete($0.key(0), .show) }, .post("{key}/delete") { .delete($0.key(0), .submit) },
    ]

    public var method: HTTPMethod {
        switch self {
        case .list: .get
        case .add: .post
        case .rotate(_, let step), .delete(_, let step): step.method
        }
    }

    public var segments: [String] {
        switch self {
        case .list, .add: []
        case .rotate(let id, _): [id, "rotate"]
        case .delete(let id, _): [id, "delete"]
        }
    }
}
