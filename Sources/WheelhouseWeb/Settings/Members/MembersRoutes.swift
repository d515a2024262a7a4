import WheelhouseCore

/// `/orgs/{org}/settings/members…`: everyone in the organization sees the list; the forms need
/// `manageMembers` (Owner, Admin), transfer needs `transferOwnership`, leaving is for anyone.
public enum MembersRoute: TabRoutes {
    /// `GET` — the list (`?q=`, `sort=`, `page=`), with the invite form for those who may invite.
    case list
    /// `POST invite` — invite up to 50 addresses.
    case invite
    /// `GET export.csv` — everyone listed, as CSV.
    case export
    /// `POST leave`, `POST transfer`.
    case leave, transfer
    /// `POST {user}/role`, `POST {user}/remove`.
    case role(Int64), remove(Int64)
    /// `POST invitations/{id}/resend`, `POST invitations/{id}/revoke`.
    case resend(Int64), revoke(Int64)

    public static let requiredAction = Action.viewOrganization
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .list }, .post("invite") { _ in .invite }, .get("export.csv") { _ in .export },
        .post("leave") { _ in .leave }, .post("transfer") { _ in .transfer },
        .post("{id}/role") { .role($0.id(0)) }, .post("{id}/remove") { .remove($0.id(0)) },
        .post("invitations/{id}/resend") { .resend($0.id(0)) }, .post("invitations/{id}/revoke") { .revoke($0.id(0)) },
    ]

    public var method: HTTPMethod {
        switch self {
        case .list, .export: .get
        case .invite, .leave, .transfer, .role, .remove, .resend, .revoke: .post
        }
    }

    public var segments: [String] {
        switch self {
        case .list: []
        case .invite: ["invite"]
        case .export: ["export.csv"]
        case .leave: ["leave"]
        case .transfer: ["transfer"]
        case .role(let id): [String(id), "role"]
        case .remove(let id): [String(id), "remove"]
        case .resend(let id): ["invitations", String(id), "resend"]
        case .revoke(let id): ["invitations", String(id), "revoke"]
        }
    }
}
