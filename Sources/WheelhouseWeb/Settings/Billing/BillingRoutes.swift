import WheelhouseCore

/// `/orgs/{org}/settings/billing`: Owner and Admin (`viewBilling`); in enterprise mode every
/// route shows the agreement notice and the tab is left out of the navigation. New routes go at
/// the end of each list, so work on the tab's sections merges as a union.
public enum BillingRoute: TabRoutes {
    /// `GET` — the plan (SaaS) or the enterprise notice.
    case show
    /// `GET credits` — the balance, this month's use, the warning threshold and the open lots.
    case credits
    /// `POST credits/warning` — the warning threshold (Owner only, `manageBilling`).
    case creditWarning
    /// `GET transactions` — the ledger, newest first (`?kind=&month=&page=`).
    case transactions
    /// `GET transactions.csv` — the same filter, every entry, as CSV.
    case transactionsCSV

    public static let requiredAction = Action.viewBilling
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .show }, .get("credits") { _ in .credits }, .post("credits/warning") { _ in .creditWarning },
        .get("transactions") { _ in .transactions }, .get("transactions.csv") { _ in .transactionsCSV },
    ]

    public var method: HTTPMethod { self == .creditWarning ? .post : .get }
    public var segments: [String] {
        switch self {
        case .show: []
        case .credits: ["credits"]
        case .creditWarning: ["credits", "warning"]
        case .transactions: ["transactions"]
        case .transactionsCSV: ["transactions.csv"]
        }
    }
}
