import Foundation
import WheelhouseCore

/// The Credits section: balance card with this month's use, the warning form, the open lots.
struct CreditsPage: PageValues {
    let orgKey: String
    let currency: Currency
    let data: CreditsPageData
    let canManage: Bool
    /// A refused warning form: what was typed and why.
    var typed: String?
    var errors = FieldErrors()

    typealias Field = CreditsController.WarningField

    func fill(_ context: inout TemplateObject) {
        context["billingTabs"] = BillingSection.context(orgKey: orgKey, current: .credits)
        let status = data.status
        let balance = status.balance.balanceMicros
        var card: TemplateObject = [
            "balance": .text(currency.format(micros: balance, withCode: true)), "code": .text(currency.code),
            "symbol": .text(currency.symbol), "month": .text(data.month.title),
            "used": .text(currency.format(micros: data.usedThisMonthMicros, withCode: true)),
        ]
        if balance < 0 {
            card["owed"] = TemplateValue.text(
                "You owe \(currency.format(micros: -balance, withCode: true)): it is settled by your next purchase.")
        }
        // The bar: this month's use against what there was to use (what is left plus what was used).
        let whole = max(0, balance) + data.usedThisMonthMicros
        card["meterMax"] = TemplateValue.number(Int(min(whole, Int64(Int.max)) / 10_000))
        card["meterValue"] = TemplateValue.number(Int(min(data.usedThisMonthMicros, Int64(Int.max)) / 10_000))
        card["percent"] = TemplateValue.text(UsageFormat.percent(data.usedThisMonthMicros, of: whole) ?? "0.0 %")
        switch status.alert {
        case .low(let threshold):
            card["state"] = "warning"
            card["stateText"] = TemplateValue.text(
                "Credits low: the balance is below your warning threshold of \(currency.format(micros: threshold, withCode: true)).")
        case .exhausted(let never):
            card["state"] = "error"
            card["stateText"] = TemplateValue.text(
                (never ? "No AI credits yet" : "Credits exhausted")
                    + ": paid AI usage is paused. Models on your own provider keys (BYOK) still work.")
        case nil: card["state"] = "ok"
        }
        context["credits"] = card
        context["warning"] = warning(status.warning)
        context["lots"] = TemplateValue.list(data.lots.map(lot))
        context["noLots"] = TemplateValue.flag(data.lots.isEmpty)
        context["transactionsHref"] = TemplateValue.text(Route.org(orgKey, .billing(.transactions)).path)
        // Where buying credits goes (the payments work fills `purchase`); absent until then.
        context["purchase"] = TemplateValue.flag(false)
    }

    private func warning(_ setting: CreditWarningSetting) -> TemplateValue {
        let current =
            setting.thresholdMicros == 0 ? "Off" : currency.format(micros: setting.thresholdMicros, withCode: true)
        var object: TemplateObject = [
            "current": .text(current), "canEdit": .flag(canManage), "version": .number(setting.version),
            "formAction": .text(Route.org(orgKey, .billing(.creditWarning)).path), "names": FieldNames.of(Field.self),
        ]
        object["field"] = TemplateValue.object(
            FieldView(
                name: Field.threshold.rawValue, label: "Warn when the balance falls below (\(currency.symbol), \(currency.code))",
                value: typed ?? Self.plainAmount(setting.thresholdMicros, currency: currency), errors: errors,
                hint: "An amount in \(currency.code), such as 10 or 12.50. 0 switches the warning off.", autocomplete: "off",
                maxLength: 40
            ).context)
        object["formErrors"] = errors.formContext.map(TemplateValue.object) ?? .flag(false)
        return .object(object)
    }

    private func lot(_ lot: CreditLot) -> TemplateValue {
        var object: TemplateObject = [
            "kind": .text(lot.kind.title), "amount": .text(currency.format(micros: lot.amountMicros, withCode: true)),
            "remaining": .text(currency.format(micros: lot.remainingMicros, withCode: true)),
            "added": .text(Dates.day(lot.createdAt)), "addedISO": .text(Dates.iso(lot.createdAt)),
        ]
        if let expires = lot.expiresAt {
            object["expires"] = TemplateValue.text(Dates.day(expires))
            object["expiresISO"] = TemplateValue.text(Dates.iso(expires))
        }
        return .object(object)
    }

    /// The amount as the field shows it: digits and the currency's decimals, no symbol or grouping.
    static func plainAmount(_ micros: Int64, currency: Currency) -> String {
        let text = currency.format(micros: micros)
        return String(text.dropFirst(currency.symbol.count).filter { $0 != "," })
    }
}
