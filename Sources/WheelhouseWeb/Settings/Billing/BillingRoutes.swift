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

    /// `GET payment-method` — the saved card and the billing details.
    case paymentMethod
    /// `POST payment-method/card` — a card to tokenize and save.
    case saveCard
    /// `POST payment-method/details` — the billing details printed on invoices.
    case saveDetails
    /// `GET credits/buy` — packages and a custom amount; `?amount=` shows the confirmation step.
    case buyCredits
    /// `POST credits/buy` — charges the confirmed amount (with the form's idempotency key).
    case confirmPurchase
    /// `GET payments/{id}` — how a payment ended (the challenge page returns here).
    case payment(Int64)
    /// `GET invoices` — the organization's invoices.
    case invoices
    /// `GET invoices/{id}` — one invoice, printable.
    case invoice(Int64)
    /// `GET invoices/{id}/pdf` — the same as a PDF.
    case invoicePDF(Int64)
    /// `GET auto-refill` — the settings, the next trigger point and the cap left this month.
    case autoRefill
    /// `POST auto-refill` — switches it on or off and sets threshold, target and cap.
    case saveAutoRefill
    /// `POST plans/{plan}/upgrade` — charges the prorated difference and moves up at once.
    case upgrade(String)
    /// `POST renewal/retry` — a past-due renewal is charged again now (Owner, version-checked).
    case retryRenewal

    public static let requiredAction = Action.viewBilling
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .show }, .get("credits") { _ in .credits }, .post("credits/warning") { _ in .creditWarning },
        .get("transactions") { _ in .transactions }, .get("transactions.csv") { _ in .transactionsCSV },
        .get("plans/{key}") { .planChange($0.key(0)) },
        .post("plans/{key}/downgrade") { .scheduleDowngrade($0.key(0)) },
        .post("plans/cancel-downgrade") { _ in .cancelDowngrade },
        .get("payment-method") { _ in .paymentMethod }, .post("payment-method/card") { _ in .saveCard },
        .post("payment-method/details") { _ in .saveDetails }, .get("credits/buy") { _ in .buyCredits },
        .post("credits/buy") { _ in .confirmPurchase }, .get("payments/{id}") { .payment($0.id(0)) }, .get("invoices") { _ in .invoices },
        .get("invoices/{id}") { .invoice($0.id(0)) }, .get("invoices/{id}/pdf") { .invoicePDF($0.id(0)) },
        .get("auto-refill") { _ in .autoRefill }, .post("auto-refill") { _ in .saveAutoRefill },
        .post("plans/{key}/upgrade") { .upgrade($0.key(0)) }, .post("renewal/retry") { _ in .retryRenewal },
    ]

    public var method: HTTPMethod {
        switch self {
        case .creditWarning, .scheduleDowngrade, .cancelDowngrade, .saveCard, .saveDetails, .confirmPurchase, .saveAutoRefill, .upgrade,
            .retryRenewal:
            .post
        default: .get
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
        case .paymentMethod: ["payment-method"]
        case .saveCard: ["payment-method", "card"]
        case .saveDetails: ["payment-method", "details"]
        case .buyCredits, .confirmPurchase: ["credits", "buy"]
        case .payment(let id): ["payments", String(id)]
        case .invoices: ["invoices"]
        case .invoice(let id): ["invoices", String(id)]
        case .invoicePDF(let id): ["invoices", String(id), "pdf"]
        case .autoRefill, .saveAutoRefill: ["auto-refill"]
        case .upgrade(let plan): ["plans", plan, "upgrade"]
        case .retryRenewal: ["renewal", "retry"]
        }
    }
}
