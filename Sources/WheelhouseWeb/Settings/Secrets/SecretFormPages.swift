import WheelhouseCore

/// `{id}/rotate`: a new value for the same id. The value typed is never sent back.
struct SecretRotatePage: PageValues {
    let orgKey: String
    /// As read now: after a 409, the dates show what changed meanwhile.
    let secret: SecretSummary
    let errors: FieldErrors

    typealias Field = SecretsController.RotateField

    func fill(_ context: inout TemplateObject) {
        context["secret"] = SecretsPage.row(secret, orgKey: orgKey)
        context["version"] = secret.version
        context["backPath"] = Route.org(orgKey, .secrets(.list)).path
        context["formErrors"] = errors.formContext
        context["field"] =
            CredentialField(
                name: Field.value.rawValue, label: "New value", type: "textarea", errors: errors,
                hint: "Replaces the stored value; the id stays the same. At most 32 KiB.",
                required: true
            ).context
        context["names"] = FieldNames.of(Field.self)
    }
}

/// `{id}/delete`: the confirmation.
struct SecretDeletePage: PageValues {
    let orgKey: String
    let secret: SecretSummary
    let errors: FieldErrors

    typealias Field = SecretsController.DeleteField

    func fill(_ context: inout TemplateObject) {
        context["secret"] = SecretsPage.row(secret, orgKey: orgKey)
        context["version"] = secret.version
        context["backPath"] = Route.org(orgKey, .secrets(.list)).path
        context["formErrors"] = errors.formContext
        context["names"] = FieldNames.of(Field.self)
    }
}
