import Foundation
import WheelhouseCore

/// The SSO tab: the OpenID Connect configuration, verified domains, test sign-in, enforcement.
///
/// - `GET /orgs/{org}/settings/sso` — Owner and Admin (`manageSSO`).
/// - `POST …/sso/config` — `version` (0 before the first save), `issuer`, `client_id`,
///   `client_secret` (empty keeps the stored one), `scopes`, `jit` on/off, `default_role`
///   member/admin; queues the discovery fetch.
/// - `POST …/sso/domains` — `domain`; `POST …/sso/domains/{id}/verify` and `…/remove`.
/// - `POST …/sso/test` — leaves for the provider; the return records the test, the session stays.
/// - `POST …/sso/enforcement` — `version`, `enforce` on/off, `break_glass_1`, `break_glass_2` (Owner ids or empty).
struct SSOController {
    let shell: Shell
    let database: AppDatabase

    enum ConfigField: String, CaseIterable {
        case csrf = "_csrf", version, issuer, clientId = "client_id", clientSecret = "client_secret", scopes, jit
        case defaultRole = "default_role"
    }
    enum DomainField: String, CaseIterable { case csrf = "_csrf", domain }
    enum EnforceField: String, CaseIterable {
        case csrf = "_csrf", version, enforce, breakGlass1 = "break_glass_1", breakGlass2 = "break_glass_2"
    }
    enum ButtonField: String, CaseIterable { case csrf = "_csrf" }

    static let stale = "Someone changed the SSO settings while you were editing. The current values are shown; check them and save again."

    func respond(_ route: SSORoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        try access.require(.manageSSO)
        switch route {
        case .show: return try show(visit, access: access, refused: nil)
        case .configure: return try configure(visit, access: access)
        case .addDomain: return try addDomain(visit, access: access)
        case .verifyDomain(let id), .removeDomain(let id): return try domainButton(route, id: id, visit, access: access)
        case .test: return try test(visit, access: access)
        case .enforcement: return try enforcement(visit, access: access)
        }
    }

    private func show(_ visit: Visit, access: OrgAccess, refused: SSOPage.Refused?) throws -> Response {
        let layout = try shell.layout(visit, title: "SSO · \(access.org.displayName)", access: access, tab: .sso)
        let page = SSOPage(
            orgKey: access.org.key, configuration: try database.ssoConfiguration(access), domains: try database.ssoDomains(access),
            owners: try database.ssoOwners(access), redirectURI: SSOWorker.redirectURI(baseURL: shell.config.baseURL),
            now: database.now(), refused: refused)
        return shell.render(.ssoSettings, page, layout: layout, status: refused?.refusal.status ?? 200)
    }

    private func configure(_ visit: Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<ConfigField>(try visit.form())
        let change = SSOConfigChange(
            issuer: TextRules.trimmed(reader.text(.issuer, label: "Issuer URL")),
            clientId: TextRules.trimmed(reader.text(.clientId, label: "Client ID")),
            clientSecret: reader.text(.clientSecret, label: "Client secret"),
            scopes: TextRules.trimmed(reader.text(.scopes, label: "Scopes")), jit: reader.text(.jit, label: "Just-in-time joining"),
            defaultRole: reader.text(.defaultRole, label: "Default role"), expectedVersion: reader.version(.version))
        let errors = reader.errors
        let typed = [
            "issuer": change.issuer, "client_id": change.clientId, "scopes": change.scopes, "jit": change.jit,
            "default_role": change.defaultRole,
        ]
        return try shell.submit(
            visit, stale: Self.stale,
            {
                try errors.throwIfAny()
                try database.saveSSOConfiguration(orgKey: access.org.key, by: visit.actor, change, policy: shell.config.outbound)
                return FormSuccess(
                    .org(access.org.key, .sso(.show)),
                    flash: "SSO configuration saved. Its discovery document is being fetched: reload in a moment.")
            }, refused: { try show(visit, access: access, refused: .init(form: .config, typed: typed, refusal: $0)) })
    }

    private func addDomain(_ visit: Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<DomainField>(try visit.form())
        let domain = reader.text(.domain, label: "Domain")
        let errors = reader.errors
        return try shell.submit(
            visit,
            {
                try errors.throwIfAny()
                let added = try database.addSSODomain(orgKey: access.org.key, by: visit.actor, domain: domain)
                return FormSuccess(
                    .org(access.org.key, .sso(.show)), flash: "\(added.domain) added. Publish its TXT record, then press Verify.")
            }, refused: { try show(visit, access: access, refused: .init(form: .domain, typed: ["domain": domain], refusal: $0)) })
    }

    private func domainButton(_ route: SSORoute, id: Int64, _ visit: Visit, access: OrgAccess) throws -> Response {
        let reader = FormReader<ButtonField>(try visit.form())
        try reader.errors.throwIfAny()
        let back = Route.org(access.org.key, .sso(.show))
        if case .removeDomain = route {
            try database.removeSSODomain(orgKey: access.org.key, id: id, by: visit.actor)
            return try shell.redirect(visit, to: back, flash: "Domain removed.")
        }
        let queued = try database.requestSSODomainCheck(orgKey: access.org.key, id: id, by: visit.actor)
        return try shell.redirect(
            visit, to: back,
            flash: queued ? "Looking up the TXT record: reload in a moment to see the answer." : "A lookup is already under way.")
    }

    private func test(_ visit: Visit, access: OrgAccess) throws -> Response {
        let reader = FormReader<ButtonField>(try visit.form())
        do {
            try reader.errors.throwIfAny()
            let departure = try database.startSSO(
                orgId: access.org.id!, tester: visit.actor.user.id, redirectURI: SSOWorker.redirectURI(baseURL: shell.config.baseURL))
            return SSOSignInController(shell: shell, database: database).leaving(departure)
        } catch let problem as SSOProblem {
            var errors = FieldErrors()
            errors.addForm(problem.message)
            return try show(visit, access: access, refused: .init(form: .test, typed: [:], refusal: .invalid(errors)))
        }
    }

    private func enforcement(_ visit: Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<EnforceField>(try visit.form())
        let change = SSOEnforcementChange(
            enforce: reader.text(.enforce, label: "Enforce SSO"),
            breakGlass: [reader.text(.breakGlass1, label: "Break-glass Owner"), reader.text(.breakGlass2, label: "Break-glass Owner")],
            expectedVersion: reader.version(.version))
        let errors = reader.errors
        let typed = ["enforce": change.enforce, "break_glass_1": change.breakGlass[0], "break_glass_2": change.breakGlass[1]]
        return try shell.submit(
            visit, stale: Self.stale,
            {
                try errors.throwIfAny()
                try database.setSSOEnforcement(orgKey: access.org.key, by: visit.actor, change)
                return FormSuccess(
                    .org(access.org.key, .sso(.show)),
                    flash: change.enforce == "on"
                        ? "SSO is enforced: verified-domain addresses sign in through the provider." : "SSO is not enforced.")
            }, refused: { try show(visit, access: access, refused: .init(form: .enforcement, typed: typed, refusal: $0)) })
    }
}
