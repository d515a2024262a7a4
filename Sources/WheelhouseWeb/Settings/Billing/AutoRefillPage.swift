import WheelhouseCore

/// Auto-refill: the settings form (or, read-only, the values), the next trigger point, this
/// month's cap left, the last event, and the confirmation step of switching on below the threshold.
struct AutoRefillPage: PageValues {
    /// Thrown by the form when switching on would refill at once and that was not confirmed yet.
    struct NeedsConfirmation: Error {}

    struct Form {
        var enabled: Bool
        var threshold: String
        var target: String
        var cap: String
        var version: Int
        var errors = FieldErrors()
        var confirming = false

        init(enabled: Bool, threshold: String, target: String, cap: String, version: Int) {
            (self.enabled, self.threshold, self.target, self.cap, self.version) = (enabled, threshold, target, cap, version)
        }

        init(_ s: AutoRefillSettings, frame: BillingFrame) {
            self.init(
                enabled: s.enabled, threshold: frame.plain(s.thresholdMinor), target: frame.plain(s.targetMinor),
                cap: frame.plain(s.monthlyCapMinor),
                version: s.version)
        }
    }

    let frame: BillingFrame
    let status: AutoRefillStatus
    let form: Form

    func fill(_ context: inout TemplateObject) {
        frame.fill(&context)
        let s = status.settings
        let money = { (m: Int64) in frame.money(m) }
        context["action"] = frame.route(.saveAutoRefill)
        context["enabled"] = s.enabled
        context["balance"] = frame.currency.format(micros: status.balanceMicros, withCode: true)
        context["threshold"] = money(s.thresholdMinor)
        context["target"] = money(s.targetMinor)
        context["cap"] = money(s.monthlyCapMinor)
        context["capLeft"] = money(status.capLeftMinor)
        context["spent"] = money(status.spentThisMonthMinor)
        context["perHour"] = AutoRefillRules.maxPerHour
        context["refillsLastHour"] = status.refillsLastHour
        if !s.lastNote.isEmpty { context["lastNote"] = s.lastNote }
        if s.enabled, let next = s.nextAttemptAt { context["retryAt"] = Dates.isoTime(next) }
        context["hasCard"] = status.hasCard
        context["paymentMethodHref"] = frame.route(.paymentMethod)
        context["belowNow"] = !s.enabled && status.balanceMicros < s.thresholdMinor * frame.currency.microsPerMinor
        let e = form.errors
        context["fields"] =
            [
                "threshold": .object(
                    FieldView(
                        name: "threshold", label: "When the balance falls below (\(frame.currency.code))", value: form.threshold, errors: e,
                        hint: "Strictly below: at exactly this balance nothing happens.", autocomplete: "off", required: true, maxLength: 12
                    ).context),
                "target": .object(
                    FieldView(
                        name: "target", label: "Bring it back up to (\(frame.currency.code))", value: form.target, errors: e,
                        hint: "Above the threshold; VAT is added to what is charged.", autocomplete: "off", required: true, maxLength: 12
                    ).context),
                "cap": .object(
                    FieldView(
                        name: "cap", label: "Monthly cap (\(frame.currency.code))", value: form.cap, errors: e,
                        hint: "The most auto-refill may charge in a calendar month; a refill that would pass it is skipped.",
                        autocomplete: "off", required: true, maxLength: 12
                    ).context),
            ] as TemplateObject
        context["formEnabled"] = form.enabled
        context["formVersion"] = form.version
        context["typed"] = ["threshold": .text(form.threshold), "target": .text(form.target), "cap": .text(form.cap)] as TemplateObject
        if form.confirming, let t = CreditPackages.parse(form.target, currency: frame.currency) {
            let owed = max(0, t * frame.currency.microsPerMinor - status.balanceMicros)
            context["confirming"] =
                [
                    "amount": .text(frame.currency.format(micros: owed, withCode: true)), "threshold": .text(form.threshold),
                ] as TemplateObject
        }
        if !e.form.isEmpty { context["formErrors"] = ["messages": e.form.templateValue] as TemplateObject }
    }
}
