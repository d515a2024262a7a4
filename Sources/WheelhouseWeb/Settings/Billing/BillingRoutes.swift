import WheelhouseCore

/// `/orgs/{org}/settings/billing…`: Owner and Admin (`viewBilling`); changes are the Owner's
/// (`manageBilling`, checked by the domain). In enterprise mode every billing address shows the
/// agreement notice and the tab is left out of the navigation. New routes go at the end of each
/// list, so work on the tab's sections merges as a union.
public enum BillingRoute: TabRoutes {
    /// `GET` — the Plan section: meters and the catalog (SaaS), or the enterprise notice.
    case show
    /// `GET credits` — the balance, this month's use, the warning threshold and the open lots.
    case credits
    /// `POST credits/warning` — the warning threshold (Owner only, `manageBilling`).
    case creditWarning
    /// `GET transactions` — the ledger, newest first (`?kind=&month=&page=`).
    case transactions
    /// `GET transactions.csv` — the same filter, every entry, as CSV.
    case transactionsCSV
    /// `GET plans/{plan}` — what moving to that plan means: an upgrade's prorated charge, or a
    /// downgrade's date and what would not fit.
    case planChange(String)
    /// `POST plans/{plan}/downgrade` — schedules the move for the start of the next period.
    case scheduleDowngrade(String)
    /// `POST plans/cancel-downgrade` — keeps the current plan (version-checked).
    case cancelDowngrade

    public static let requiredAction = Action.viewBilling
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .show }, .get("credits") { _ in .credits }, .post("credits/warning") { _ in .creditWarning },
        .get("transactions") { _ in .transactions }, .get("transactions.csv") { _ in .transactionsCSV },
        .get("plans/{key}") { .planChange($0.key(0)) },
        .post("plans/{key}/downgrade") { .scheduleDowngrade($0.key(0)) },
        .post("plans/cancel-downgrade") { _ in .cancelDowngrade },
    ]

    public var method: HTTPMethod {
        switch self {
        case .show, .credits, .transactions, .transactionsCSV, .planChange: .get
        case .creditWarning, .scheduleDowngrade, .cancelDowngrade: .post
        }
    }

    public var segments: [String] {
        switch self {
        case .show: []
        case .credits: ["credits"]
        case .creditWarning: ["credits", "warning"]
        case .transactions: ["transactions"]
        case .transactionsCSV: ["transactions.csv"]
        case .planChange(let plan): ["plans", plan]
        case .scheduleDowngrade(let plan): ["plans", plan, "downgrade"]
        case .cancelDowngrade: ["plans", "cancel-downgrade"]
        }
    }
}
