import WheelhouseCore

/// Payment method: the saved card and the billing details.
///
/// - `GET …/billing/payment-method` — Owner, Admin (read-only for Admins).
/// - `POST …/billing/payment-method/card` — Owner: number (Luhn), expiry month and year (not in
///   the past), CVC (3–4 digits), name, country → the gateway's `tokenize`; only the token,
///   brand, last four and expiry are saved. A refused form never shows the number or CVC again.
/// - `POST …/billing/payment-method/details` — Owner: legal name, address, country, billing
///   email, VAT id (checked per EU country).
/// - `POST …/billing/renewal/retry` — Owner, while a renewal is past due: `version`; queues the
///   next attempt now (the payment's page follows it). Without a card: 422 here, no attempt used.
struct PaymentMethodController {
    let shell: Shell
    let database: AppDatabase
    let billing: BillingSetup

    enum CardField: String, CaseIterable {
        case csrf = "_csrf", version, number, expiryMonth = "expiry_month", expiryYear = "expiry_year", cvc, holder
        case country = "card_country"
    }
    enum DetailsField: String, CaseIterable {
        case csrf = "_csrf", version, legalName = "legal_name", address, country, email = "billing_email", vatId = "vat_id"
    }

    func respond(_ route: BillingRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        switch route {
        case .saveCard: return try saveCard(visit, access: access)
        case .saveDetails: return try saveDetails(visit, access: access)
        case .retryRenewal: return try retryRenewal(visit, access: access)
        default: return try page(visit, access: access)
        }
    }

    func page(
        _ visit: Visit, access: OrgAccess, card: PaymentMethodPage.CardForm? = nil, details: PaymentMethodPage.DetailsForm? = nil,
        retryErrors: FieldErrors = FieldErrors(), status: Int = 200
    ) throws -> Response {
        let profile = try database.billingProfile(orgId: access.org.id!)
        let layout = try shell.layout(visit, title: "Payment method · \(access.org.displayName)", access: access, tab: .billing)
        let frame = BillingFrame(
            orgKey: access.org.key, section: .paymentMethod, canManage: access.allows(.manageBilling), currency: billing.currency)
        let page = PaymentMethodPage(
            frame: frame, profile: profile, seller: billing.seller,
            card: card ?? PaymentMethodPage.CardForm(country: profile.details?.country ?? ""),
            details: details ?? PaymentMethodPage.DetailsForm(profile.details),
            pastDue: try database.subscriptionState(orgId: access.org.id!)?.pastDue, retryErrors: retryErrors)
        return shell.render(.billingPaymentMethod, page, layout: layout, status: status)
    }

    private func saveCard(_ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.manageBilling)
        var reader = FormReader<CardField>(form)
        let number = reader.text(.number, label: "Card number"), cvc = reader.text(.cvc, label: "CVC")
        var typed = PaymentMethodPage.CardForm(
            month: reader.text(.expiryMonth, label: "Expiry month"), year: reader.text(.expiryYear, label: "Expiry year"),
            holder: reader.text(.holder, label: "Name on the card"), country: reader.text(.country, label: "Country"))
        let version = reader.version(.version)
        return try shell.submit(
            visit, stale: "The card was changed while you were typing. The saved card is shown; enter the new one again.",
            {
                try reader.errors.throwIfAny()
                guard try database.billingProfile(orgId: access.org.id!).cardVersion == version else { throw DomainError.staleVersion }
                let (card, errors) = CardRules.check(
                    number: number, month: typed.month, year: typed.year, cvc: cvc, holder: typed.holder, country: typed.country,
                    now: database.now())
                try errors.throwIfAny()
                let saved: SavedCard
                do {
                    saved = try billing.gateway.tokenize(card!)
                } catch PaymentGatewayError.cardRefused(let code) {
                    var refused = FieldErrors()
                    refused.add(code == .incorrectCVC ? "cvc" : code == .expiredCard ? "expiry_year" : "number", code.message)
                    throw DomainError.invalid(refused)
                }
                try database.saveCard(orgKey: access.org.key, saved, expectedVersion: version, by: visit.actor)
                return FormSuccess(.org(access.org.key, .billing(.paymentMethod)), flash: "Card saved: \(saved.label).")
            },
            refused: { refusal in
                typed.errors = refusal.errors
                return try page(visit, access: access, card: typed, status: refusal.status)
            })
    }

    private func saveDetails(_ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.manageBilling)
        var reader = FormReader<DetailsField>(form)
        var typed = PaymentMethodPage.DetailsForm(
            BillingDetails(
                legalName: reader.text(.legalName, label: "Legal name"), address: reader.text(.address, label: "Address"),
                country: reader.text(.country, label: "Country"), email: reader.text(.email, label: "Billing email"),
                vatId: reader.text(.vatId, label: "VAT id")))
        let version = reader.version(.version)
        return try shell.submit(
            visit, stale: "Someone changed the billing details meanwhile. Your values are kept below; save again to replace theirs.",
            {
                try reader.errors.throwIfAny()
                try database.saveBillingDetails(orgKey: access.org.key, typed.details, expectedVersion: version, by: visit.actor)
                return FormSuccess(.org(access.org.key, .billing(.paymentMethod)), flash: "Billing details saved.")
            },
            refused: { refusal in
                typed.errors = refusal.errors
                if case .stale = refusal {
                    typed.details.version = try database.billingProfile(orgId: access.org.id!).details?.version ?? 0
                }
                return try page(visit, access: access, details: typed, status: refusal.status)
            })
    }

    enum RetryField: String, CaseIterable { case csrf = "_csrf", version }

    private func retryRenewal(_ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.manageBilling)
        var reader = FormReader<RetryField>(form)
        let version = reader.version(.version)
        do {
            try reader.errors.throwIfAny()
            let payment = try database.retryRenewalNow(orgKey: access.org.key, expectedVersion: version, setup: billing, by: visit.actor)
            return .redirect(to: Route.org(access.org.key, .billing(.payment(payment.id))).path)
        } catch DomainError.invalid(let errors) {
            return try page(visit, access: access, retryErrors: errors, status: 422)
        } catch DomainError.staleVersion, DomainError.notFound {
            return try shell.redirect(
                visit, to: .org(access.org.key, .billing(.paymentMethod)),
                flash: "The renewal’s state changed meanwhile (a retry ran or it was paid). This page shows where it stands now.")
        }
    }
}
