import WheelhouseCore

/// `/orgs/{org}/settings/providers…`: the organization's provider keys, Owner and Admin
/// (`manageOrgCredentials`).
public enum ProvidersRoute: TabRoutes {
    /// `GET` — the list; `POST` — add a provider.
    case list, add
    /// `GET new?kind=…` — the add form; `GET status` — the rows' check states as JSON (polling).
    case new, status
    /// `GET|POST {id}/edit` — the edit form and its post.
    case edit(String, Route.FormStep)
    /// `POST {id}/test` — queue a connection test.
    case test(String)
    /// `GET|POST {id}/delete` — the confirmation and its post.
    case delete(String, Route.FormStep)

    public static let requiredAction = Action.manageOrgCredentials
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .list }, .post("") { _ in .add }, .get("new") { _ in .new }, .get("status") { _ in .status },
        .get("{key}/edit") { .edit($0.key(0), .show) }, .post("{key}/edit") { .edit($0.key(0), .submit) },
        .post("{key}/test") { .test($0.key(0)) },
        .get("{key}/delete") { .delete($0.key(0), .show) }, .post("{key}/delete") { .delete($0.key(0), .submit) },
    ]

    public var method: HTTPMethod {
        switch self {
        case .list, .new, .status: .get
        case .add, .test: .post
        case .edit(_, let step), .delete(_, let step): step.method
        }
    }

    public var segments: [String] {
        switch self {
        case .list, .add: []
        case .new: ["new"]
        case .status: ["status"]
        case .edit(let id, _): [id, "edit"]
        case .test(let id): [id, "test"]
        case .delete(let id, _): [id, "delete"]
        }
    }
}
