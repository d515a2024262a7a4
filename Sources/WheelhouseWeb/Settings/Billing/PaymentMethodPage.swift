import WheelhouseCore

/// The Payment method page: the saved card (brand, last four, expiry), the card form, the
/// billing details and the seller they are invoiced by.
struct PaymentMethodPage: PageValues {
    /// What the card form shows back: never the number or the CVC.
    struct CardForm {
        var month = ""
        var year = ""
        var holder = ""
        var country: String
        var errors = FieldErrors()
    }

    struct DetailsForm {
        var details: BillingDetails
        var errors = FieldErrors()

        init(_ details: BillingDetails?) {
            self.details = details ?? BillingDetails(legalName: "", address: "", country: "", email: "", vatId: "")
        }
    }

    let frame: BillingFrame
    let profile: BillingProfile
    let seller: Seller
    let card: CardForm
    let details: DetailsForm
    /// A renewal that failed: the cause, the next retry and "Retry now".
    var pastDue: SubscriptionState.PastDue? = nil
    var retryErrors = FieldErrors()

    static func countries(_ chosen: String) -> [(value: String, title: String)] {
        [("", "Choose…")] + Countries.all.map { ($0.code, $0.name) }
    }

    func fill(_ context: inout TemplateObject) {
        frame.fill(&context)
        if let saved = profile.card { context["savedCard"] = saved.label }
        let d = profile.details
        context["detailsSummary"] = d.map { d in
            [
                "legalName": .text(d.legalName), "address": .text(d.address), "country": .text(Countries.name(d.country) ?? d.country),
                "email": .text(d.email), "vatId": .text(d.vatId.isEmpty ? "None" : d.vatId),
            ] as TemplateObject
        }
        context["seller"] = ["name": .text(seller.name), "address": .text(seller.address), "vatId": .text(seller.vatId)] as TemplateObject
        if let due = pastDue {
            context["pastDue"] =
                [
                    "reason": .text(due.reason), "month": .text(due.month.longName),
                    "amount": .text(due.amountMinor.map { frame.money($0) } ?? ""),
                    "nextRetry": .text(PendingDeletionWords.date(due.nextRetryAt)),
                    "freeOn": .text(PendingDeletionWords.date(due.movesToFreeAt)), "version": .text(String(due.version)),
                    "action": .text(frame.route(.retryRenewal)),
                    "problems": (retryErrors.form + retryErrors.byField.values.flatMap { $0 }).templateValue,
                    "hasProblems": .flag(!retryErrors.isEmpty),
                ] as TemplateObject
        }
        context["cardAction"] = frame.route(.saveCard)
        context["detailsAction"] = frame.route(.saveDetails)
        context["cardVersion"] = profile.cardVersion
        context["detailsVersion"] = details.details.version
        let c = card.errors
        context["cardFields"] =
            [
                "number": .object(
                    FieldView(
                        name: "number", label: "Card number", value: "", errors: c, hint: "Test mode: 4242 4242 4242 4242 succeeds.",
                        autocomplete: "off", required: true, maxLength: 23, spellcheck: false
                    ).context),
                "month": .object(
                    FieldView(
                        name: "expiry_month", label: "Expiry month", value: card.month, errors: c, autocomplete: "off", required: true,
                        maxLength: 2
                    ).context),
                "year": .object(
                    FieldView(
                        name: "expiry_year", label: "Expiry year", value: card.year, errors: c, autocomplete: "off", required: true,
                        maxLength: 4
                    ).context),
                "cvc": .object(
                    FieldView(
                        name: "cvc", label: "Security code (CVC)", value: "", type: "password", errors: c, autocomplete: "off",
                        required: true, maxLength: 4
                    ).context),
                "holder": .object(
                    FieldView(
                        name: "holder", label: "Name on the card", value: card.holder, errors: c, autocomplete: "off", required: true,
                        maxLength: 100
                    ).context),
                "country": .object(
                    SelectField(
                        name: "card_country", label: "Billing country", hint: "Where the card is billed.",
                        options: Self.countries(card.country), chosen: card.country, errors: c
                    ).context),
            ] as TemplateObject
        let e = details.errors
        let v = details.details
        context["detailsFields"] =
            [
                "legalName": .object(
                    FieldView(
                        name: "legal_name", label: "Legal name", value: v.legalName, errors: e, autocomplete: "organization",
                        required: true, maxLength: 200
                    ).context),
                "address": .object(
                    FieldView(
                        name: "address", label: "Address", value: v.address, type: "textarea", errors: e, autocomplete: "street-address",
                        required: true, maxLength: 500
                    ).context),
                "country": .object(
                    SelectField(
                        name: "country", label: "Country", hint: "Decides the VAT on invoices.", options: Self.countries(v.country),
                        chosen: v.country, errors: e
                    ).context),
                "email": .object(
                    FieldView(
                        name: "billing_email", label: "Billing email", value: v.email, type: "email", errors: e, autocomplete: "email",
                        required: true, maxLength: 254
                    ).context),
                "vatId": .object(
                    FieldView(
                        name: "vat_id", label: "VAT id (EU businesses)", value: v.vatId, errors: e,
                        hint: "With the country prefix, e.g. FR12345678901. Leave empty for a consumer or outside the EU.",
                        autocomplete: "off", maxLength: 20, spellcheck: false
                    ).context),
            ] as TemplateObject
        if !(c.form + e.form).isEmpty { context["formErrors"] = ["messages": (c.form + e.form).templateValue] as TemplateObject }
    }
}
