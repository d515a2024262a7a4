import Foundation
import WheelhouseCore

/// The Workspaces tab: cards, shared-workspace creation, and each workspace's access list.
///
/// - `GET  /orgs/{org}/settings/workspaces` — any member: the workspaces they can see
/// - `POST /orgs/{org}/settings/workspaces` — Owner, Admin (`createWorkspace`; the plan's limit in SaaS mode)
/// - `GET  …/workspaces/{key}` — whoever can see that workspace (others get 404)
/// - `POST …/workspaces/{key}/access`, `…/access/{id}`, `…/access/{id}/revoke` — Owner, Admin, or a
///   Member holding `admin` on that workspace (`manageWorkspaceAccess`); not while archived
/// - `POST …/workspaces/{key}/settings`, `…/archive`, `…/restore`, `…/delete` — Owner, Admin
///   (`WorkspaceLifecycleController`)
struct WorkspacesController {
    let shell: Shell
    let database: AppDatabase

    func respond(_ route: WorkspacesRoute, _ visit: inout Visit, access: OrgAccess) throws -> Response {
        switch route {
        case .list: try list(visit, access: access)
        case .create: try create(&visit, access: access)
        case .workspace(let key): try show(visit, access: access, key: key)
        case .grant, .change, .revoke: try perform(route, &visit, access: access)
        case .update, .archive, .restore, .delete:
            try WorkspaceLifecycleController(shell: shell, database: database).perform(route, &visit, access: access)
        }
    }

    enum Field: String, CaseIterable {
        case csrf = "_csrf", version, name, key, description, subject, level, language
    }

    func list(
        _ visit: Visit, access: OrgAccess, values: NewWorkspace? = nil,
        errors: FieldErrors = FieldErrors(), limit: Plan? = nil, status: Int = 200
    ) throws -> Response {
        // A new workspace's language starts as its creator's default language (Preferences).
        let preferred = try database.preferences(userId: visit.signedIn!.user.id!).language
        let values = values ?? NewWorkspace(name: "", key: "", description: "", language: preferred)
        let layout = try shell.layout(visit, title: "Workspaces · \(access.org.displayName)", access: access, tab: .workspaces)
        let cards = try database.workspaceCards(access: access, userId: visit.signedIn!.user.id!)
        var create: WorkspacesPage.CreateForm?
        if access.allows(.createWorkspace) {
            create = WorkspacesPage.CreateForm(
                plan: shell.config.mode == .saas ? try database.planUsage(orgId: access.org.id!) : nil,
                refusedByLimit: limit != nil, values: values, preferredLanguage: preferred, errors: errors)
        }
        return shell.render(
            .workspaces, WorkspacesPage(orgKey: access.org.key, cards: cards, create: create), layout: layout, status: status)
    }

    func create(_ visit: inout Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        var reader = FormReader<Field>(form)
        try access.require(.createWorkspace)
        // A form without the field (an older page) takes the creator's default language.
        let language =
            form.fields[Field.language.rawValue] == nil
            ? try database.preferences(userId: visit.signedIn!.user.id!).language : reader.text(.language, label: "Language")
        let values = NewWorkspace(
            name: TextRules.trimmed(reader.text(.name, label: "Name")),
            key: TextRules.trimmed(reader.text(.key, label: "URL key")),
            description: reader.text(.description, label: "Description").trimmingCharacters(in: .whitespacesAndNewlines),
            language: language)
        do {
            try reader.errors.throwIfAny()
            let workspace = try database.createWorkspace(
                orgKey: access.org.key, values, enforcePlan: shell.config.mode == .saas,
                by: visit.actor)
            return try shell.redirect(
                visit, to: Route.org(access.org.key, .workspaces(.workspace(workspace.key))),
                flash: "Workspace “\(workspace.name)” created.")
        } catch DomainError.invalid(let errors) {
            return try list(visit, access: access, values: values, errors: reader.errors.merging(errors), status: 422)
        } catch DomainError.pendingDeletion(let purgeAt) {
            return try list(visit, access: access, values: values, errors: PendingDeletionWords.errors(purgeAt), status: 409)
        } catch WorkspaceRule.planLimit(let plan) {
            var errors = FieldErrors()
            errors.addForm(
                "The \(plan.name) plan includes \(plan.sharedWorkspaceLimit) shared workspaces and all are in use. Upgrade the plan on Billing, or ask an Owner to."
            )
            return try list(visit, access: access, values: values, errors: errors, limit: plan, status: 422)
        }
    }

    func show(
        _ visit: Visit, access: OrgAccess, key: String, errors: FieldErrors = FieldErrors(),
        grantErrors: [Int64: String] = [:], manage: WorkspaceLifecycleController.FormState? = nil,
        status: Int = 200
    ) throws -> Response {
        let detail = try database.workspaceDetail(access: access, userId: visit.signedIn!.user.id!, key: key)
        let w = detail.card.workspace
        let layout = try shell.layout(visit, title: "\(w.name) · Workspaces", access: access, tab: .workspaces)
        let forms =
            w.isShared && access.allows(.createWorkspace) ? WorkspaceManageForm(workspace: w, orgKey: access.org.key, state: manage) : nil
        let page = WorkspacePage(orgKey: access.org.key, detail: detail, manage: forms, errors: errors, grantErrors: grantErrors)
        return shell.render(.workspace, page, layout: layout, status: status)
    }

    /// The access forms of one workspace.
    private func perform(_ route: WorkspacesRoute, _ visit: inout Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<Field>(try visit.form())
        let key = route.workspaceKey!
        let version = Int(reader.text(.version, label: "Version")) ?? -1
        let level = AccessLevel(rawValue: reader.text(.level, label: "Level"))
        var grantId: Int64?
        do {
            return try shell.submit(
                visit, stale: WorkspacePage.staleGrant,
                {
                    try reader.errors.throwIfAny()
                    switch route {
                    case .list, .create, .workspace, .update, .archive, .restore, .delete: throw WebError.notFound
                    case .grant:
                        let subject = reader.text(.subject, label: "Who").split(separator: ":")
                        guard subject.count == 2, let id = Int64(subject[1]), let level else {
                            var errors = FieldErrors()
                            errors.add(Field.subject.rawValue, "Choose a person or team and a level.")
                            throw DomainError.invalid(errors)
                        }
                        let target: AccessSubject = subject[0] == "team" ? .team(id) : .user(id)
                        try database.grantAccess(orgKey: access.org.key, workspaceKey: key, to: target, level: level, by: visit.actor)
                    case .change(_, let id):
                        grantId = id
                        guard let level else { throw DomainError.invalid(FieldErrors()) }
                        try database.changeAccess(
                            orgKey: access.org.key, workspaceKey: key, grantId: id, level: level,
                            expectedVersion: version, by: visit.actor)
                    case .revoke(_, let id):
                        grantId = id
                        try database.changeAccess(
                            orgKey: access.org.key, workspaceKey: key, grantId: id, level: nil,
                            expectedVersion: version, by: visit.actor)
                    }
                    return FormSuccess(.org(access.org.key, .workspaces(.workspace(key))), flash: "Access updated.")
                },
                refused: { refusal in
                    switch refusal {
                    case .invalid(let found):
                        var all = reader.errors.merging(found)
                        if let grantId {
                            return try show(
                                visit, access: access, key: key, grantErrors: [grantId: "Choose Read, Write or Admin."], status: 422)
                        }
                        if all.isEmpty { all.addForm("Choose a person or team and a level.") }
                        return try show(visit, access: access, key: key, errors: all, status: 422)
                    case .stale:
                        // Beside the grant's row, not above the page: the row is what changed.
                        return try show(visit, access: access, key: key, grantErrors: [grantId ?? 0: WorkspacePage.staleGrant], status: 409)
                    }
                })
        } catch WorkspaceRule.archived {
            var errors = FieldErrors()
            errors.addForm("This workspace is archived, so its access is read-only. Restore it first.")
            return try show(visit, access: access, key: key, errors: errors, status: 409)
        } catch WorkspaceRule.privateWorkspace {
            var errors = FieldErrors()
            errors.addForm("A default workspace is private to its owner; share work through a shared workspace.")
            return try show(visit, access: access, key: key, errors: errors, status: 422)
        }
    }

    private func levels(selected: AccessLevel) -> TemplateValue {
        .list(
            AccessLevel.allCases.map {
                .object(["value": .text($0.rawValue), "label": .text($0.label), "selected": .flag($0 == selected)])
            })
    }
}
