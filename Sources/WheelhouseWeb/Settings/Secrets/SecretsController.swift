import Foundation
import WheelhouseCore

/// The Secrets tab: the signed-in person's own keys and environment variables in this organization.
/// Every role (`useOwnCredentials`), each for themselves; another person's secret is a 404.
///
/// - `GET  /orgs/{org}/settings/secrets` — own secrets (name, id, masked hint, dates) and the add
///   form (`?name=` pre-fills the name); Owners also see how many secrets each member holds
/// - `POST /orgs/{org}/settings/secrets` — add: `name`, `value`
/// - `GET|POST /orgs/{org}/settings/secrets/{id}/rotate` — a new value for the same id (`version`)
/// - `GET|POST /orgs/{org}/settings/secrets/{id}/delete` — confirmation, then delete (`version`)
struct SecretsController {
    let shell: Shell
    let database: AppDatabase

    enum AddField: String, CaseIterable { case csrf = "_csrf", name, value }
    enum RotateField: String, CaseIterable { case csrf = "_csrf", version, value }
    enum DeleteField: String, CaseIterable { case csrf = "_csrf", version }

    static let valueNotKept = "For your safety the value is not sent back to the browser: paste it again."

    func show(_ visit: Visit, access: OrgAccess) throws -> Response {
        try access.require(.useOwnCredentials)
        let name = visit.request.queryItems["name"].map { String($0.prefix(SecretRules.maxNameLength)) } ?? ""
        return try render(visit, access: access, name: name, errors: FieldErrors(), status: 200)
    }

    func add(_ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.useOwnCredentials)
        var reader = FormReader<AddField>(form)
        let name = TextRules.trimmed(reader.text(.name, label: "Name"))
        let value = SecretRules.normalized(reader.text(.value, label: "Value"))
        var errors = reader.errors
        do {
            try errors.throwIfAny()
            let secret = try database.addSecret(orgKey: access.org.key, by: visit.actor, name: name, value: value)
            return try shell.redirect(visit, to: .org(access.org.key, .secrets(.list)),
                                    flash: "Secret \(secret.name) saved. Its id is \(secret.id).")
        } catch DomainError.invalid(let found) {
            errors = found
            if errors.byField["value"] == nil && !value.isEmpty { errors.add("value", Self.valueNotKept) }
            return try render(visit, access: access, name: name, errors: errors, status: 422)
        }
    }

    func respond(_ route: SecretsRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        switch route {
        case .list: return try show(visit, access: access)
        case .add: return try add(visit, access: access)
        case .rotate(let id, let step), .delete(let id, let step):
            // Someone else's secret is a 404, whatever the method.
            let secret = try database.secret(id: id, orgId: access.org.id!, ownerId: visit.signedIn!.user.id!)
            switch (route, step) {
            case (.rotate, .show): return try renderRotate(visit, access: access, secret: secret, errors: FieldErrors(), status: 200)
            case (.rotate, .submit): return try rotate(visit, access: access, secret: secret)
            case (_, .show): return try renderDelete(visit, access: access, secret: secret, errors: FieldErrors(), status: 200)
            case (_, .submit): return try delete(visit, access: access, secret: secret)
            }
        }
    }

    private func rotate(_ visit: Visit, access: OrgAccess, secret: SecretSummary) throws -> Response {
        var reader = FormReader<RotateField>(try visit.form())
        let version = reader.version(.version)
        let value = SecretRules.normalized(reader.text(.value, label: "New value"))
        do {
            try reader.errors.throwIfAny()
            try database.rotateSecret(orgKey: access.org.key, id: secret.id, by: visit.actor, value: value,
                                          expectedVersion: version)
            return try shell.redirect(visit, to: .org(access.org.key, .secrets(.list)),
                                    flash: "Secret \(secret.name) rotated. Its id is unchanged.")
        } catch DomainError.invalid(var errors) {
            if errors.byField["value"] == nil && !value.isEmpty { errors.add("value", Self.valueNotKept) }
            return try renderRotate(visit, access: access, secret: secret, errors: errors, status: 422)
        } catch DomainError.staleVersion {
            let current = try database.secret(id: secret.id, orgId: access.org.id!, ownerId: visit.signedIn!.user.id!)
            var errors = FieldErrors()
            errors.addForm("This secret was changed in another window after you opened this form, so the new value was not "
                + "saved. Check the dates below and save again to replace it.")
            return try renderRotate(visit, access: access, secret: current, errors: errors, status: 409)
        }
    }

    private func delete(_ visit: Visit, access: OrgAccess, secret: SecretSummary) throws -> Response {
        var reader = FormReader<DeleteField>(try visit.form())
        let version = reader.version(.version)
        do {
            try reader.errors.throwIfAny()
            try database.deleteSecret(orgKey: access.org.key, id: secret.id, by: visit.actor, expectedVersion: version)
            return try shell.redirect(visit, to: .org(access.org.key, .secrets(.list)), flash: "Secret \(secret.name) deleted.")
        } catch DomainError.invalid(let errors) {
            return try renderDelete(visit, access: access, secret: secret, errors: errors, status: 422)
        } catch DomainError.staleVersion {
            let current = try database.secret(id: secret.id, orgId: access.org.id!, ownerId: visit.signedIn!.user.id!)
            var errors = FieldErrors()
            errors.addForm("This secret was rotated after you opened this page, so it was not deleted. Confirm again to delete it.")
            return try renderDelete(visit, access: access, secret: current, errors: errors, status: 409)
        }
    }

    // MARK: - Pages

    private func render(_ visit: Visit, access: OrgAccess, name: String, errors: FieldErrors, status: Int) throws -> Response {
        let org = access.org
        let userId = visit.signedIn!.user.id!
        var context = try shell.layout(visit, title: "Secrets · \(org.displayName)", access: access, tab: .secrets)
        // Both lists come a page at a time: `?page=` for your secrets, `?members_page=` for the counts.
        let query = visit.request.queryItems
        let secrets = try database.secretsPage(orgId: org.id!, ownerId: userId, page: Paged<SecretSummary>.page(query["page"]))
        let tab = Route.org(org.key, .secrets(.list))
        context["secrets"] = TemplateValue.list(secrets.entries.map { secretContext($0, org: org.key) })
        context["hasSecrets"] = secrets.total > 0
        context["secretsPager"] = Self.pager(secrets, base: tab, parameter: "page", label: "Pages of your secrets")
        context["presets"] = SecretRules.presets
        context["formErrors"] = errors.formContext
        context["fields"] = [
            "name": .object(CredentialField(name: AddField.name.rawValue, label: "Name", value: name, errors: errors,
                                            hint: "Pick a suggested name such as OPENAI_API_KEY or type your own: capital "
                                                + "letters, digits and underscores, at most 128 characters.",
                                            list: "secret-presets", required: true, maxLength: SecretRules.maxNameLength).context),
            "value": .object(CredentialField(name: AddField.value.rawValue, label: "Value", type: "textarea", errors: errors,
                                             hint: "At most 32 KiB. Shown only as a masked hint after you save it.",
                                             required: true).context),
        ] as TemplateObject
        if access.allows(.viewMemberSecretCounts) {
            let counts = try database.secretCountsByMember(access, page: Paged<MemberSecretCount>.page(query["members_page"]))
            var section: TemplateObject = ["members": .list(counts.entries.map { member in
                .object(["name": .text(member.name), "email": .text(member.email), "role": .text(member.role.label),
                         "secrets": .number(member.secrets)])
            })]
            section["pager"] = Self.pager(counts, base: tab, parameter: "members_page", label: "Pages of members")
            context["counts"] = section
        }
        return shell.page(.secrets, context, status: status)
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

    private func secretContext(_ secret: SecretSummary, org: String) -> TemplateValue {
        var item: TemplateObject = [
            "id": .text(secret.id), "name": .text(secret.name), "hint": .text(secret.hint),
            "created": .text(Dates.day(secret.createdAt)), "createdISO": .text(Dates.isoTime(secret.createdAt)),
            "rotatePath": .text(Route.org(org, .secrets(.rotate(secret.id, .show))).path),
            "deletePath": .text(Route.org(org, .secrets(.delete(secret.id, .show))).path),
        ]
        if let rotated = secret.rotatedAt {
            item["rotated"] = ["day": .text(Dates.day(rotated)), "iso": .text(Dates.isoTime(rotated))] as TemplateObject
        }
        return .object(item)
    }

    private func renderRotate(_ visit: Visit, access: OrgAccess, secret: SecretSummary, errors: FieldErrors,
                              status: Int) throws -> Response {
        var context = try shell.layout(visit, title: "Rotate \(secret.name) · \(access.org.displayName)", access: access, tab: .secrets)
        context["secret"] = secretContext(secret, org: access.org.key)
        context["version"] = secret.version
        context["backPath"] = Route.org(access.org.key, .secrets(.list)).path
        context["formErrors"] = errors.formContext
        context["field"] = CredentialField(name: RotateField.value.rawValue, label: "New value", type: "textarea", errors: errors,
                                           hint: "Replaces the stored value; the id stays the same. At most 32 KiB.",
                                           required: true).context
        return shell.page(.secretsRotate, context, status: status)
    }

    private func renderDelete(_ visit: Visit, access: OrgAccess, secret: SecretSummary, errors: FieldErrors,
                              status: Int) throws -> Response {
        var context = try shell.layout(visit, title: "Delete \(secret.name) · \(access.org.displayName)", access: access, tab: .secrets)
        context["secret"] = secretContext(secret, org: access.org.key)
        context["version"] = secret.version
        context["backPath"] = Route.org(access.org.key, .secrets(.list)).path
        context["formErrors"] = errors.formContext
        return shell.page(.secretsDelete, context, status: status)
    }
}
