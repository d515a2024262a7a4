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
        var context = try shell.layout(visit, title: "Providers · \(access.org.displayName)", access: access, tab: .providers)
        let org = access.org.key
        var rows: [TemplateValue] = ProviderKind.builtIn.map { kind in
            if let provider = providers.first(where: { $0.kind == kind }) { return row(provider, org: org) }
            return .object(["name": .text(kind.displayName), "status": .text(ProviderStatus.notConfigured.label),
                            "statusClass": "none",
                            "setupPath": .text(Route.org(org, .providers(.new)).path(query: [("kind", kind.rawValue)]))])
        }
        rows += providers.filter { $0.kind == .custom }.map { row($0, org: org) }
        context["providers"] = TemplateValue.list(rows)
        context["customPath"] = Route.org(org, .providers(.new)).path(query: [("kind", "custom")])
        context["statusPath"] = Route.org(org, .providers(.status)).path
        if providers.contains(where: \.checkPending) {
            // Without JavaScript the page reloads itself while a test runs; app.js updates it in place.
            context["autoRefresh"] = 2
            context["refreshPath"] = tab(org).path
        }
        return shell.page(.providers, context)
    }

    private func row(_ provider: ProviderSummary, org: String) -> TemplateValue {
        var item: TemplateObject = [
            "id": .text(provider.id), "name": .text(provider.name),
            "status": .text(provider.checkPending ? "Testing…" : provider.status.label),
            "statusClass": .text(provider.checkPending ? "testing" : provider.status.rawValue),
            "hint": .text(provider.hint), "baseURL": .text(provider.baseURL), "version": .number(provider.version),
            "editPath": .text(Route.org(org, .providers(.edit(provider.id, .show))).path),
            "testPath": .text(Route.org(org, .providers(.test(provider.id))).path),
            "deletePath": .text(Route.org(org, .providers(.delete(provider.id, .show))).path),
        ]
        if provider.checkPending { item["pending"] = true }
        if let checked = provider.lastCheckedAt, !provider.checkPending {
            item["checked"] = ["day": .text(Dates.dayTime(checked)), "iso": .text(Dates.isoTime(checked))] as TemplateObject
        }
        if let error = provider.lastError, !provider.checkPending { item["error"] = error }
        if provider.kind == .custom { item["custom"] = true }
        return .object(item)
    }

    func add(_ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.manageOrgCredentials)
        var reader = FormReader<Field>(form)
        let kindText = reader.text(.kind, label: "Provider")
        let values = Values(kind: ProviderKind(rawValue: kindText) ?? .custom, name: TextRules.trimmed(reader.text(.name, label: "Name")),
                            baseURL: TextRules.trimmed(reader.text(.baseURL, label: "Base URL")), version: nil)
        let key = TextRules.trimmed(reader.text(.apiKey, label: "API key"))
        if ProviderKind(rawValue: kindText) == nil { reader.errors.addForm("Choose one of the listed providers.") }
        do {
            try reader.errors.throwIfAny()
            let saved = try database.addProvider(orgKey: access.org.key, by: visit.actor,
                                                     ProviderChange(kind: values.kind, name: values.name, baseURL: values.baseURL, apiKey: key))
            return try shell.redirect(visit, to: tab(access.org.key),
                                    flash: "\(saved.name) configured. Use Test connection to check the key.")
        } catch DomainError.invalid(var errors) {
            if errors.byField["api_key"] == nil && !key.isEmpty { errors.add("api_key", SecretsController.valueNotKept) }
            return try renderForm(visit, access: access, values: values, providerId: nil, errors: errors, status: 422)
        }
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
            return try renderForm(visit, access: access, values: Values(kind: kind, name: "", baseURL: kind.defaultBaseURL, version: nil),
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
            return try shell.redirect(visit, to: tab(access.org.key), flash: already
                ? "A connection test of \(provider.name) is already under way."
                : "Testing \(provider.name)… The result appears in its row when it is ready.")
        case .delete(let id, let step):
            let provider = try database.provider(access, id: id)
            if step == .show { return try renderDelete(visit, access: access, provider: provider, errors: FieldErrors(), status: 200) }
            var reader = FormReader<ActionField>(try visit.form())
            let version = reader.version(.version)
            do {
                try reader.errors.throwIfAny()
                try database.deleteProvider(orgKey: access.org.key, id: id, by: visit.actor, expectedVersion: version)
                return try shell.redirect(visit, to: tab(access.org.key), flash: "\(provider.name) removed.")
            } catch DomainError.invalid(let errors) {
                return try renderDelete(visit, access: access, provider: provider, errors: errors, status: 422)
            } catch DomainError.staleVersion {
                var errors = FieldErrors()
                errors.addForm("\(provider.name) was changed after you opened this page, so it was not removed. Confirm again to remove it.")
                return try renderDelete(visit, access: access, provider: database.provider(access, id: id), errors: errors, status: 409)
            }
        }
    }

    private func update(_ visit: Visit, access: OrgAccess, provider: ProviderSummary) throws -> Response {
        var reader = FormReader<Field>(try visit.form())
        var values = Values(kind: provider.kind, name: TextRules.trimmed(reader.text(.name, label: "Name")),
                            baseURL: TextRules.trimmed(reader.text(.baseURL, label: "Base URL")), version: reader.version(.version))
        if provider.kind != .custom { values.name = provider.name }
        let key = TextRules.trimmed(reader.text(.apiKey, label: "API key"))
        if reader.form.fields[Field.kind.rawValue] != nil { reader.errors.addForm("The provider kind cannot be changed.") }
        do {
            try reader.errors.throwIfAny()
            let saved = try database.updateProvider(orgKey: access.org.key, id: provider.id, by: visit.actor,
                                                        ProviderChange(kind: provider.kind, name: values.name, baseURL: values.baseURL,
                                                                       apiKey: key, expectedVersion: values.version))
            let message = saved.version == provider.version ? "Nothing to save: no value changed." : "\(saved.name) saved."
            return try shell.redirect(visit, to: tab(access.org.key), flash: message)
        } catch DomainError.invalid(var errors) {
            if errors.byField["api_key"] == nil && !key.isEmpty { errors.add("api_key", SecretsController.valueNotKept) }
            return try renderForm(visit, access: access, values: values, providerId: provider.id, errors: errors, status: 422)
        } catch DomainError.staleVersion {
            let current = try database.provider(access, id: provider.id)
            var errors = FieldErrors()
            errors.addForm("Someone else changed \(current.name) while you were editing, so your changes were not saved. "
                + "Your values are below; save again to replace the stored ones.")
            values.version = current.version
            return try renderForm(visit, access: access, values: values, providerId: provider.id, errors: errors, status: 409)
        }
    }

    // MARK: - Pages

    private func renderForm(_ visit: Visit, access: OrgAccess, values: Values, providerId: String?,
                            errors: FieldErrors, status: Int) throws -> Response {
        let heading = providerId == nil ? "Set up \(values.kind == .custom ? "a custom endpoint" : values.kind.displayName)"
            : "Edit \(values.name)"
        var context = try shell.layout(visit, title: "\(heading) · \(access.org.displayName)", access: access, tab: .providers)
        context["heading"] = heading
        context["action"] = providerId.map { Route.org(access.org.key, .providers(.edit($0, .submit))).path } ?? tab(access.org.key).path
        // Absent rather than empty: the template's sections test presence.
        context["kind"] = providerId == nil ? values.kind.rawValue : nil
        context["version"] = values.version
        context["backPath"] = tab(access.org.key).path
        context["formErrors"] = errors.formContext
        var fields: TemplateObject = [
            "baseURL": .object(CredentialField(name: Field.baseURL.rawValue, label: "Base URL", value: values.baseURL, type: "url",
                                               errors: errors, hint: "The API root; Test connection calls its /models endpoint. "
                                                   + "https:// (plain http:// only for 127.0.0.1 or localhost).",
                                               required: true, maxLength: 500).context),
            "apiKey": .object(CredentialField(name: Field.apiKey.rawValue, label: "API key", type: "password", errors: errors,
                                              hint: (providerId == nil ? "Stored encrypted; afterwards only a masked hint is shown."
                                                  : "Leave empty to keep the stored key; a new base URL needs the key again.")
                                                  + " At most \(ProviderRules.maxKeyLength) characters.",
                                              required: providerId == nil).context),
        ]
        if values.kind == .custom {
            fields["name"] = CredentialField(name: Field.name.rawValue, label: "Name", value: values.name, errors: errors,
                                             hint: "How this endpoint is listed, e.g. “Internal gateway”. At most 60 characters.",
                                             required: true, maxLength: 60).context
        }
        context["fields"] = fields
        return shell.page(.providersForm, context, status: status)
    }

    private func renderDelete(_ visit: Visit, access: OrgAccess, provider: ProviderSummary, errors: FieldErrors,
                              status: Int) throws -> Response {
        var context = try shell.layout(visit, title: "Remove \(provider.name) · \(access.org.displayName)", access: access, tab: .providers)
        context["provider"] = ["name": .text(provider.name), "hint": .text(provider.hint)] as TemplateObject
        context["version"] = provider.version
        context["backPath"] = tab(access.org.key).path
        context["formErrors"] = errors.formContext
        return shell.page(.providersDelete, context, status: status)
    }
}

extension ProvidersController.Values {
    init(_ provider: ProviderSummary) {
        self.init(kind: provider.kind, name: provider.name, baseURL: provider.baseURL, version: provider.version)
    }
}
