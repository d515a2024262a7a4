import WheelhouseCore

/// The sections of the Billing tab (SaaS mode), shown as a row of links at the top of each of
/// its pages (`partials/billing-tabs`). Each section's routes live in `BillingRoute`.
enum BillingSection: String, CaseIterable {
    case plan, credits, transactions, invoices, paymentMethod = "payment-method", autoRefill = "auto-refill"

    var title: String {
        switch self {
        case .plan: "Plan"
        case .credits: "Credits"
        case .transactions: "Transactions"
        case .invoices: "Invoices"
        case .paymentMethod: "Payment method"
        case .autoRefill: "Auto-refill"
        }
    }

    /// `/orgs/{org}/settings/billing` for the plan, `…/billing/{section}` for the others.
    func path(orgKey: String) -> String {
        let base = "/orgs/\(orgKey)/settings/billing"
        return self == .plan ? base : base + "/" + rawValue
    }

    /// For the partial: every section, `current` marked for `aria-current`.
    static func context(orgKey: String, current: BillingSection) -> TemplateValue {
        .list(
            allCases.map { section in
                .object([
                    "title": .text(section.title), "href": .text(section.path(orgKey: orgKey)), "current": .flag(section == current),
                ])
            })
    }
}
