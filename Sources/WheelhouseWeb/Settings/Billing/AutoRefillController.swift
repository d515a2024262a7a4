import WheelhouseCore

/// Auto-refill.
///
/// - `GET …/billing/auto-refill` — Owner, Admin (read-only): the settings, the next trigger
///   point, this month's cap left, and the last thing that happened (why it is off).
/// - `POST …/billing/auto-refill` — Owner: `enabled`, `threshold`, `target`, `cap` (in units),
///   `version`. Switching on while the balance is already below the threshold first shows what
///   it will charge at once (`confirm=1` to go on); once saved, that refill runs immediately.
struct AutoRefillController {
    let shell: Shell
    let database: AppDatabase
    let billing: BillingSetup

    enum Field: String, CaseIterable { case csrf = "_csrf", version, enabled, threshold, target, cap, confirm }

    func respond(_ route: BillingRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        route == .saveAutoRefill ? try save(visit, access: access) : try page(visit, access: access, form: nil)
    }

    private func page(_ visit: Visit, access: OrgAccess, form: AutoRefillPage.Form?, status: Int = 200) throws -> Response {
        let layout = try shell.layout(visit, title: "Auto-refill · \(access.org.displayName)", access: access, tab: .billing)
        let frame = BillingFrame(
            orgKey: access.org.key, section: .autoRefill, canManage: access.allows(.manageBilling), currency: billing.currency)
        let status0 = try database.autoRefillStatus(orgId: access.org.id!)
        let page = AutoRefillPage(frame: frame, status: status0, form: form ?? AutoRefillPage.Form(status0.settings, frame: frame))
        return shell.render(.billingAutoRefill, page, layout: layout, status: status)
    }

    private func save(_ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.manageBilling)
        var reader = FormReader<Field>(form)
        var typed = AutoRefillPage.Form(
            enabled: reader.isOn(.enabled), threshold: reader.text(.threshold, label: "Threshold"),
            target: reader.text(.target, label: "Target"),
            cap: reader.text(.cap, label: "Monthly cap"), version: reader.version(.version))
        let confirmed = reader.text(.confirm, label: "Confirm") == "1"
        let currency = billing.currency
        let (threshold, target, cap) = (
            CreditPackages.parse(typed.threshold, currency: currency), CreditPackages.parse(typed.target, currency: currency),
            CreditPackages.parse(typed.cap, currency: currency)
        )
        let orgId = access.org.id!
        var refilled: RefillResult?
        do {
            return try submit()
        } catch is AutoRefillPage.NeedsConfirmation {
            // Nothing saved yet: the same values, with what switching on will charge at once.
            typed.confirming = true
            return try page(visit, access: access, form: typed)
        }
        func submit() throws -> Response {
            try shell.submit(
                visit, stale: "Auto-refill was changed meanwhile. Your values are kept below; save again to replace them.",
                {
                    try reader.errors.throwIfAny()
                    try AutoRefillRules.check(threshold: threshold, target: target, cap: cap, currency: currency).throwIfAny()
                    let before = try database.autoRefillStatus(orgId: orgId)
                    if typed.enabled, !before.settings.enabled, !confirmed, let threshold, before.hasCard,
                        before.settings.version == typed.version,
                        before.balanceMicros < threshold * currency.microsPerMinor
                    {
                        throw AutoRefillPage.NeedsConfirmation()
                    }
                    try database.setAutoRefill(
                        orgKey: access.org.key, enabled: typed.enabled, thresholdMinor: threshold, targetMinor: target, capMinor: cap,
                        expectedVersion: typed.version, currency: currency, by: visit.actor)
                    // After the commit, never inside it: the refill that switching on below the threshold owes.
                    if typed.enabled { refilled = try database.refillIfNeeded(orgId: orgId, setup: billing) }
                    var flash = typed.enabled ? "Auto-refill is on." : "Auto-refill is off."
                    if case .charged(let p) = refilled {
                        flash += " The balance was below the threshold: \(currency.format(minor: p.creditsMinor)) added now."
                    }
                    if case .failed(let code, _) = refilled { flash += " The refill owed now failed: \(code.message)" }
                    return FormSuccess(.org(access.org.key, .billing(.autoRefill)), flash: flash)
                },
                refused: { refusal in
                    typed.errors = refusal.errors
                    if case .stale = refusal { typed.version = try database.autoRefillStatus(orgId: orgId).settings.version }
                    return try page(visit, access: access, form: typed, status: refusal.status)
                })
        }
    }
}
