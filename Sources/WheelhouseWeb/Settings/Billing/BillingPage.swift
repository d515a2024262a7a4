import WheelhouseCore

/// The Billing tab: in SaaS the plan and credits (read by Owners and Admins, changed by Owners);
/// in Enterprise the notice that billing runs through the enterprise agreement.
struct BillingPage: PageValues {
    enum Plan {
        /// `agreementURL` is shown only when configured, never a placeholder address.
        case enterprise(agreementURL: String?)
        case saas(canManage: Bool, orgKey: String)
    }

    let plan: Plan

    func fill(_ context: inout TemplateObject) {
        switch plan {
        case .enterprise(let url):
            var notice: TemplateObject = [:]
            if let url { notice["url"] = TemplateValue.text(url) }
            context["enterprise"] = notice
        case .saas(let canManage, let orgKey):
            context["saas"] = ["canManage": .flag(canManage)] as TemplateObject
            context["billingTabs"] = BillingSection.context(orgKey: orgKey, current: .plan)
        }
    }
}
