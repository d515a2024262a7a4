import WheelhouseCore

/// The Billing tab.
///
/// - `GET /orgs/{org}/settings/billing` — SaaS: Owner, Admin (`viewBilling`); Enterprise: any
///   member sees the notice that billing runs through the enterprise agreement, with its link
///   when `WHEELHOUSE_ENTERPRISE_BILLING_URL` is set (never a placeholder address).
struct BillingController {
    let shell: Shell
    let database: AppDatabase

    func respond(_ route: BillingRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        switch route {
        case .show: try show(visit, access: access)
        }
    }

    func show(_ visit: Visit, access: OrgAccess) throws -> Response {
        var context = try shell.layout(visit, title: "Billing · \(access.org.displayName)", access: access, tab: .billing)
        switch shell.config.mode {
        case .enterprise:
            var notice: TemplateObject = [:]
            if let url = shell.config.enterpriseBillingURL { notice["url"] = TemplateValue.text(url) }
            context["enterprise"] = notice
        case .saas:
            try access.require(.viewBilling)
            context["saas"] = ["canManage": .flag(access.allows(.manageBilling))] as TemplateObject
        }
        return shell.page(.billing, context)
    }
}
