import WheelhouseCore

/// Buy credits: the packages and the custom amount, or — with a valid amount — the
/// confirmation step with the exact total and the form's idempotency key.
struct BuyCreditsPage: PageValues {
    let frame: BillingFrame
    var typed = ""
    var errors = FieldErrors()
    var quote: PurchaseQuote?
    var key = ""

    func fill(_ context: inout TemplateObject) {
        frame.fill(&context)
        let buy = frame.route(.buyCredits)
        context["buyAction"] = buy
        context["packages"] = TemplateValue.list(
            CreditPackages.packages.map { p in
                .object([
                    "title": .text(p.title), "price": .text(frame.money(p.amountMinor)),
                    "tokens": .text(CreditPackages.tokensText(CreditPackages.approximateTokens(p.amountMinor))),
                    "href": .text(Route.org(frame.orgKey, .billing(.buyCredits)).path(query: [("amount", frame.plain(p.amountMinor))])),
                ])
            })
        context["customField"] =
            FieldView(
                name: "amount", label: "Custom amount (\(frame.currency.code))", value: typed, errors: errors,
                hint:
                    "From \(frame.money(CreditPackages.customRange.lowerBound)) to \(frame.money(CreditPackages.customRange.upperBound)).",
                autocomplete: "off", required: true, maxLength: 12
            ).context
        if !errors.form.isEmpty { context["formErrors"] = ["messages": errors.form.templateValue] as TemplateObject }
        context["paymentMethodHref"] = frame.route(.paymentMethod)
        if let quote {
            context["confirm"] =
                [
                    "credits": .text(frame.money(quote.creditsMinor)), "vatNote": .text(quote.vat.note),
                    "vat": .text(frame.money(quote.vatMinor)),
                    "total": .text(frame.money(quote.totalMinor)), "card": .text(quote.card.label),
                    "amountMinor": .text(String(quote.creditsMinor)),
                    "key": .text(key), "action": .text(buy), "backHref": .text(buy),
                    "tokens": .text(CreditPackages.tokensText(CreditPackages.approximateTokens(quote.creditsMinor))),
                ] as TemplateObject
        }
    }
}

/// How one payment ended.
struct PaymentPage: PageValues {
    let frame: BillingFrame
    let payment: PaymentRecord
    var returned = false

    func fill(_ context: inout TemplateObject) {
        frame.fill(&context)
        var p: TemplateObject = [
            "credits": .text(frame.money(payment.creditsMinor)), "total": .text(frame.money(payment.totalMinor)),
            "kind": .text(payment.kind.title),
            "upgrade": .flag(payment.kind == .upgrade || payment.kind == .renewal), "renewal": .flag(payment.kind == .renewal),
            "planHref": .text(frame.route(.show)), "buyHref": .text(frame.route(.buyCredits)),
            "paymentMethodHref": .text(frame.route(.paymentMethod)),
        ]
        switch payment.status {
        case .succeeded:
            p["succeeded"] = true
            if let id = payment.invoiceId, let number = payment.invoiceNumber {
                p["invoice"] =
                    [
                        "number": .text(Invoice.display(number)), "href": .text(frame.route(.invoice(id))),
                        "pdfHref": .text(frame.route(.invoicePDF(id))),
                    ] as TemplateObject
            }
        case .failed: p["failed"] = (payment.failure ?? .cardDeclined).message
        case .authenticating where returned:
            p["waiting"] = true
            context["autoRefresh"] = 1
        case .authenticating:
            p["challengeHref"] = Route.testGatewayChallenge(payment.challengeId ?? "", .show).path
        case .pending:
            p["pending"] = true
            context["autoRefresh"] = 1
        }
        context["payment"] = p
    }
}
