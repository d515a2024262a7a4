/// `/account/…`: a person's own account (profile, password, sessions). No routes yet: the Account
/// issue adds its cases here, and `WebApp.dispatch` already sends this branch to it.
public enum AccountRoute: RouteLeaves {
    public static let patterns: [RoutePattern<Self>] = []
    public var method: HTTPMethod { switch self {} }
    public var segments: [String] { switch self {} }
}
