import WheelhouseCore

/// `/orgs/{org}/settings/workspaces…`: everyone sees the workspaces they can reach; creating needs
/// `createWorkspace`, access changes `manageWorkspaceAccess` or the workspace's own admin level,
/// a shared workspace's settings, archive, restore and delete Owner or Admin (checked by the domain).
public enum WorkspacesRoute: TabRoutes {
    /// `GET` — the cards; `POST` — create a shared workspace.
    case list, create
    /// `GET {key}` — one workspace and who can reach it.
    case workspace(String)
    /// `POST {key}/access` — grant; `POST {key}/access/{id}` — change; `POST {key}/access/{id}/revoke`.
    case grant(String), change(String, Int64), revoke(String, Int64)
    /// `POST {key}/settings`, `{key}/archive`, `{key}/restore`, `{key}/delete`
    /// (`WorkspaceLifecycleController`).
    case update(String), archive(String), restore(String), delete(String)

    public static let requiredAction = Action.viewOrganization
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .list }, .post("") { _ in .create }, .get("{key}") { .workspace($0.key(0)) },
        .post("{key}/access") { .grant($0.key(0)) }, .post("{key}/access/{id}") { .change($0.key(0), $0.id(1)) },
        .post("{key}/access/{id}/revoke") { .revoke($0.key(0), $0.id(1)) },
        .post("{key}/settings") { .update($0.key(0)) }, .post("{key}/archive") { .archive($0.key(0)) },
        .post("{key}/restore") { .restore($0.key(0)) }, .post("{key}/delete") { .delete($0.key(0)) },
    ]

    public var method: HTTPMethod {
        switch self {
        case .list, .workspace: .get
        case .create, .grant, .change, .revoke, .update, .archive, .restore, .delete: .post
        }
    }

    public var segments: [String] {
        switch self {
        case .list, .create: []
        case .workspace(let key): [key]
        case .grant(let key): [key, "access"]
        case .change(let key, let id): [key, "access", String(id)]
        case .revoke(let key, let id): [key, "access", String(id), "revoke"]
        case .update(let key): [key, "settings"]
        case .archive(let key): [key, "archive"]
        case .restore(let key): [key, "restore"]
        case .delete(let key): [key, "delete"]
        }
    }

    /// The workspace a route is about, if any.
    var workspaceKey: String? {
        switch self {
        case .list, .create: nil
        case .workspace(let key), .grant(let key), .change(let key, _), .revoke(let key, _),
            .update(let key), .archive(let key), .restore(let key), .delete(let key):
            key
        }
    }
}
