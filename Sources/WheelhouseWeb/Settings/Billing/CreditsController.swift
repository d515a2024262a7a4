import WheelhouseCore

/// The Credits section of Billing (SaaS only; `BillingController` answers the enterprise notice).
///
/// - `GET …/billing/credits` — Owner, Admin (`viewBilling`): the balance in the deployment's
///   currency (negative shown as owed), this month's use, the warning threshold, the open lots.
/// - `POST …/billing/credits/warning` — Owner (`manageBilling`): `threshold` (an amount in the
///   currency, zero switches the warning off) and `version`; a bad amount is a 422 beside the
///   field, a stale version a 409, both showing the page with what was typed.
struct CreditsController {
    let shell: Shell
    let database: AppDatabase

    enum WarningField: String, CaseIterable { case csrf = "_csrf", version, threshold }

    func show(_ visit: Visit, access: OrgAccess) throws -> Response {
        try access.require(.viewBilling)
        return try page(visit, access: access, refused: nil)
    }

    private func page(_ visit: Visit, access: OrgAccess, refused: (typed: String, refusal: FormRefusal)?) throws -> Response {
        let layout = try shell.layout(visit, title: "Credits · \(access.org.displayName)", access: access, tab: .billing)
        let data = try database.creditsPage(org: access.org)
        var values = CreditsPage(
            orgKey: access.org.key, currency: shell.config.currency, data: data, canManage: access.allows(.manageBilling))
        if let refused {
            values.typed = refused.typed
            values.errors = refused.refusal.errors
        }
        return shell.render(.billingCredits, values, layout: layout, status: refused?.refusal.status ?? 200)
    }

    func updateWarning(_ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.manageBilling)
        var reader = FormReader<WarningField>(form)
        let typed = reader.text(.threshold, label: "Warn below")
        let version = Int(reader.text(.version, label: "Version")) ?? -1
        if typed.count > 40 {
            reader.errors.add(WarningField.threshold.rawValue, "Enter at most 40 characters: an amount such as 10 or 12.50.")
        }
        let currency = shell.config.currency
        return try shell.submit(
            visit,
            stale:
                "Someone changed the warning threshold while you were editing; the current one is shown above. Save again to replace it with yours.",
            {
                try reader.errors.throwIfAny()
                let saved = try database.setCreditWarning(
                    orgKey: access.org.key, typed: typed, currency: currency, expectedVersion: version, by: visit.actor)
                let flash =
                    saved.thresholdMicros == 0
                    ? "The low-credit warning is off."
                    : "You will be warned when the balance falls below \(currency.format(micros: saved.thresholdMicros, withCode: true))."
                return FormSuccess(.org(access.org.key, .billing(.credits)), flash: flash)
            },
            refused: { refusal in
                // What was typed comes back to fix (or, after a 409, to save again over the current value shown).
                try page(visit, access: access, refused: (TextRules.displayable(String(typed.prefix(40))), refusal))
            })
    }
}
