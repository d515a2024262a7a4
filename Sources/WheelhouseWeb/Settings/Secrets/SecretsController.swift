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
        return try shell.submit(
            visit,
            {
                try reader.errors.throwIfAny()
                let secret = try database.addSecret(orgKey: access.org.key, by: visit.actor, name: name, value: value)
                return FormSuccess(.org(access.org.key, .secrets(.list)), flash: "Secret \(secret.name) saved. Its id is \(secret.id).")
            },
            refused: { refusal in
                var errors = refusal.errors
                errors.noteValueNotKept(AddField.value, typed: value)
                return try render(visit, access: access, name: name, errors: errors, status: refusal.status)
            })
    }

    func respond(_ route: SecretsRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        switch route {
        case .list: return try show(visit, access: access)
        case .add: return try add(visit, access: access)
        case .rotate(let id, let step), .delete(let id, let step):
            // Someone else's secret is a 404, whatever the method.
            let secret = try ownSecret(id, visit, access: access)
            switch (route, step) {
            case (.rotate, .show): return try renderRotate(visit, access: access, secret: secret, errors: FieldErrors(), status: 200)
            case (.rotate, .submit): return try rotate(visit, access: access, secret: secret)
            case (_, .show): return try renderDelete(visit, access: access, secret: secret, errors: FieldErrors(), status: 200)
            case (_, .submit): return try delete(visit, access: access, secret: secret)
            }
        }
    }

    private func ownSecret(_ id: String, _ visit: Visit, access: OrgAccess) throws -> SecretSummary {
        try database.secret(id: id, orgId: access.org.id!, ownerId: visit.signedIn!.user.id!)
    }

    private func rotate(_ visit: Visit, access: OrgAccess, secret: SecretSummary) throws -> Response {
        var reader = FormReader<RotateField>(try visit.form())
        let version = reader.version(.version)
        let value = SecretRules.normalized(reader.text(.value, label: "New value"))
        return try shell.submit(
            visit,
            stale: "This secret was changed in another window after you opened this form, so the new value was not "
                + "saved. Check the dates below and save again to replace it.",
            {
                try reader.errors.throwIfAny()
                try database.rotateSecret(orgKey: access.org.key, id: secret.id, by: visit.actor, value: value, expectedVersion: version)
                return FormSuccess(.org(access.org.key, .secrets(.list)), flash: "Secret \(secret.name) rotated. Its id is unchanged.")
            },
            refused: { refusal in
                switch refusal {
                case .invalid(var errors):
                    errors.noteValueNotKept(RotateField.value, typed: value)
                    return try renderRotate(visit, access: access, secret: secret, errors: errors, status: refusal.status)
                case .stale(let errors):
                    return try renderRotate(
                        visit, access: access, secret: try ownSecret(secret.id, visit, access: access), errors: errors,
                        status: refusal.status)
                }
            })
    }

    private func delete(_ visit: Visit, access: OrgAccess, secret: SecretSummary) throws -> Response {
        var reader = FormReader<DeleteField>(try visit.form())
        let version = reader.version(.version)
        return try shell.submit(
            visit, stale: "This secret was rotated after you opened this page, so it was not deleted. Confirm again to delete it.",
            {
                try reader.errors.throwIfAny()
                try database.deleteSecret(orgKey: access.org.key, id: secret.id, by: visit.actor, expectedVersion: version)
                return FormSuccess(.org(access.org.key, .secrets(.list)), flash: "Secret \(secret.name) deleted.")
            },
            refused: { refusal in
                // After a 409 the page shows the secret as it is now.
                var current = secret
                if case .stale = refusal { current = try ownSecret(secret.id, visit, access: access) }
                return try renderDelete(visit, access: access, secret: current, errors: refusal.errors, status: refusal.status)
            })
    }

    // MARK: - Pages

    private func render(_ visit: Visit, access: OrgAccess, name: String, errors: FieldErrors, status: Int) throws -> Response {
        let org = access.org
        let query = visit.request.queryItems
        let secrets = try database.secretsPage(
            orgId: org.id!, ownerId: visit.signedIn!.user.id!, page: Paged<SecretSummary>.page(query["page"]))
        let counts =
            access.allows(.viewMemberSecretCounts)
            ? try database.secretCountsByMember(access, page: Paged<MemberSecretCount>.page(query["members_page"])) : nil
        let layout = try shell.layout(visit, title: "Secrets · \(org.displayName)", access: access, tab: .secrets)
        return shell.render(
            .secrets, SecretsPage(orgKey: org.key, secrets: secrets, counts: counts, name: name, errors: errors),
            layout: layout, status: status)
    }

    private func renderRotate(_ visit: Visit, access: OrgAccess, secret: SecretSummary, errors: FieldErrors, status: Int) throws -> Response
    {
        let layout = try shell.layout(visit, title: "Rotate \(secret.name) · \(access.org.displayName)", access: access, tab: .secrets)
        return shell.render(
            .secretsRotate, SecretRotatePage(orgKey: access.org.key, secret: secret, errors: errors), layout: layout, status: status)
    }

    private func renderDelete(_ visit: Visit, access: OrgAccess, secret: SecretSummary, errors: FieldErrors, status: Int) throws -> Response
    {
        let layout = try shell.layout(visit, title: "Delete \(secret.name) · \(access.org.displayName)", access: access, tab: .secrets)
        return shell.render(
            .secretsDelete, SecretDeletePage(orgKey: access.org.key, secret: secret, errors: errors), layout: layout, status: status)
    }
}
