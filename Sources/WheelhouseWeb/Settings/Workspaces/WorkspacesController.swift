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
    let app: WebApp

    enum Page: Equatable {
        case workspace(String), grant(String), change(String, Int64), revoke(String, Int64)
        /// A shared workspace's own settings (`WorkspaceLifecycleController`).
        case update(String), archive(String), restore(String), delete(String)

        init?(_ rest: [String]) {
            guard let key = rest.first else { return nil }
            switch Array(rest.dropFirst()) {
            case []: self = .workspace(key)
            case ["access"]: self = .grant(key)
            case ["settings"]: self = .update(key)
            case ["archive"]: self = .archive(key)
            case ["restore"]: self = .restore(key)
            case ["delete"]: self = .delete(key)
            case let s where s.count == 2 && s[0] == "access" && Int64(s[1]) != nil: self = .change(key, Int64(s[1])!)
            case let s where s.count == 3 && s[0] == "access" && Int64(s[1]) != nil && s[2] == "revoke":
                self = .revoke(key, Int64(s[1])!)
            default: return nil
            }
        }

        var workspaceKey: String {
            switch self {
            case .workspace(let key), .grant(let key), .change(let key, _), .revoke(let key, _),
                 .update(let key), .archive(let key), .restore(let key), .delete(let key): key
            }
        }
    }

    enum Field: String, CaseIterable {
        case csrf = "_csrf", version, name, key, description, subject, level
    }

    func list(_ visit: Visit, access: OrgAccess, values: NewWorkspace = NewWorkspace(name: "", key: "", description: ""),
              errors: FieldErrors = FieldErrors(), limit: Plan? = nil, status: Int = 200) throws -> Response {
        var context = try app.layout(visit, title: "Workspaces · \(access.org.displayName)", access: access, tab: .workspaces)
        let cards = try app.database.workspaceCards(access: access, userId: visit.signedIn!.user.id!)
        context["cards"] = TemplateValue.list(cards.map { card in
            let w = card.workspace
            return .object(["name": .text(w.name), "initial": .text(String(w.name.first.map { $0.uppercased() } ?? "?")),
                            "color": .number(Int(Crypto.sha256(w.key)[0] % 8)), "shared": .flag(w.isShared),
                            "members": .number(card.memberCount), "workflows": .number(card.workflowCount),
                            "agents": .number(card.agentCount), "description": .text(w.description),
                            "archived": .flag(w.archivedAt != nil),
                            "href": .text(Route.org(access.org.key, .settingsPage(.workspaces, [w.key])).path)])
        })
        if access.allows(.createWorkspace) {
            if app.config.mode == .saas {
                let usage = try app.database.planUsage(orgId: access.org.id!)
                context["plan"] = ["name": .text(usage.plan.name), "used": .number(usage.sharedWorkspaces),
                                   "limit": .number(usage.plan.sharedWorkspaceLimit),
                                   "billing": .text(Route.org(access.org.key, .settings(.billing)).path)] as TemplateObject
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
        return app.page(.workspaces, context, status: status)
    }

    func create(_ visit: inout Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<Field>(try visit.form())
        try access.require(.createWorkspace)
        let values = NewWorkspace(name: TextRules.trimmed(reader.text(.name, label: "Name")),
                                  key: TextRules.trimmed(reader.text(.key, label: "URL key")),
                                  description: reader.text(.description, label: "Description").trimmingCharacters(in: .whitespacesAndNewlines))
        do {
            try reader.errors.throwIfAny()
            let workspace = try app.database.createWorkspace(orgKey: access.org.key, values, enforcePlan: app.config.mode == .saas,
                                                             by: visit.actor)
            return try app.redirect(visit, to: Route.org(access.org.key, .settingsPage(.workspaces, [workspace.key])), flash: "Workspace “\(workspace.name)” created.")
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
        let detail = try app.database.workspaceDetail(access: access, userId: visit.signedIn!.user.id!, key: key)
        let w = detail.card.workspace
        let base = Route.org(access.org.key, .settingsPage(.workspaces, [w.key])).path
        var context = try app.layout(visit, title: "\(w.name) · Workspaces", access: access, tab: .workspaces)
        context["workspace"] = ["name": .text(w.name), "key": .text(w.key), "description": .text(w.description),
                                "shared": .flag(w.isShared), "members": .number(detail.card.memberCount),
                                "workflows": .number(detail.card.workflowCount), "agents": .number(detail.card.agentCount),
                                "back": .text(Route.org(access.org.key, .settings(.workspaces)).path),
                                "archived": .flag(w.archivedAt != nil)] as TemplateObject
        if w.isShared && access.allows(.createWorkspace) {
            context["manage"] = WorkspaceLifecycleController(app: app).context(w, base: base, state: manage)
        }
        context["grants"] = TemplateValue.list(detail.grants.map { item in
            var row: TemplateObject = ["name": .text(item.subjectName), "detail": .text(item.subjectDetail),
                                       "isTeam": .flag(item.grant.teamId != nil), "level": .text(item.grant.level.label),
                                       "id": .number(Int(item.grant.id!)), "version": .number(item.grant.version),
                                       "canManage": .flag(detail.canManageAccess),
                                       "changeAction": .text(base + "/access/\(item.grant.id!)"),
                                       "revokeAction": .text(base + "/access/\(item.grant.id!)/revoke"),
                                       "levels": levels(selected: item.grant.level)]
            row["error"] = grantErrors[item.grant.id!]
            return .object(row)
        })
        context["noGrants"] = detail.grants.isEmpty
        if detail.canManageAccess {
            context["grant"] = ["action": .text(base + "/access"), "levels": levels(selected: .read),
                                "people": .list(detail.people.map { .object(["value": .text("user:\($0.userId)"),
                                                                             "label": .text("\($0.name) (\($0.email))")]) }),
                                "teams": .list(detail.teams.map { .object(["value": .text("team:\($0.id!)"),
                                                                           "label": .text("Team \($0.name)")]) }),
                                "hasTeams": .flag(!detail.teams.isEmpty)] as TemplateObject
            context["subjectErrors"] = errors.fieldContext(Field.subject.rawValue)
        }
        context["formErrors"] = errors.formContext
        return app.page(.workspace, context, status: status)
    }

    func perform(_ page: Page, _ visit: inout Visit, access: OrgAccess) throws -> Response {
        switch page {
        case .update, .archive, .restore, .delete:
            return try WorkspaceLifecycleController(app: app).perform(page, &visit, access: access)
        default: break
        }
        var reader = FormReader<Field>(try visit.form())
        let key = page.workspaceKey
        let version = Int(reader.text(.version, label: "Version")) ?? -1
        let level = AccessLevel(rawValue: reader.text(.level, label: "Level"))
        var grantId: Int64?
        do {
            try reader.errors.throwIfAny()
            switch page {
            case .workspace, .update, .archive, .restore, .delete: throw WebError.methodNotAllowed
            case .grant:
                let subject = reader.text(.subject, label: "Who").split(separator: ":")
                guard subject.count == 2, let id = Int64(subject[1]), let level else {
                    var errors = FieldErrors()
                    errors.add(Field.subject.rawValue, "Choose a person or team and a level.")
                    throw DomainError.invalid(errors)
                }
                let target: AccessSubject = subject[0] == "team" ? .team(id) : .user(id)
                try app.database.grantAccess(orgKey: access.org.key, workspaceKey: key, to: target, level: level, by: visit.actor)
            case .change(_, let id):
                grantId = id
                guard let level else { throw DomainError.invalid(FieldErrors()) }
                try app.database.changeAccess(orgKey: access.org.key, workspaceKey: key, grantId: id, level: level,
                                              expectedVersion: version, by: visit.actor)
            case .revoke(_, let id):
                grantId = id
                try app.database.changeAccess(orgKey: access.org.key, workspaceKey: key, grantId: id, level: nil,
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
        return try app.redirect(visit, to: Route.org(access.org.key, .settingsPage(.workspaces, [key])), flash: "Access updated.")
    }

    private func levels(selected: AccessLevel) -> TemplateValue {
        .list(AccessLevel.allCases.map { .object(["value": .text($0.rawValue), "label": .text($0.label), "selected": .flag($0 == selected)]) })
    }
}
