import Foundation
import WheelhouseCore

/// The Billing tab's Plan section: in SaaS the plan's meters and the catalog (read by Owners and
/// Admins, changed by Owners); in Enterprise the notice that billing runs through the agreement.
struct BillingPage: PageValues {
    enum Mode {
        /// `agreementURL` is shown only when configured, never a placeholder address.
        case enterprise(agreementURL: String?)
        case saas(canManage: Bool, orgKey: String)
    }

    let plan: Mode
    var status: PlanStatus? = nil
    var currency: Currency = .eur
    var salesURL: String? = nil
    var errors = FieldErrors()
    /// A paid plan's subscription: when it renews, or that its renewal failed.
    var subscription: SubscriptionState? = nil

    static let cancelNames = FieldNames.of(BillingController.CancelField.self)

    func fill(_ context: inout TemplateObject) {
        switch plan {
        case .enterprise(let url):
            var notice: TemplateObject = [:]
            if let url { notice["url"] = TemplateValue.text(url) }
            context["enterprise"] = notice
        case .saas(let canManage, let orgKey):
            context["formErrors"] = errors.formContext
            context["billingTabs"] = BillingSection.context(orgKey: orgKey, current: .plan)
            guard let status else {
                context["saas"] = ["canManage": .flag(canManage)] as TemplateObject
                return
            }
            var saas: TemplateObject = ["canManage": .flag(canManage), "planName": .text(status.plan.name)]
            if let price = status.plan.monthlyPriceMinor, price > 0 {
                if let due = subscription?.pastDue {
                    saas["renewal"] = TemplateValue.text(
                        "The renewal for \(due.month.longName) failed: \(due.reason) It is tried again on "
                            + "\(PendingDeletionWords.date(due.nextRetryAt)); see Payment method.")
                    saas["renewalFailed"] = true
                } else {
                    let next = (subscription?.paidThrough ?? status.month).next
                    saas["renewal"] = TemplateValue.text(
                        "Paid through \((subscription?.paidThrough ?? status.month).longName). Renews on 1 \(next.longName) for "
                            + "\(currency.format(minor: price, withCode: true)) plus VAT, charged to the saved card.")
                }
            }
            saas["meters"] = TemplateValue.list(status.meters.map { TemplateValue.object(Self.meter($0)) })
            saas["plans"] = TemplateValue.list(Plan.catalog.map { TemplateValue.object(row($0, current: status.plan, orgKey: orgKey)) })
            if let scheduled = status.scheduled {
                saas["scheduled"] = TemplateValue.object([
                    "to": .text(scheduled.to.name), "on": .text(UsageFormat.longDay(scheduled.effectiveOn)),
                    "onISO": .text(scheduled.effectiveOn.description), "version": .text(String(scheduled.version)),
                    "cancelAction": .text(Route.org(orgKey, .billing(.cancelDowngrade)).path), "names": Self.cancelNames,
                ])
            }
            context["saas"] = saas
        }
    }

    static func meter(_ m: PlanMeter) -> TemplateObject {
        var object: TemplateObject = [
            "id": .text("meter-\(m.kind.rawValue)"), "title": .text(m.kind.title), "used": .text(UsageFormat.count(m.used)),
            "limit": .text(UsageFormat.count(m.limit)), "value": .number(Int(min(m.used, m.limit))), "max": .number(Int(m.limit)),
            "reached": .flag(m.reached),
        ]
        if let reset = m.resetsOn {
            object["reset"] = TemplateValue.text(UsageFormat.longDay(reset))
            object["resetISO"] = TemplateValue.text(reset.description)
        }
        return object
    }

    private func row(_ p: Plan, current: Plan, orgKey: String) -> TemplateObject {
        var object: TemplateObject = [
            "name": .text(p.name), "current": .flag(p.id == current.id),
            "price": .text(p.monthlyPriceMinor.map { currency.format(minor: $0) + " / month" } ?? "Custom"),
            "runs": .text(p.selfServe ? UsageFormat.count(p.monthlyRuns) : "By agreement"),
            "seats": .text(p.selfServe ? String(p.seats) : "By agreement"),
            "workspaces": .text(p.selfServe ? String(p.sharedWorkspaceLimit) : "By agreement"),
            "agents": .text(p.selfServe ? String(p.agents) : "By agreement"),
        ]
        if p.id != current.id {
            if p.selfServe {
                object["change"] = TemplateValue.object([
                    "label": .text(p.rank > current.rank ? "Upgrade to \(p.name)…" : "Downgrade to \(p.name)…"),
                    "href": .text(Route.org(orgKey, .billing(.planChange(p.id))).path),
                ])
            } else {
                var sales: TemplateObject = [:]
                if let salesURL { sales["href"] = TemplateValue.text(salesURL) }
                object["sales"] = TemplateValue.object(sales)
            }
        }
        return object
    }
}

/// `…/billing/plans/{plan}`: what a change of plan means before it is made.
struct PlanChangePage: PageValues {
    let orgKey: String
    let status: PlanStatus
    let target: Plan
    let canManage: Bool
    let quote: UpgradeQuote?
    let blockers: [DowngradeBlocker]
    let currency: Currency
    var errors = FieldErrors()
    /// The saved card the upgrade is charged to ("Visa •4242") and the VAT rule of the billing
    /// details, when both are saved.
    var card: String? = nil
    var vat: VATTreatment? = nil

    func fill(_ context: inout TemplateObject) {
        context["billingTabs"] = BillingSection.context(orgKey: orgKey, current: .plan)
        context["formErrors"] = errors.formContext
        context["from"] = status.plan.name
        context["to"] = target.name
        context["backLink"] = Route.org(orgKey, .billing(.show)).path
        context["canManage"] = TemplateValue.flag(canManage)
        if let quote {
            let vatMinor = vat?.vat(onNet: quote.amountMinor) ?? 0
            context["upgrade"] =
                [
                    "amount": .text(currency.format(minor: quote.amountMinor, withCode: true)),
                    "vat": .text(currency.format(minor: vatMinor, withCode: true)),
                    "total": .text(currency.format(minor: quote.amountMinor + vatMinor, withCode: true)),
                    "monthly": .text(currency.format(minor: target.monthlyPriceMinor ?? 0, withCode: true)),
                    "until": .text(UsageFormat.longDay(status.month.next.first)), "untilISO": .text(status.month.next.first.description),
                    "action": .text(Route.org(orgKey, .billing(.upgrade(target.id))).path),
                    // One key per rendered form: a double submit finds the first payment instead of paying twice.
                    "key": .text(Crypto.randomToken().filter { $0.isLetter || $0.isNumber }),
                    "card": card.map(TemplateValue.text) ?? .text(""),
                    "hasCard": .flag(card != nil && vat != nil),
                    "paymentMethodHref": .text(Route.org(orgKey, .billing(.paymentMethod)).path),
                ] as TemplateObject
        } else if target.rank < status.plan.rank, target.selfServe {
            context["downgrade"] =
                [
                    "on": .text(UsageFormat.longDay(status.month.next.first)), "onISO": .text(status.month.next.first.description),
                    "blockers": TemplateValue.list(blockers.map { TemplateValue.object(["message": .text($0.message)]) }),
                    "fits": .flag(blockers.isEmpty),
                    "action": .text(Route.org(orgKey, .billing(.scheduleDowngrade(target.id))).path),
                ] as TemplateObject
        } else {
            context["custom"] = TemplateValue.flag(true)
        }
    }
}
