import WheelhouseCore

/// Buy credits, and how each payment ended.
///
/// - `GET …/billing/credits/buy` — Owner, Admin (read-only): the packages (Standard, Popular,
///   Large, with the gpt-4o tokens each buys) and a custom amount (5 to 5 000). `?amount=` (in
///   units, e.g. `10` or `12.50`) is the confirmation step: credits, VAT and the exact total,
///   with a fresh idempotency key in the form. A bad amount answers 422 beside the field.
/// - `POST …/billing/credits/buy` — Owner: `amount` (minor units) and `key`. Queues one charge per
///   key for the payment worker and goes to the payment's page: success → the invoice;
///   authentication → the test gateway's challenge page, which returns to the payment's page;
///   declined → the reason, nothing added.
/// - `GET …/billing/payments/{id}` — Owner, Admin: the outcome; while the payment worker is still
///   charging, or the bank's answer is awaited (`?returned=1`), the page reloads itself every second.
struct BuyCreditsController {
    let shell: Shell
    let database: AppDatabase
    let billing: BillingSetup

    enum Field: String, CaseIterable { case csrf = "_csrf", amount, key }

    func respond(_ route: BillingRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        switch route {
        case .confirmPurchase: return try confirm(visit, access: access)
        case .payment(let id): return try payment(id, visit, access: access)
        default: return try choose(visit, access: access)
        }
    }

    private var frame: (OrgAccess) -> BillingFrame {
        { BillingFrame(orgKey: $0.org.key, section: .credits, canManage: $0.allows(.manageBilling), currency: billing.currency) }
    }

    private func choose(_ visit: Visit, access: OrgAccess) throws -> Response {
        guard let typed = visit.request.queryItems["amount"] else { return try render(visit, access, BuyCreditsPage(frame: frame(access))) }
        var page = BuyCreditsPage(frame: frame(access))
        page.typed = typed
        guard let minor = CreditPackages.parse(typed, currency: billing.currency) else {
            page.errors.add("amount", "Enter an amount in \(billing.currency.code), such as 25 or 25.50.")
            return try render(visit, access, page, status: 422)
        }
        do {
            page.quote = try database.purchaseQuote(orgId: access.org.id!, creditsMinor: minor, seller: billing.seller)
            page.key = Crypto.randomToken().filter { $0.isLetter || $0.isNumber }
        } catch DomainError.invalid(let errors) {
            page.errors = errors
            return try render(visit, access, page, status: 422)
        }
        return try render(visit, access, page)
    }

    private func confirm(_ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.manageBilling)
        var reader = FormReader<Field>(form)
        let amount = Int64(reader.text(.amount, label: "Amount")) ?? -1
        let key = reader.text(.key, label: "Key")
        var page = BuyCreditsPage(frame: frame(access))
        let payment: PaymentRecord
        do {
            try reader.errors.throwIfAny()
            payment = try database.buyCredits(
                orgKey: access.org.key, creditsMinor: amount, idempotencyKey: key, setup: billing, by: visit.actor)
        } catch DomainError.invalid(let errors) {
            page.errors = errors
            page.typed = amount > 0 ? BillingFrame.plainText(amount, billing.currency) : ""
            return try render(visit, access, page, status: 422)
        }
        // Charged by the payment worker: its page follows the payment until it has ended.
        return .redirect(to: Route.org(access.org.key, .billing(.payment(payment.id))).path)
    }

    private func payment(_ id: Int64, _ visit: Visit, access: OrgAccess) throws -> Response {
        guard let payment = try database.payment(orgId: access.org.id!, id: id) else { throw DomainError.notFound }
        // Back from the bank's challenge (`returned`), the page waits for the worker to hear how
        // it ended; before it, the person is sent to the challenge.
        let returned = visit.request.queryItems["returned"] == "1"
        if payment.status == .authenticating, !returned, access.allows(.manageBilling), let challenge = payment.challengeId {
            return .redirect(to: Route.testGatewayChallenge(challenge, .show).path)
        }
        let layout = try shell.layout(visit, title: "Payment · \(access.org.displayName)", access: access, tab: .billing)
        return shell.render(.billingPayment, PaymentPage(frame: frame(access), payment: payment, returned: returned), layout: layout)
    }

    private func render(_ visit: Visit, _ access: OrgAccess, _ page: BuyCreditsPage, status: Int = 200) throws -> Response {
        let layout = try shell.layout(visit, title: "Buy credits · \(access.org.displayName)", access: access, tab: .billing)
        return shell.render(.billingBuy, page, layout: layout, status: status)
    }
}

extension BillingFrame {
    static func plainText(_ minor: Int64, _ currency: Currency) -> String {
        BillingFrame(orgKey: "", section: .credits, canManage: false, currency: currency).plain(minor)
    }
}
