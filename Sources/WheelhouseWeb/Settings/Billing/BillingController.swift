import WheelhouseCore

/// The Billing tab.
///
/// - `GET /orgs/{org}/settings/billing` — SaaS: Owner, Admin (`viewBilling`); Enterprise: any
///   member sees the notice that billing runs through the enterprise agreement, with its link
///   when `WHEELHOUSE_ENTERPRISE_BILLING_URL` is set (never a placeholder address).
/// - Every other billing route (payment method, buy credits, payments, invoices, auto-refill)
///   has its own controller; in enterprise mode each answers the same notice and calls nothing.
struct BillingController {
    let shell: Shell
    let database: AppDatabase
    let billing: BillingSetup

    func respond(_ route: BillingRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        if shell.config.mode == .enterprise { return try show(visit, access: access) }
        try access.require(.viewBilling)
        switch route {
        case .show: return try show(visit, access: access)
        case .paymentMethod, .saveCard, .saveDetails:
            return try PaymentMethodController(shell: shell, database: database, billing: billing).respond(route, visit, access: access)
        case .buyCredits, .confirmPurchase, .payment:
            return try BuyCreditsController(shell: shell, database: database, billing: billing).respond(route, visit, access: access)
        case .invoices, .invoice, .invoicePDF:
            return try InvoicesController(shell: shell, database: database, billing: billing).respond(route, visit, access: access)
        case .autoRefill, .saveAutoRefill:
            return try AutoRefillController(shell: shell, database: database, billing: billing).respond(route, visit, access: access)
        }
    }

    func show(_ visit: Visit, access: OrgAccess) throws -> Response {
        let layout = try shell.layout(visit, title: "Billing · \(access.org.displayName)", access: access, tab: .billing)
        let page: BillingPage
        switch shell.config.mode {
        case .enterprise:
            page = BillingPage(plan: .enterprise(agreementURL: shell.config.enterpriseBillingURL))
        case .saas:
            try access.require(.viewBilling)
            page = BillingPage(plan: .saas(canManage: access.allows(.manageBilling), orgKey: access.org.key))
        }
        return shell.render(.billing, page, layout: layout)
    }
}

/// What every billing page of the payments part shares: the section links with the test-mode
/// label, whether the viewer may change things, and money in the deployment's currency.
struct BillingFrame {
    var orgKey: String
    var section: BillingSection
    var canManage: Bool
    var currency: Currency

    func fill(_ context: inout TemplateObject) {
        context["billingTabs"] = BillingSection.context(orgKey: orgKey, current: section)
        context["canManage"] = canManage
    }

    func money(_ minor: Int64) -> String { currency.format(minor: minor, withCode: true) }
    func route(_ leaf: BillingRoute) -> String { Route.org(orgKey, .billing(leaf)).path }

    /// Minor units as a form shows them back ("10.00"), or what was typed.
    func plain(_ minor: Int64) -> String {
        var scale: Int64 = 1
        for _ in 0..<currency.minorDigits { scale *= 10 }
        let fraction = String(minor % scale)
        return currency.minorDigits == 0
            ? "\(minor)" : "\(minor / scale).\(String(repeating: "0", count: currency.minorDigits - fraction.count))\(fraction)"
    }
}
