import WheelhouseCore

/// `/orgs/{org}/settings/chat-models`: each person's own model picker (`useOwnCredentials`).
public enum ChatModelsRoute: TabRoutes {
    /// `GET` — the models; `POST` — switch one on or off.
    case show, update

    public static let requiredAction = Action.useOwnCredentials
    public static let patterns: [RoutePattern<Self>] = [.get("") { _ in .show }, .post("") { _ in .update }]

    public var method: HTTPMethod { self == .show ? .get : .post }
    public var segments: [String] { [] }
}
