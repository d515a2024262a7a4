import Foundation
import WheelhouseCore

/// The Billing tab's Plan section.
///
/// - `GET /orgs/{org}/settings/billing` — SaaS: Owner, Admin (`viewBilling`): the plan's meters and
///   the catalog; Enterprise: any member sees the notice that billing runs through the enterprise
///   agreement, with its link when `WHEELHOUSE_ENTERPRISE_BILLING_URL` is set (never a placeholder).
/// - `GET …/billing/plans/{plan}` — the preview of a change: an upgrade's prorated amount, or a
///   downgrade's date and what exceeds the lower plan's limits.
/// - `POST …/billing/plans/{plan}/downgrade`, `POST …/billing/plans/cancel-downgrade` — Owner.
///
/// In enterprise mode every billing address shows the notice: no plan, no gateway, no limits.
/// - `GET …/billing/credits`, `POST …/billing/credits/warning`, `GET …/billing/transactions(.csv)` —
///   `CreditsController`, `TransactionsController`.
/// - Payment method, buy credits, payments, invoices, auto-refill: their own controllers.
struct BillingController {
    let shell: Shell
    let database: AppDatabase
    let billing: BillingSetup

    enum CancelField: String, CaseIterable { case csrf = "_csrf", version }
    enum DowngradeField: String, CaseIterable { case csrf = "_csrf" }
    enum UpgradeField: String, CaseIterable { case csrf = "_csrf", key }

    func respond(_ route: BillingRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        guard shell.config.mode == .saas else {
            // Every billing address answers the notice: nothing is read, charged or debited.
            if route.method == .post { _ = try visit.form() }
            return try enterpriseNotice(visit, access: access, status: 200)
        }
        try access.require(.viewBilling)
        let credits = CreditsController(shell: shell, database: database)
        switch route {
        case .show: return try show(visit, access: access)
        case .credits: return try credits.show(visit, access: access)
        case .creditWarning: return try credits.updateWarning(visit, access: access)
        case .transactions: return try TransactionsController(shell: shell, database: database).show(visit, access: access)
        case .transactionsCSV: return try TransactionsController(shell: shell, database: database).csv(visit, access: access)
        case .planChange(let id):
            guard let target = Self.plan(id) else { throw WebError.notFound }
            return try preview(visit, access: access, to: target)
        case .scheduleDowngrade(let id):
            _ = try visit.form()
            guard let target = Self.plan(id) else { throw WebError.notFound }
            let scheduled = try database.scheduleDowngrade(orgKey: access.org.key, to: target, by: visit.actor)
            return try shell.redirect(
                visit, to: .org(access.org.key, .billing(.show)),
                flash:
                    "The move to \(target.name) is scheduled for \(UsageFormat.longDay(scheduled.effectiveOn)). Until then nothing changes."
            )
        case .cancelDowngrade:
            var reader = FormReader<CancelField>(try visit.form())
            let version = reader.version(.version)
            do {
                try reader.errors.throwIfAny()
                try database.cancelDowngrade(orgKey: access.org.key, expectedVersion: version, by: visit.actor)
            } catch DomainError.staleVersion {
                var page = try planPage(access)
                page.errors.addForm(
                    "The scheduled change was replaced in another tab or browser since this page was loaded. Check it below.")
                return try render(visit, page, access: access, status: 409)
            } catch DomainError.invalid(let errors) {
                var page = try planPage(access)
                page.errors = errors
                return try render(visit, page, access: access, status: 422)
            }
            return try shell.redirect(visit, to: .org(access.org.key, .billing(.show)), flash: "The scheduled downgrade is cancelled.")
        case .paymentMethod, .saveCard, .saveDetails, .retryRenewal:
            return try PaymentMethodController(shell: shell, database: database, billing: billing).respond(route, visit, access: access)
        case .buyCredits, .confirmPurchase, .payment:
            return try BuyCreditsController(shell: shell, database: database, billing: billing).respond(route, visit, access: access)
        case .invoices, .invoice, .invoicePDF:
            return try InvoicesController(shell: shell, database: database, billing: billing).respond(route, visit, access: access)
        case .autoRefill, .saveAutoRefill:
            return try AutoRefillController(shell: shell, database: database, billing: billing).respond(route, visit, access: access)
        case .upgrade(let id): return try upgrade(id, visit, access: access)
        }
    }

    /// The upgrade's charge: the payment's page tells how it ended (the challenge first for a card
    /// that asks for it); a refusal (no card, no billing details) comes back on the preview (422).
    private func upgrade(_ id: String, _ visit: Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<UpgradeField>(try visit.form())
        guard let target = Self.plan(id) else { throw WebError.notFound }
        let key = reader.text(.key, label: "Key")
        let payment: PaymentRecord?
        do {
            try reader.errors.throwIfAny()
            payment = try database.upgradePlan(orgKey: access.org.key, to: target, idempotencyKey: key, setup: billing, by: visit.actor)
        } catch DomainError.invalid(let errors) {
            return try preview(visit, access: access, to: target, errors: errors, status: 422)
        }
        guard let payment else {
            return try shell.redirect(visit, to: .org(access.org.key, .billing(.show)), flash: "You are on the \(target.name) plan now.")
        }
        // Charged by the payment worker: its page follows the payment until it has ended.
        return .redirect(to: Route.org(access.org.key, .billing(.payment(payment.id))).path)
    }

    /// A catalog plan by its id, `team` aside (only an alias of old rows).
    static func plan(_ id: String) -> Plan? { Plan.catalog.first { $0.id == id } }

    private func show(_ visit: Visit, access: OrgAccess) throws -> Response {
        try render(visit, try planPage(access, view: visit.orgView), access: access)
    }

    /// The plan and subscription as the request's org view read them (cached with it), else read now.
    private func planPage(_ access: OrgAccess, view: OrgView? = nil) throws -> BillingPage {
        var page = BillingPage(
            plan: .saas(canManage: access.allows(.manageBilling), orgKey: access.org.key),
            status: try view?.plan ?? database.planStatus(org: access.org), currency: shell.config.currency,
            salesURL: shell.config.enterpriseBillingURL)
        page.subscription = try view?.plan != nil ? view?.subscription : database.subscriptionState(orgId: access.org.id!)
        return page
    }

    private func preview(
        _ visit: Visit, access: OrgAccess, to target: Plan, errors: FieldErrors = FieldErrors(), status code: Int = 200
    ) throws -> Response {
        let status = try database.planStatus(org: access.org)
        guard target.id != status.plan.id else { return .redirect(to: Route.org(access.org.key, .billing(.show)).path) }
        let zone = TimeZone(identifier: access.org.timeZone) ?? TimeZone(identifier: "UTC")!
        var page = PlanChangePage(
            orgKey: access.org.key, status: status, target: target, canManage: access.allows(.manageBilling),
            quote: UpgradeQuote.quote(from: status.plan, to: target, now: database.now(), timeZone: zone),
            blockers: target.rank < status.plan.rank ? AppDatabase.downgradeBlockers(status, to: target) : [],
            currency: shell.config.currency)
        page.errors = errors
        // The charge's own quote, so the button's total is the amount charged; none without a card or details.
        if let quote = page.quote,
            let charge = try? database.chargeQuote(orgId: access.org.id!, netMinor: quote.amountMinor, seller: billing.seller)
        {
            page.card = "\(charge.card.brand) •\(charge.card.lastFour)"
            page.vat = charge.vat
        }
        let layout = try shell.layout(visit, title: "Change plan · \(access.org.displayName)", access: access, tab: .billing)
        return shell.render(.billingPlanChange, page, layout: layout, status: code)
    }

    private func enterpriseNotice(_ visit: Visit, access: OrgAccess, status: Int) throws -> Response {
        let layout = try shell.layout(visit, title: "Billing · \(access.org.displayName)", access: access, tab: .billing)
        return shell.render(
            .billing, BillingPage(plan: .enterprise(agreementURL: shell.config.enterpriseBillingURL)), layout: layout, status: status)
    }

    private func render(_ visit: Visit, _ page: BillingPage, access: OrgAccess, status: Int = 200) throws -> Response {
        let layout = try shell.layout(visit, title: "Billing · \(access.org.displayName)", access: access, tab: .billing)
        return shell.render(.billing, page, layout: layout, status: status)
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
