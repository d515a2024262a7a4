import Foundation
import WheelhouseCore

/// The Providers tab: the organization's own keys for AI providers. Owner and Admin only
/// (`manageOrgCredentials`).
///
/// - `GET  /orgs/{org}/settings/providers` — every built-in provider (configured or not) and the custom endpoints
/// - `GET  /orgs/{org}/settings/providers/new?kind=…` — the form for one provider kind
/// - `POST /orgs/{org}/settings/providers` — add: `kind`, `name` (custom only), `base_url`, `api_key`
/// - `GET|POST /orgs/{org}/settings/providers/{id}/edit` — name, base URL, a new key (blank keeps it), `version`
/// - `POST /orgs/{org}/settings/providers/{id}/test` — queue a connection test (run by `ProviderCheckWorker`); the
///   page shows "Testing…" until the result is recorded, a status, never an error page
/// - `GET  /orgs/{org}/settings/providers/status` — the rows' statuses as JSON, for app.js to update the page in place
/// - `GET|POST /orgs/{org}/settings/providers/{id}/delete` — confirmation, then removal (`version`)
///
/// A provider removed meanwhile (by someone else, or in another tab) gets "already removed", not 404.
struct ProvidersController {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable { case csrf = "_csrf", version, kind, name, baseURL = "base_url", apiKey = "api_key" }
    enum ActionField: String, CaseIterable { case csrf = "_csrf", version }

    /// What the add/edit form shows.
    struct Values {
        var kind: ProviderKind
        var name: String
        var baseURL: String
        var version: Int?
    }

    var tab: (String) -> Route { { .org($0, .providers(.list)) } }

    func show(_ visit: Visit, access: OrgAccess) throws -> Response {
        let providers = try database.providers(access)
        let layout = try shell.layout(visit, title: "Providers · \(access.org.displayName)", access: access, tab: .providers)
        return shell.render(.providers, ProvidersPage(orgKey: access.org.key, providers: providers), layout: layout)
    }

    func add(_ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.manageOrgCredentials)
        var reader = FormReader<Field>(form)
        let kindText = reader.text(.kind, label: "Provider")
        let values = Values(
            kind: ProviderKind(rawValue: kindText) ?? .custom, name: TextRules.trimmed(reader.text(.name, label: "Name")),
            baseURL: TextRules.trimmed(reader.text(.baseURL, label: "Base URL")), version: nil)
        let key = TextRules.trimmed(reader.text(.apiKey, label: "API key"))
        if ProviderKind(rawValue: kindText) == nil { reader.errors.addForm("Choose one of the listed providers.") }
        return try shell.submit(
            visit,
            {
                try reader.errors.throwIfAny()
                let saved = try database.addProvider(
                    orgKey: access.org.key, by: visit.actor,
                    ProviderChange(kind: values.kind, name: values.name, baseURL: values.baseURL, apiKey: key))
                return FormSuccess(tab(access.org.key), flash: "\(saved.name) configured. Use Test connection to check the key.")
            },
            refused: { refusal in
                var errors = refusal.errors
                errors.noteValueNotKept(Field.apiKey, typed: key)
                return try renderForm(visit, access: access, values: values, providerId: nil, errors: errors, status: refusal.status)
            })
    }

    func respond(_ route: ProvidersRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        switch route {
        case .list: return try show(visit, access: access)
        case .add: return try add(visit, access: access)
        default:
            try access.require(.manageOrgCredentials)
            do {
                return try handle(route, visit, access: access)
            } catch DomainError.notFound {
                return try alreadyRemoved(route, visit, access: access)
            }
        }
    }

    private func handle(_ route: ProvidersRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        switch route {
        case .list, .add: throw WebError.notFound
        case .status:
            return try statusJSON(access: access)
        case .new:
            guard let kind = visit.request.queryItems["kind"].flatMap(ProviderKind.init(rawValue:)) else { throw WebError.notFound }
            return try renderForm(
                visit, access: access, values: Values(kind: kind, name: "", baseURL: kind.defaultBaseURL, version: nil),
                providerId: nil, errors: FieldErrors(), status: 200)
        case .edit(let id, let step):
            let provider = try database.provider(access, id: id)
            if step == .show {
                return try renderForm(visit, access: access, values: Values(provider), providerId: id, errors: FieldErrors(), status: 200)
            }
            return try update(visit, access: access, provider: provider)
        case .test(let id):
            var reader = FormReader<ActionField>(try visit.form())
            _ = reader.text(.version, label: "Version")
            if !reader.errors.isEmpty { throw WebError.malformedBody("unexpected fields") }
            let (provider, already) = try database.requestProviderCheck(orgKey: access.org.key, id: id, by: visit.actor)
            return try shell.redirect(
                visit, to: tab(access.org.key),
                flash: already
                    ? "A connection test of \(provider.name) is already under way."
                    : "Testing \(provider.name)… The result appears in its row when it is ready.")
        case .delete(let id, let step):
            let provider = try database.provider(access, id: id)
            if step == .show { return try renderDelete(visit, access: access, provider: provider, errors: FieldErrors(), status: 200) }
            var reader = FormReader<ActionField>(try visit.form())
            let version = reader.version(.version)
            return try shell.submit(
                visit, stale: "\(provider.name) was changed after you opened this page, so it was not removed. Confirm again to remove it.",
                {
                    try reader.errors.throwIfAny()
                    try database.deleteProvider(orgKey: access.org.key, id: id, by: visit.actor, expectedVersion: version)
                    return FormSuccess(tab(access.org.key), flash: "\(provider.name) removed.")
                },
                refused: { refusal in
                    // After a 409 the page shows the provider as it is now.
                    var current = provider
                    if case .stale = refusal { current = try database.provider(access, id: id) }
                    return try renderDelete(visit, access: access, provider: current, errors: refusal.errors, status: refusal.status)
                })
        }
    }

    private func update(_ visit: Visit, access: OrgAccess, provider: ProviderSummary) throws -> Response {
        var reader = FormReader<Field>(try visit.form())
        var values = Values(
            kind: provider.kind, name: TextRules.trimmed(reader.text(.name, label: "Name")),
            baseURL: TextRules.trimmed(reader.text(.baseURL, label: "Base URL")), version: reader.version(.version))
        if provider.kind != .custom { values.name = provider.name }
        let key = TextRules.trimmed(reader.text(.apiKey, label: "API key"))
        if reader.form.fields[Field.kind.rawValue] != nil { reader.errors.addForm("The provider kind cannot be changed.") }
        return try shell.submit(
            visit,
            stale: "Someone else changed \(provider.name) while you were editing, so your changes were not saved. "
                + "Your values are below; save again to replace the stored ones.",
            {
                try reader.errors.throwIfAny()
                let saved = try database.updateProvider(
                    orgKey: access.org.key, id: provider.id, by: visit.actor,
                    ProviderChange(
                        kind: provider.kind, name: values.name, baseURL: values.baseURL,
                        apiKey: key, expectedVersion: values.version))
                let message = saved.version == provider.version ? "Nothing to save: no value changed." : "\(saved.name) saved."
                return FormSuccess(tab(access.org.key), flash: message)
            },
            refused: { refusal in
                switch refusal {
                case .invalid(var errors):
                    errors.noteValueNotKept(Field.apiKey, typed: key)
                    return try renderForm(
                        visit, access: access, values: values, providerId: provider.id, errors: errors, status: refusal.status)
                case .stale(let errors):
                    // The form is sent again with the values typed, against the version stored now.
                    var values = values
                    values.version = try database.provider(access, id: provider.id).version
                    return try renderForm(
                        visit, access: access, values: values, providerId: provider.id, errors: errors, status: refusal.status)
                }
            })
    }

    // MARK: - Pages

    private func renderForm(
        _ visit: Visit, access: OrgAccess, values: Values, providerId: String?,
        errors: FieldErrors, status: Int
    ) throws -> Response {
        let page = ProviderFormPage(orgKey: access.org.key, values: values, providerId: providerId, errors: errors)
        let layout = try shell.layout(visit, title: "\(page.heading) · \(access.org.displayName)", access: access, tab: .providers)
        return shell.render(.providersForm, page, layout: layout, status: status)
    }

    private func renderDelete(
        _ visit: Visit, access: OrgAccess, provider: ProviderSummary, errors: FieldErrors,
        status: Int
    ) throws -> Response {
        let layout = try shell.layout(visit, title: "Remove \(provider.name) · \(access.org.displayName)", access: access, tab: .providers)
        return shell.render(
            .providersDelete, ProviderDeletePage(orgKey: access.org.key, provider: provider, errors: errors),
            layout: layout, status: status)
    }
}

extension ProvidersController.Values {
    init(_ provider: ProviderSummary) {
        self.init(kind: provider.kind, name: provider.name, baseURL: provider.baseURL, version: provider.version)
    }
}
