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
        case csrf = "_csrf", version, name, key, description, subject, level
    }

    func list(_ visit: Visit, access: OrgAccess, values: NewWorkspace = NewWorkspace(name: "", key: "", description: ""),
              errors: FieldErrors = FieldErrors(), limit: Plan? = nil, status: Int = 200) throws -> Response {
        var context = try shell.layout(visit, title: "Workspaces · \(access.org.displayName)", access: access, tab: .workspaces)
        let cards = try database.workspaceCards(access: access, userId: visit.signedIn!.user.id!)
        context["cards"] = TemplateValue.list(cards.map { card in
            let w = card.workspace
            return .object(["name": .text(w.name), "initial": .text(String(w.name.first.map { $0.uppercased() } ?? "?")),
                            "color": .number(Int(Crypto.sha256(w.key)[0] % 8)), "shared": .flag(w.isShared),
                            "members": .number(card.memberCount), "workflows": .number(card.workflowCount),
                            "agents": .number(card.agentCount), "description": .text(w.description),
                            "archived": .flag(w.archivedAt != nil),
                            "href": .text(Route.org(access.org.key, .workspaces(.workspace(w.key))).path)])
        })
        if access.allows(.createWorkspace) {
            if shell.config.mode == .saas {
                let usage = try database.planUsage(orgId: access.org.id!)
                context["plan"] = ["name": .text(usage.plan.name), "used": .number(usage.sharedWorkspaces),
                                   "limit": .number(usage.plan.sharedWorkspaceLimit),
                                   "billing": .text(Route.org(access.org.key, .billing(.show)).path)] as TemplateObject
                if usage.workspaceLimitReached || limit != nil { context["limitReached"] = true }
            }
            context["create"] = [
                "formErrors": .object(errors.formContext ?? [:]), "hasFormErrors": .flag(!errors.form.isEmpty),
                "name": .object(FieldView(name: Field.name.rawValue, label: "Name", value: values.name, errors: errors,
                                          required: true, maxLength: 100).context),
                "key": .object(FieldView(name: Field.key.rawValue, label: "URL key", value: values.key, errors: errors,
                                         hint: "Lowercase letters, digits and dashes; unique in the organization; used in URLs.",
                                         required: true, maxLength: 40).context),
                "description": .object(FieldView(name: Field.description.rawValue, label: "Description", value: values.description,
                                                 type: "textarea", errors: errors, hint: "Optional. At most 500 characters.",
                                                 maxLength: 500).context),
            ] as TemplateObject
        }
        return shell.page(.workspaces, context, status: status)
    }

    func create(_ visit: inout Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<Field>(try visit.form())
        try access.require(.createWorkspace)
        let values = NewWorkspace(name: TextRules.trimmed(reader.text(.name, label: "Name")),
                                  key: TextRules.trimmed(reader.text(.key, label: "URL key")),
                                  description: reader.text(.description, label: "Description").trimmingCharacters(in: .whitespacesAndNewlines))
        do {
            try reader.errors.throwIfAny()
            let workspace = try database.createWorkspace(orgKey: access.org.key, values, enforcePlan: shell.config.mode == .saas,
                                                             by: visit.actor)
            return try shell.redirect(visit, to: Route.org(access.org.key, .workspaces(.workspace(workspace.key))), flash: "Workspace “\(workspace.name)” created.")
        } catch DomainError.invalid(let errors) {
            return try list(visit, access: access, values: values, errors: reader.errors.merging(errors), status: 422)
        } catch WorkspaceRule.planLimit(let plan) {
            var errors = FieldErrors()
            errors.addForm("The \(plan.name) plan includes \(plan.sharedWorkspaceLimit) shared workspaces and all are in use. Upgrade the plan on Billing, or ask an Owner to.")
            return try list(visit, access: access, values: values, errors: errors, limit: plan, status: 422)
        }
    }

    func show(_ visit: Visit, access: OrgAccess, key: String, errors: FieldErrors = FieldErrors(),
              grantErrors: [Int64: String] = [:], manage: WorkspaceLifecycleController.FormState? = nil,
              status: Int = 200) throws -> Response {
        let detail = try database.workspaceDetail(access: access, userId: visit.signedIn!.user.id!, key: key)
        let w = detail.card.workspace
        func url(_ route: WorkspacesRoute) -> String { Route.org(access.org.key, .workspaces(route)).path }
        var context = try shell.layout(visit, title: "\(w.name) · Workspaces", access: access, tab: .workspaces)
        context["workspace"] = ["name": .text(w.name), "key": .text(w.key), "description": .text(w.description),
                                "shared": .flag(w.isShared), "members": .number(detail.card.memberCount),
                                "workflows": .number(detail.card.workflowCount), "agents": .number(detail.card.agentCount),
                                "back": .text(Route.org(access.org.key, .workspaces(.list)).path),
                                "archived": .flag(w.archivedAt != nil)] as TemplateObject
        if w.isShared && access.allows(.createWorkspace) {
            context["manage"] = WorkspaceLifecycleController(shell: shell, database: database).context(w, orgKey: access.org.key, state: manage)
        }
        context["grants"] = TemplateValue.list(detail.grants.map { item in
            var row: TemplateObject = ["name": .text(item.subjectName), "detail": .text(item.subjectDetail),
                                       "isTeam": .flag(item.grant.teamId != nil), "level": .text(item.grant.level.label),
                                       "id": .number(Int(item.grant.id!)), "version": .number(item.grant.version),
                                       "canManage": .flag(detail.canManageAccess),
                                       "changeAction": .text(url(.change(w.key, item.grant.id!))),
                                       "revokeAction": .text(url(.revoke(w.key, item.grant.id!))),
                                       "levels": levels(selected: item.grant.level)]
            row["error"] = grantErrors[item.grant.id!]
            return .object(row)
        })
        context["noGrants"] = detail.grants.isEmpty
        if detail.canManageAccess {
            context["grant"] = ["action": .text(url(.grant(w.key))), "levels": levels(selected: .read),
                                "people": .list(detail.people.map { .object(["value": .text("user:\($0.userId)"),
                                                                             "label": .text("\($0.name) (\($0.email))")]) }),
                                "teams": .list(detail.teams.map { .object(["value": .text("team:\($0.id!)"),
                                                                           "label": .text("Team \($0.name)")]) }),
                                "hasTeams": .flag(!detail.teams.isEmpty)] as TemplateObject
            context["subjectErrors"] = errors.fieldContext(Field.subject.rawValue)
        }
        context["formErrors"] = errors.formContext
        return shell.page(.workspace, context, status: status)
    }

    /// The access forms of one workspace.
    private func perform(_ route: WorkspacesRoute, _ visit: inout Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<Field>(try visit.form())
        let key = route.workspaceKey!
        let version = Int(reader.text(.version, label: "Version")) ?? -1
        let level = AccessLevel(rawValue: reader.text(.level, label: "Level"))
        var grantId: Int64?
        do {
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
                try database.changeAccess(orgKey: access.org.key, workspaceKey: key, grantId: id, level: level,
                                              expectedVersion: version, by: visit.actor)
            case .revoke(_, let id):
                grantId = id
                try database.changeAccess(orgKey: access.org.key, workspaceKey: key, grantId: id, level: nil,
                                              expectedVersion: version, by: visit.actor)
            }
        } catch DomainError.invalid(let errors) {
            var all = reader.errors.merging(errors)
            if let grantId { return try show(visit, access: access, key: key, grantErrors: [grantId: "Choose Read, Write or Admin."], status: 422) }
            if all.isEmpty { all.addForm("Choose a person or team and a level.") }
            return try show(visit, access: access, key: key, errors: all, status: 422)
        } catch DomainError.staleVersion {
            return try show(visit, access: access, key: key,
                            grantErrors: [grantId ?? 0: "This grant changed since you loaded the page; nothing was saved. Check it and try again."],
                            status: 409)
        } catch WorkspaceRule.archived {
            var errors = FieldErrors()
            errors.addForm("This workspace is archived, so its access is read-only. Restore it first.")
            return try show(visit, access: access, key: key, errors: errors, status: 409)
        } catch WorkspaceRule.privateWorkspace {
            var errors = FieldErrors()
            errors.addForm("A default workspace is private to its owner; share work through a shared workspace.")
            return try show(visit, access: access, key: key, errors: errors, status: 422)
        }
        return try shell.redirect(visit, to: Route.org(access.org.key, .workspaces(.workspace(key))), flash: "Access updated.")
    }

    private func levels(selected: AccessLevel) -> TemplateValue {
        .list(AccessLevel.allCases.map { .object(["value": .text($0.rawValue), "label": .text($0.label), "selected": .flag($0 == selected)]) })
    }
}
