import WheelhouseCore

/// The Transactions section: the filter form (GET), the ledger rows, the pager and the export link.
struct TransactionsPage: PageValues {
    let orgKey: String
    let currency: Currency
    let query: TransactionsQuery
    let entries: [CreditTransaction]
    let more: Bool

    func fill(_ context: inout TemplateObject) {
        context["billingTabs"] = BillingSection.context(orgKey: orgKey, current: .transactions)
        let base = Route.org(orgKey, .billing(.transactions))
        context["filterAction"] = TemplateValue.text(base.path)
        context["kinds"] = TemplateValue.list(
            CreditEntryKind.allCases.map { kind in
                TemplateValue.object([
                    "value": .text(kind.rawValue), "title": .text(kind.title), "selected": .flag(query.filter.kind == kind),
                ])
            })
        context["month"] = TemplateValue.text(query.typedMonth)
        context["filtered"] = TemplateValue.flag(!query.items.isEmpty)
        context["clearHref"] = TemplateValue.text(base.path)
        context["csvHref"] = TemplateValue.text(Route.org(orgKey, .billing(.transactionsCSV)).path(query: query.items))
        context["code"] = TemplateValue.text(currency.code)
        if !query.problems.isEmpty { context["pageProblems"] = TemplateValue.list(query.problems.map(TemplateValue.text)) }
        context["empty"] = TemplateValue.flag(entries.isEmpty)
        context["rows"] = TemplateValue.list(entries.map(row))
        var pager: TemplateObject = [:]
        if query.page > 1 { pager["previous"] = TemplateValue.text(base.path(query: query.items + [("page", String(query.page - 1))])) }
        if more { pager["next"] = TemplateValue.text(base.path(query: query.items + [("page", String(query.page + 1))])) }
        if query.page > 1 || more { context["pager"] = TemplateValue.object(pager) }
    }

    private func row(_ entry: CreditTransaction) -> TemplateValue {
        let detail: String =
            if let day = entry.day { "AI usage of \(day)" } else if entry.reference.isEmpty { "" } else { entry.reference }
        return .object([
            "when": .text(Dates.dayTime(entry.createdAt)), "iso": .text(Dates.isoTime(entry.createdAt)),
            "kind": .text(entry.kind.title), "detail": .text(detail),
            "amount": .text(currency.format(micros: entry.amountMicros, withCode: true)),
            "credit": .flag(entry.amountMicros > 0),
            "balance": .text(currency.format(micros: entry.balanceAfterMicros, withCode: true)),
        ])
    }
}
