import Foundation
import WheelhouseCore

/// The API keys tab: the organization's platform API keys, Owner and Admin (`manageAPIKeys`).
///
/// - `GET  /orgs/{org}/settings/api-keys` — the list, the create form, the lifetime policy
/// - `POST /orgs/{org}/settings/api-keys` — make a key: `name`, `scope_<scope>` checkboxes,
///   `expiry` (`7` … `365`, `date`, `never`), `expiry_date`; then to its secret page
/// - `POST /orgs/{org}/settings/api-keys/policy` — the maximum lifetime (`policy`, `version`)
/// - `GET  /orgs/{org}/settings/api-keys/{id}/secret` — the new secret, once, to the session
///   that made it (held sealed server-side until then; never in a URL, cookie or log)
/// - `GET|POST …/{id}/rotate` — grace choice (`grace`, `version`), then a successor secret
/// - `GET|POST …/{id}/revoke-previous` — confirmation, then the old secret stops now (`version`)
/// - `GET|POST …/{id}/revoke` — confirmation, then the key is revoked (`version`)
struct APIKeysController {
    let shell: Shell
    let database: AppDatabase

    /// The create form's fields: one checkbox per scope, so the names come from `APIScope`.
    struct CreateField: RawRepresentable, CaseIterable, Hashable {
        let rawValue: String
        init(rawValue: String) { self.rawValue = rawValue }

        static let csrf = Self(rawValue: "_csrf")
        static let name = Self(rawValue: "name")
        static let expiry = Self(rawValue: "expiry")
        static let expiryDate = Self(rawValue: "expiry_date")
        static func scope(_ scope: APIScope) -> Self { Self(rawValue: "scope_" + scope.rawValue) }
        static let allCases: [Self] = [csrf, name, expiry, expiryDate] + APIScope.allCases.map(scope)
    }

    enum PolicyField: String, CaseIterable { case csrf = "_csrf", version, policy }
    enum RotateField: String, CaseIterable { case csrf = "_csrf", version, grace }
    enum ConfirmField: String, CaseIterable { case csrf = "_csrf", version }

    func respond(_ route: APIKeysRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        switch route {
        case .list: return try render(visit, access: access)
        case .create: return try create(visit, access: access)
        case .policy: return try setPolicy(visit, access: access)
        case .secret(let id): return try showSecret(id, visit, access: access)
        case .rotate(let id, let step), .revokePrevious(let id, let step), .revoke(let id, let step):
            // Another organization's key is a 404 whatever the method, before the form is read.
            let key = try database.apiKey(id: id, access)
            switch (route, step) {
            case (.rotate, .show): return try renderRotate(visit, access: access, key: key, errors: FieldErrors(), status: 200)
            case (.rotate, _): return try rotate(visit, access: access, key: key)
            case (.revokePrevious, .show), (.revoke, .show):
                return try renderConfirm(visit, access: access, key: key, route: route, errors: FieldErrors(), status: 200)
            default: return try confirm(visit, access: access, key: key, route: route)
            }
        }
    }

    private func create(_ visit: Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<CreateField>(try visit.form())
        var draft = APIKeyDraft()
        draft.name = TextRules.trimmed(reader.text(.name, label: "Name"))
        draft.scopes = Set(APIScope.allCases.filter { reader.isOn(.scope($0)) }.map(\.rawValue))
        draft.expiry = reader.text(.expiry, label: "Expires")
        draft.expiryDate = TextRules.trimmed(reader.text(.expiryDate, label: "Date"))
        return try shell.submit(
            visit,
            {
                try reader.errors.throwIfAny()
                let issued = try database.createAPIKey(
                    orgKey: access.org.key,
                    NewAPIKey(
                        name: draft.name, scopes: draft.scopes.sorted(), expiry: draft.expiry, expiryDate: draft.expiryDate),
                    by: visit.actor, revealTo: visit.signedIn!.session)
                return FormSuccess(
                    .org(access.org.key, .apiKeys(.secret(issued.key.id))),
                    flash: "API key \(issued.key.name) created. Copy its secret now: it is shown only once.")
            },
            refused: { refusal in try render(visit, access: access, draft: draft, createErrors: refusal.errors, status: refusal.status) })
    }

    private func setPolicy(_ visit: Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<PolicyField>(try visit.form())
        let version = reader.version(.version)
        let value = reader.text(.policy, label: "Maximum lifetime")
        return try shell.submit(
            visit,
            stale: "The key lifetime policy was changed by someone else after you opened this page, so yours was not saved. "
                + "It now reads as below; choose again to change it.",
            {
                try reader.errors.throwIfAny()
                let (setting, blocked) = try database.setAPIKeyPolicy(
                    orgKey: access.org.key, value: value, expectedVersion: version, by: visit.actor)
                let note = blocked > 0 ? " \(Plural.count(blocked, "key")) outlive it and are blocked until they are replaced." : ""
                return FormSuccess(
                    .org(access.org.key, .apiKeys(.list)), flash: "Maximum key lifetime: \(setting.policy.title.lowercased()).\(note)")
            },
            refused: { refusal in
                let choice: String? = refusal.status == 409 ? nil : value
                return try render(visit, access: access, policyChoice: choice, policyErrors: refusal.errors, status: refusal.status)
            })
    }

    private func showSecret(_ id: Int64, _ visit: Visit, access: OrgAccess) throws -> Response {
        let key = try database.apiKey(id: id, access)
        let secret = try database.takeAPIKeyReveal(keyId: id, session: visit.signedIn!.session)
        let layout = try shell.layout(visit, title: "API key \(key.name) · \(access.org.displayName)", access: access, tab: .apiKeys)
        return shell.render(
            .apiKeysSecret, APIKeySecretPage(orgKey: access.org.key, key: key, secret: secret, now: database.now()), layout: layout)
    }

    // MARK: - The tab

    func render(
        _ visit: Visit, access: OrgAccess, draft: APIKeyDraft = APIKeyDraft(), createErrors: FieldErrors = FieldErrors(),
        policyChoice: String? = nil, policyErrors: FieldErrors = FieldErrors(), status: Int = 200
    ) throws -> Response {
        let org = access.org
        let page = APIKeysPage(
            orgKey: org.key, keys: try database.apiKeys(access), policy: try database.apiKeyPolicy(orgId: org.id!),
            policyChoice: policyChoice, draft: draft, role: access.role, createErrors: createErrors, policyErrors: policyErrors,
            now: database.now())
        let layout = try shell.layout(visit, title: "API keys · \(org.displayName)", access: access, tab: .apiKeys)
        return shell.render(.apiKeys, page, layout: layout, status: status)
    }
}
