import Foundation
import WheelhouseCore

/// Founding an organization and deleting one's own account.
///
/// - `GET/POST /account/organizations/new` — name and key (checked, unique, never renamed); the
///   person becomes its Owner, on the Free plan in SaaS mode. The new organization's log starts
///   with the audit entry of its creation.
/// - `GET/POST /account/delete` — refused, with the reason, while the person is the last Owner of
///   an organization; otherwise confirmed by password: they leave every organization (audited in
///   each), their session cookie is cleared and a last email confirms it.
struct AccountLifecycleController {
    let shell: Shell
    let database: AppDatabase
    let avatars: LogoStore

    enum NewOrgField: String, CaseIterable { case csrf = "_csrf", orgName = "org_name", orgKey = "org_key" }
    enum DeleteField: String, CaseIterable { case csrf = "_csrf", password }

    func respond(_ route: AccountRoute, _ visit: Visit) throws -> Response {
        let form = route.method == .post ? try visit.form() : nil
        guard let signedIn = visit.signedIn else {
            return .redirect(to: Route.login(.show).path(query: [("next", visit.request.path)]))
        }
        switch route {
        case .newOrganization(.show): return try newOrgPage(visit, NewOrganizationPage())
        case .newOrganization(.submit):
            var reader = FormReader<NewOrgField>(form!)
            let page = NewOrganizationPage(
                name: TextRules.trimmed(reader.text(.orgName, label: "Organization name")),
                key: TextRules.trimmed(reader.text(.orgKey, label: "Org key")).lowercased())
            do {
                try reader.errors.throwIfAny()
                let plan: Plan = shell.config.mode == .saas ? .free : .default
                let org = try database.createOrganization(name: page.name, key: page.key, plan: plan, by: visit.actor)
                return try shell.redirect(
                    visit, to: .org(org.key, .root), flash: "“\(org.displayName)” is created, and you are its Owner.")
            } catch DomainError.invalid(let errors) {
                var refused = page
                refused.errors = errors
                return try newOrgPage(visit, refused, status: 422)
            }
        case .deleteAccount(.show):
            return try deletePage(visit, try DeleteAccountPage(userId: signedIn.user.id!, database: database))
        case .deleteAccount(.submit):
            var reader = FormReader<DeleteField>(form!)
            let password = reader.text(.password, label: "Password")
            do {
                try reader.errors.throwIfAny()
                try database.deleteAccount(password: password, by: visit.actor, avatars: avatars)
            } catch DomainError.invalid(let errors) {
                var page = try DeleteAccountPage(userId: signedIn.user.id!, database: database)
                page.errors = errors
                return try deletePage(visit, page, status: 422)
            } catch DomainError.throttled(let seconds) {
                var page = try DeleteAccountPage(userId: signedIn.user.id!, database: database)
                page.errors.addForm("Too many wrong passwords from here. Try again in \(Plural.wait(seconds)).")
                var response = try deletePage(visit, page, status: 429)
                response.headers.append(("Retry-After", String(seconds)))
                return response
            }
            // The session row went with the account: the cookie goes too.
            var response = Response.redirect(to: Route.login(.show).path(query: [("deleted", "1")]))
            response.setCookie(Visit.sessionCookie, "", secure: shell.config.secureCookies, maxAge: 0)
            return response
        default: throw WebError.notFound
        }
    }

    private func newOrgPage(_ visit: Visit, _ page: NewOrganizationPage, status: Int = 200) throws -> Response {
        shell.render(.accountNewOrganization, page, layout: try shell.layout(visit, title: "New organization"), status: status)
    }

    private func deletePage(_ visit: Visit, _ page: DeleteAccountPage, status: Int = 200) throws -> Response {
        shell.render(.accountDelete, page, layout: try shell.layout(visit, title: "Delete my account"), status: status)
    }
}

/// `/account/organizations/new`: name and key, with what was typed after a refusal.
struct NewOrganizationPage: PageValues {
    var name = ""
    var key = ""
    var errors = FieldErrors()

    typealias Field = AccountLifecycleController.NewOrgField
    static let names = FieldNames.of(Field.self)

    func fill(_ context: inout TemplateObject) {
        context["names"] = Self.names
        context["formErrors"] = errors.formContext
        context["action"] = Route.account(.newOrganization(.submit)).path
        context["fields"] =
            [
                "name": .object(
                    FieldView(
                        name: Field.orgName.rawValue, label: "Organization name", value: name, errors: errors,
                        hint: "Shown to its members; you can change it later on General.", autocomplete: "organization",
                        autofocus: true, required: true, maxLength: 100
                    ).context),
                "key": .object(
                    FieldView(
                        name: Field.orgKey.rawValue, label: "Org key", value: key, errors: errors,
                        hint:
                            "2–40 lowercase letters, digits and dashes. It appears in every address of the organization and can never be changed.",
                        autocomplete: "off", required: true, maxLength: 40, spellcheck: false
                    ).context),
            ] as TemplateObject
    }
}

/// `/account/delete`: what deleting means, what blocks it, and the password form.
struct DeleteAccountPage: PageValues {
    var email: String
    var organizations: [OrgSummary]
    var blockers: [AccountDeletionBlocker]
    var errors = FieldErrors()

    init(userId: Int64, database: AppDatabase) throws {
        email = try database.profile(userId: userId).email
        organizations = try database.organizations(of: userId)
        blockers = try database.accountDeletionBlockers(userId: userId)
    }

    typealias Field = AccountLifecycleController.DeleteField
    static let names = FieldNames.of(Field.self)

    func fill(_ context: inout TemplateObject) {
        context["names"] = Self.names
        context["formErrors"] = errors.formContext
        context["email"] = email
        context["action"] = Route.account(.deleteAccount(.submit)).path
        context["profileLink"] = Route.account(.profile).path
        context["organizations"] = TemplateValue.list(
            organizations.map { .object(["name": .text($0.displayName), "role": .text($0.role.label)]) })
        context["hasOrganizations"] = TemplateValue.flag(!organizations.isEmpty)
        context["blocked"] = TemplateValue.flag(!blockers.isEmpty)
        context["blockers"] = TemplateValue.list(
            blockers.map { blocker in
                .object([
                    "name": .text(blocker.orgName),
                    "membersLink": .text(Route.org(blocker.orgKey, .members(.list)).path),
                ])
            })
        context["fields"] =
            [
                "password": .object(
                    FieldView(
                        name: Field.password.rawValue, label: "Your password", value: "", type: "password", errors: errors,
                        hint: "To confirm it is you.", autocomplete: "current-password", required: true, spellcheck: false
                    ).context)
            ] as TemplateObject
    }
}
