import WheelhouseCore

/// `/orgs/{org}/settings/billing`: Owner and Admin (`viewBilling`); in enterprise mode the page
/// shows the agreement notice and the tab is left out of the navigation.
public enum BillingRoute: TabRoutes {
    /// `GET` — the plan (SaaS) or the enterprise notice.
    case show

    public static let requiredAction = Action.viewBilling
    public static let patterns: [RoutePattern<Self>] = [.get("") { _ in .show }]

    public var method: HTTPMethod { .get }
    public var segments: [String] { [] }
}
