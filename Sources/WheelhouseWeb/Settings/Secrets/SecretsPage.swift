import WheelhouseCore

/// The Secrets tab: your own secrets a page at a time, the add form, and for Owners how many
/// secrets each member holds (never their names or values).
struct SecretsPage: PageValues {
    let orgKey: String
    let secrets: Paged<SecretSummary>
    /// nil unless the viewer may see them (`viewMemberSecretCounts`).
    let counts: Paged<MemberSecretCount>?
    /// The add form: the name typed (or suggested by `?name=`); the value is never sent back.
    let name: String
    let errors: FieldErrors

    typealias Field = SecretsController.AddField

    var tab: Route { .org(orgKey, .secrets(.list)) }

    func fill(_ context: inout TemplateObject) {
        context["secrets"] = TemplateValue.list(secrets.entries.map { Self.row($0, orgKey: orgKey) })
        context["hasSecrets"] = secrets.total > 0
        // Both lists come a page at a time: `?page=` for your secrets, `?members_page=` for the counts.
        context["secretsPager"] = Self.pager(secrets, base: tab, parameter: "page", label: "Pages of your secrets")
        context["presets"] = SecretRules.presets
        context["formErrors"] = errors.formContext
        context["fields"] =
            [
                "name": .object(
                    CredentialField(
                        name: Field.name.rawValue, label: "Name", value: name, errors: errors,
                        hint: "Pick a suggested name such as OPENAI_API_KEY or type your own: capital "
                            + "letters, digits and underscores, at most 128 characters.",
                        list: "secret-presets", required: true, maxLength: SecretRules.maxNameLength
                    ).context),
                "value": .object(
                    CredentialField(
                        name: Field.value.rawValue, label: "Value", type: "textarea", errors: errors,
                        hint: "At most 32 KiB. Shown only as a masked hint after you save it.",
                        required: true
                    ).context),
            ] as TemplateObject
        if let counts {
            var section: TemplateObject = [
                "members": .list(
                    counts.entries.map { member in
                        .object([
                            "name": .text(member.name), "email": .text(member.email), "role": .text(member.role.label),
                            "secrets": .number(member.secrets),
                        ])
                    })
            ]
            section["pager"] = Self.pager(counts, base: tab, parameter: "members_page", label: "Pages of members")
            context["counts"] = section
        }
    }

    /// One secret as the list, the rotate and the delete pages show it.
    static func row(_ secret: SecretSummary, orgKey: String) -> TemplateValue {
        var item: TemplateObject = [
            "id": .text(secret.id), "name": .text(secret.name), "hint": .text(secret.hint),
            "created": .text(Dates.day(secret.createdAt)), "createdISO": .text(Dates.isoTime(secret.createdAt)),
            "rotatePath": .text(Route.org(orgKey, .secrets(.rotate(secret.id, .show))).path),
            "deletePath": .text(Route.org(orgKey, .secrets(.delete(secret.id, .show))).path),
        ]
        if let rotated = secret.rotatedAt {
            item["rotated"] = ["day": .text(Dates.day(rotated)), "iso": .text(Dates.isoTime(rotated))] as TemplateObject
        }
        return .object(item)
    }

    /// Previous / next links for one list of the page, absent when it fits on one page.
    static func pager<Element>(_ paged: Paged<Element>, base: Route, parameter: String, label: String) -> TemplateObject? {
        guard paged.pageCount > 1 || paged.page > 1 else { return nil }
        var pager: TemplateObject = ["page": .number(paged.page), "pages": .number(paged.pageCount), "label": .text(label)]
        func link(_ page: Int) -> String { base.path(query: [(parameter, "\(page)")]) }
        if paged.page > 1 { pager["previous"] = link(min(paged.page, paged.pageCount + 1) - 1) }
        if paged.page < paged.pageCount { pager["next"] = link(paged.page + 1) }
        return pager
    }
}
