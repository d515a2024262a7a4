import WheelhouseCore

/// `/orgs/{org}/settings/usage…`: Owner and Admin (`viewUsage`).
public enum UsageRoute: TabRoutes {
    /// `GET` — the month's charts and tables (`?month=`, `workspace=`).
    case show
    /// `GET export.csv` — the month's rollup rows as CSV.
    case export

    public static let requiredAction = Action.viewUsage
    public static let patterns: [RoutePattern<Self>] = [.get("") { _ in .show }, .get("export.csv") { _ in .export }]

    public var method: HTTPMethod { .get }
    public var segments: [String] { self == .show ? [] : ["export.csv"] }
}
