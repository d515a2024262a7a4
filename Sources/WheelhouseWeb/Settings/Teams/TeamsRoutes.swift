import WheelhouseCore

/// `/orgs/{org}/settings/teams…`: everyone in the organization sees teams; the forms need
/// `manageTeams` (Owner, Admin).
public enum TeamsRoute: TabRoutes {
    /// `GET` — the list; `POST` — create a team.
    case list, create
    /// `GET {id}` — one team; `POST {id}` — save its name and description.
    case team(Int64), update(Int64)
    /// `POST {id}/delete`, `POST {id}/members`.
    case delete(Int64), addMember(Int64)
    /// `POST {id}/members/{user}/remove`.
    case removeMember(Int64, Int64)

    public static let requiredAction = Action.viewOrganization
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .list }, .post("") { _ in .create },
        .get("{id}") { .team($0.id(0)) }, .post("{id}") { .update($0.id(0)) },
        .post("{id}/delete") { .delete($0.id(0)) }, .post("{id}/members") { .addMember($0.id(0)) },
        .post("{id}/members/{id}/remove") { .removeMember($0.id(0), $0.id(1)) },
    ]

    public var method: HTTPMethod {
        switch self {
        case .list, .team: .get
        case .create, .update, .delete, .addMember, .removeMember: .post
        }
    }

    public var segments: [String] {
        switch self {
        case .list, .create: []
        case .team(let id), .update(let id): [String(id)]
        case .delete(let id): [String(id), "delete"]
        case .addMember(let id): [String(id), "members"]
        case .removeMember(let id, let user): [String(id), "members", String(user), "remove"]
        }
    }

    /// The team a route is about, if any.
    var teamId: Int64? {
        switch self {
        case .list, .create: nil
        case .team(let id), .update(let id), .delete(let id), .addMember(let id), .removeMember(let id, _): id
        }
    }
}
