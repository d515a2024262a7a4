import WheelhouseCore

/// `/orgs/{org}/settings/billing…`: Owner and Admin (`viewBilling`); every post is the Owner's
/// (`manageBilling`). In enterprise mode every route answers the agreement notice and the tab is
/// left out of the navigation.
public enum BillingRoute: TabRoutes {
    /// `GET` — the plan (SaaS) or the enterprise notice.
    case show
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

    public static let requiredAction = Action.viewBilling
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .show }, .get("payment-method") { _ in .paymentMethod }, .post("payment-method/card") { _ in .saveCard },
        .post("payment-method/details") { _ in .saveDetails }, .get("credits/buy") { _ in .buyCredits },
        .post("credits/buy") { _ in .confirmPurchase }, .get("payments/{id}") { .payment($0.id(0)) }, .get("invoices") { _ in .invoices },
        .get("invoices/{id}") { .invoice($0.id(0)) }, .get("invoices/{id}/pdf") { .invoicePDF($0.id(0)) },
        .get("auto-refill") { _ in .autoRefill }, .post("auto-refill") { _ in .saveAutoRefill },
    ]

    public var method: HTTPMethod {
        switch self {
        case .saveCard, .saveDetails, .confirmPurchase, .saveAutoRefill: .post
        default: .get
        }
    }

    public var segments: [String] {
        switch self {
        case .show: []
        case .paymentMethod: ["payment-method"]
        case .saveCard: ["payment-method", "card"]
        case .saveDetails: ["payment-method", "details"]
        case .buyCredits, .confirmPurchase: ["credits", "buy"]
        case .payment(let id): ["payments", String(id)]
        case .invoices: ["invoices"]
        case .invoice(let id): ["invoices", String(id)]
        case .invoicePDF(let id): ["invoices", String(id), "pdf"]
        case .autoRefill, .saveAutoRefill: ["auto-refill"]
        }
    }
}
