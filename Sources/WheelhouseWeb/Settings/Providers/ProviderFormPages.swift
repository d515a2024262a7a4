import WheelhouseCore

/// `new?kind=…` and `{id}/edit`: one provider's connection. The key typed is never sent back.
struct ProviderFormPage: PageValues {
    let orgKey: String
    let values: ProvidersController.Values
    /// nil when setting up a new provider.
    let providerId: String?
    let errors: FieldErrors

    typealias Field = ProvidersController.Field

    var heading: String {
        providerId == nil ? "Set up \(values.kind == .custom ? "a custom endpoint" : values.kind.displayName)" : "Edit \(values.name)"
    }

    func fill(_ context: inout TemplateObject) {
        let tab = Route.org(orgKey, .providers(.list))
        context["heading"] = heading
        context["action"] = providerId.map { Route.org(orgKey, .providers(.edit($0, .submit))).path } ?? tab.path
        // Absent rather than empty: the template's sections test presence. The kind is chosen
        // once, when the provider is set up.
        context["kind"] = providerId == nil ? values.kind.rawValue : nil
        context["version"] = values.version
        context["backPath"] = tab.path
        context["formErrors"] = errors.formContext
        var fields: TemplateObject = [
            "baseURL": .object(
                CredentialField(
                    name: Field.baseURL.rawValue, label: "Base URL", value: values.baseURL, type: "url",
                    errors: errors,
                    hint: "The API root; Test connection calls its /models endpoint. "
                        + "https:// (plain http:// only for 127.0.0.1 or localhost).",
                    required: true, maxLength: 500
                ).context),
            "apiKey": .object(
                CredentialField(
                    name: Field.apiKey.rawValue, label: "API key", type: "password", errors: errors,
                    hint: (providerId == nil
                        ? "Stored encrypted; afterwards only a masked hint is shown."
                        : "Leave empty to keep the stored key; a new base URL needs the key again.")
                        + " At most \(ProviderRules.maxKeyLength) characters.",
                    required: providerId == nil
                ).context),
        ]
        if values.kind == .custom {
            fields["name"] =
                CredentialField(
                    name: Field.name.rawValue, label: "Name", value: values.name, errors: errors,
                    hint: "How this endpoint is listed, e.g. “Internal gateway”. At most 60 characters.",
                    required: true, maxLength: 60
                ).context
        }
        context["fields"] = fields
        context["names"] = FieldNames.of(Field.self)
    }
}

/// `{id}/delete`: the confirmation.
struct ProviderDeletePage: PageValues {
    let orgKey: String
    let provider: ProviderSummary
    let errors: FieldErrors

    typealias Field = ProvidersController.ActionField

    func fill(_ context: inout TemplateObject) {
        context["provider"] = ["name": .text(provider.name), "hint": .text(provider.hint)] as TemplateObject
        context["version"] = provider.version
        context["backPath"] = Route.org(orgKey, .providers(.list)).path
        context["formErrors"] = errors.formContext
        context["names"] = FieldNames.of(Field.self)
    }
}
