import Foundation
import WheelhouseCore

/// The Teams tab: named groups of members, used to share workspaces.
///
/// - `GET  /orgs/{org}/settings/teams` — any member: the list; Owners and Admins also the create form
/// - `POST /orgs/{org}/settings/teams` — Owner, Admin (`manageTeams`): create
/// - `GET  …/teams/{id}` — any member: members and reachable workspaces
/// - `POST …/teams/{id}` (rename), `…/teams/{id}/delete`, `…/teams/{id}/members`,
///   `…/teams/{id}/members/{user}/remove` — Owner, Admin (`manageTeams`)
struct TeamsController {
    let shell: Shell
    let database: AppDatabase

    func respond(_ route: TeamsRoute, _ visit: inout Visit, access: OrgAccess) throws -> Response {
        switch route {
        case .list: try list(visit, access: access)
        case .create: try create(&visit, access: access)
        case .team(let id): try show(visit, access: access, teamId: id)
        case .update, .delete, .addMember, .removeMember: try perform(route, &visit, access: access)
        }
    }

    enum Field: String, CaseIterable {
        case csrf = "_csrf", version, name, description, user, confirm
    }

    func list(_ visit: Visit, access: OrgAccess, values: TeamChange = TeamChange(name: "", description: ""),
              errors: FieldErrors = FieldErrors(), status: Int = 200) throws -> Response {
        var context = try shell.layout(visit, title: "Teams · \(access.org.displayName)", access: access, tab: .teams)
        let teams = try database.teams(orgId: access.org.id!)
        context["teams"] = TemplateValue.list(teams.map { summary in
            .object(["name": .text(summary.team.name), "description": .text(summary.team.description),
                     "members": .number(summary.memberCount), "workspaces": .number(summary.workspaceCount),
                     "href": .text(Route.org(access.org.key, .teams(.team(summary.team.id!))).path)])
        })
        context["none"] = teams.isEmpty
        if access.allows(.manageTeams) {
            context["create"] = form(values, errors: errors)
        }
        return shell.page(.teams, context, status: status)
    }

    func create(_ visit: inout Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<Field>(try visit.form())
        try access.require(.manageTeams)
        let change = TeamChange(name: TextRules.trimmed(reader.text(.name, label: "Team name")),
                                description: reader.text(.description, label: "Description").trimmingCharacters(in: .whitespacesAndNewlines))
        do {
            try reader.errors.throwIfAny()
            let team = try database.createTeam(orgKey: access.org.key, change, by: visit.actor)
            return try shell.redirect(visit, to: Route.org(access.org.key, .teams(.team(team.id!))), flash: "Team “\(team.name)” created.")
        } catch DomainError.invalid(let errors) {
            return try list(visit, access: access, values: change, errors: reader.errors.merging(errors), status: 422)
        }
    }

    func show(_ visit: Visit, access: OrgAccess, teamId: Int64, values: TeamChange? = nil,
              errors: FieldErrors = FieldErrors(), status: Int = 200) throws -> Response {
        let detail = try database.teamDetail(orgId: access.org.id!, teamId: teamId)
        func url(_ route: TeamsRoute) -> String { Route.org(access.org.key, .teams(route)).path }
        var context = try shell.layout(visit, title: "\(detail.team.name) · Teams", access: access, tab: .teams)
        let canManage = access.allows(.manageTeams)
        context["team"] = ["name": .text(detail.team.name), "description": .text(detail.team.description),
                           "version": .number(detail.team.version), "action": .text(url(.update(teamId))),
                           "back": .text(Route.org(access.org.key, .teams(.list)).path)] as TemplateObject
        context["members"] = TemplateValue.list(detail.members.map { person in
            .object(["name": .text(person.name), "email": .text(person.email), "canManage": .flag(canManage),
                     "removeAction": .text(url(.removeMember(teamId, person.userId)))])
        })
        context["workspaces"] = TemplateValue.list(detail.workspaces.map { item in
            .object(["name": .text(item.name), "level": .text(item.level.label),
                     "href": .text(Route.org(access.org.key, .workspaces(.workspace(item.key))).path)])
        })
        if canManage {
            var shown = values ?? TeamChange(name: detail.team.name, description: detail.team.description,
                                             expectedVersion: detail.team.version)
            // After a conflict the typed values stay, rebased on the stored version.
            if status == 409 { shown.expectedVersion = detail.team.version }
            context["edit"] = form(shown, errors: errors)
            context["add"] = ["action": .text(url(.addMember(teamId))), "deleteAction": .text(url(.delete(teamId))),
                              "candidates": .list(detail.candidates.map { .object(["id": .number(Int($0.userId)), "name": .text($0.name),
                                                                                    "email": .text($0.email)]) })] as TemplateObject
            context["hasCandidates"] = !detail.candidates.isEmpty
            context["userErrors"] = errors.fieldContext(Field.user.rawValue)
            context["confirmErrors"] = errors.fieldContext(Field.confirm.rawValue)
            context["formErrors"] = errors.formContext
        }
        return shell.page(.team, context, status: status)
    }

    /// The forms of one team.
    private func perform(_ route: TeamsRoute, _ visit: inout Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<Field>(try visit.form())
        try access.require(.manageTeams)
        let key = access.org.key
        var message: String
        var destination: String
        var values: TeamChange?
        do {
            try reader.errors.throwIfAny()
            let version = Int(reader.text(.version, label: "Version")) ?? -1
            switch route {
            case .list, .create, .team: throw WebError.notFound
            case .update(let id):
                let change = TeamChange(name: TextRules.trimmed(reader.text(.name, label: "Team name")),
                                        description: reader.text(.description, label: "Description")
                                            .trimmingCharacters(in: .whitespacesAndNewlines), expectedVersion: version)
                values = change
                try reader.errors.throwIfAny()
                try database.updateTeam(orgKey: key, teamId: id, change, by: visit.actor)
                (message, destination) = ("Team saved.", Route.org(key, .teams(.team(id))).path)
            case .delete(let id):
                try database.deleteTeam(orgKey: key, teamId: id, expectedVersion: version,
                                            confirmation: reader.text(.confirm, label: "Confirmation"), by: visit.actor)
                (message, destination) = ("Team deleted.", Route.org(key, .teams(.list)).path)
            case .addMember(let id):
                guard let userId = Int64(reader.text(.user, label: "Member")) else {
                    var errors = FieldErrors()
                    errors.add(Field.user.rawValue, "Choose a member to add.")
                    throw DomainError.invalid(errors)
                }
                try database.addTeamMember(orgKey: key, teamId: id, userId: userId, by: visit.actor)
                (message, destination) = ("Member added to the team.", Route.org(key, .teams(.team(id))).path)
            case .removeMember(let id, let userId):
                try database.removeTeamMember(orgKey: key, teamId: id, userId: userId, by: visit.actor)
                (message, destination) = ("Member removed from the team.", Route.org(key, .teams(.team(id))).path)
            }
        } catch DomainError.invalid(let errors) {
            return try show(visit, access: access, teamId: route.teamId!, values: values,
                            errors: reader.errors.merging(errors), status: 422)
        } catch DomainError.staleVersion {
            var errors = FieldErrors()
            errors.addForm("Someone else changed this team while you were editing, so nothing was saved. Your values are below; save again to replace theirs, or reload to start over.")
            return try show(visit, access: access, teamId: route.teamId!, values: values, errors: errors, status: 409)
        }
        return try shell.redirect(visit, to: destination, flash: message)
    }

    private func form(_ values: TeamChange, errors: FieldErrors) -> TemplateObject {
        ["version": .number(values.expectedVersion), "formErrors": .object(errors.formContext ?? [:]),
         "hasFormErrors": .flag(!errors.form.isEmpty),
         "name": .object(FieldView(name: Field.name.rawValue, label: "Team name", value: values.name, errors: errors,
                                   hint: "Unique in the organization. At most 60 characters.", required: true, maxLength: 60).context),
         "description": .object(FieldView(name: Field.description.rawValue, label: "Description", value: values.description,
                                          type: "textarea", errors: errors, hint: "Optional. At most 500 characters.",
                                          maxLength: 500).context)]
    }
}

extension FieldErrors {
    /// These errors and `other`'s, all reported at once.
    /// Both sets of errors, each message once: the reader's own errors often come back inside the
    /// domain's (`throwIfAny`), and must not be listed twice.
    func merging(_ other: FieldErrors) -> FieldErrors {
        var merged = self
        for (field, messages) in other.byField {
            for message in messages where !merged.messages(for: field).contains(message) { merged.add(field, message) }
        }
        for message in other.form where !merged.form.contains(message) { merged.addForm(message) }
        return merged
    }
}
