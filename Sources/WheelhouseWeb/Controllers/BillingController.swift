import WheelhouseCore

/// The Billing tab.
///
/// - `GET /orgs/{org}/settings/billing` — SaaS: Owner, Admin (`viewBilling`); Enterprise: any
///   member sees the notice that billing runs through the enterprise agreement.
struct BillingController {
    let app: WebApp

    func show(_ visit: Visit, access: OrgAccess) throws -> Response {
        var context = try app.layout(visit, title: "Billing · \(access.org.displayName)", access: access, tab: .billing)
        switch app.config.mode {
        case .enterprise:
            context["enterprise"] = ["url": .text(app.config.enterpriseBillingURL)] as TemplateObject
        case .saas:
            try access.require(.viewBilling)
            context["saas"] = ["canManage": .flag(access.allows(.manageBilling))] as TemplateObject
        }
        return app.page("settings/billing", context)
    }
}
