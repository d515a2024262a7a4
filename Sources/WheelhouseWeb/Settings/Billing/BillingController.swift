import WheelhouseCore

/// The Billing tab.
///
/// - `GET /orgs/{org}/settings/billing` — SaaS: Owner, Admin (`viewBilling`); Enterprise: any
///   member sees the notice that billing runs through the enterprise agreement, with its link
///   when `WHEELHOUSE_ENTERPRISE_BILLING_URL` is set (never a placeholder address).
/// - Every other billing route (`credits`, `transactions`, …) answers that same notice in
///   enterprise mode: nothing is read, charged or debited there.
struct BillingController {
    let shell: Shell
    let database: AppDatabase

    func respond(_ route: BillingRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        if shell.config.mode == .enterprise { return try show(visit, access: access) }
        let credits = CreditsController(shell: shell, database: database)
        switch route {
        case .show: return try show(visit, access: access)
        case .credits: return try credits.show(visit, access: access)
        case .creditWarning: return try credits.updateWarning(visit, access: access)
        case .transactions: return try TransactionsController(shell: shell, database: database).show(visit, access: access)
        case .transactionsCSV: return try TransactionsController(shell: shell, database: database).csv(visit, access: access)
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
