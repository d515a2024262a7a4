import WheelhouseCore

/// `/orgs/{org}/settings/general`: everyone in the organization sees it; saving needs `editGeneral`
/// (checked by the domain).
public enum GeneralRoute: TabRoutes {
    /// `GET` — the form.
    case show
    /// `POST` — save it.
    case update

    public static let requiredAction = Action.viewOrganization
    public static let patterns: [RoutePattern<Self>] = [.get("") { _ in .show }, .post("") { _ in .update }]

    public var method: HTTPMethod { self == .show ? .get : .post }
    public var segments: [String] { [] }
}
