import WheelhouseCore

/// The Providers tab: every built-in provider, configured or not, then the custom endpoints.
struct ProvidersPage: PageValues {
    let orgKey: String
    let providers: [ProviderSummary]

    func fill(_ context: inout TemplateObject) {
        var rows: [TemplateValue] = ProviderKind.builtIn.map { kind in
            if let provider = providers.first(where: { $0.kind == kind }) { return row(provider) }
            return .object([
                "name": .text(kind.displayName), "status": .text(ProviderStatus.notConfigured.label),
                "statusClass": "none",
                "setupPath": .text(Route.org(orgKey, .providers(.new)).path(query: [("kind", kind.rawValue)])),
            ])
        }
        rows += providers.filter { $0.kind == .custom }.map(row)
        context["providers"] = TemplateValue.list(rows)
        context["customPath"] = Route.org(orgKey, .providers(.new)).path(query: [("kind", ProviderKind.custom.rawValue)])
        context["statusPath"] = Route.org(orgKey, .providers(.status)).path
        if providers.contains(where: \.checkPending) {
            // Without JavaScript the page reloads itself while a test runs; app.js updates it in place.
            context["autoRefresh"] = 2
            context["refreshPath"] = Route.org(orgKey, .providers(.list)).path
        }
    }

    private func row(_ provider: ProviderSummary) -> TemplateValue {
        var item: TemplateObject = [
            "id": .text(provider.id), "name": .text(provider.name),
            "status": .text(provider.checkPending ? "Testing…" : provider.status.label),
            "statusClass": .text(provider.checkPending ? "testing" : provider.status.rawValue),
            "hint": .text(provider.hint), "baseURL": .text(provider.baseURL), "version": .number(provider.version),
            "editPath": .text(Route.org(orgKey, .providers(.edit(provider.id, .show))).path),
            "testPath": .text(Route.org(orgKey, .providers(.test(provider.id))).path),
            "deletePath": .text(Route.org(orgKey, .providers(.delete(provider.id, .show))).path),
        ]
        if provider.checkPending { item["pending"] = true }
        if let checked = provider.lastCheckedAt, !provider.checkPending {
            item["checked"] = ["day": .text(Dates.dayTime(checked)), "iso": .text(Dates.isoTime(checked))] as TemplateObject
        }
        if let error = provider.lastError, !provider.checkPending { item["error"] = error }
        if provider.kind == .custom { item["custom"] = true }
        return .object(item)
    }
}
