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

    func list(
        _ visit: Visit, access: OrgAccess, values: TeamChange = TeamChange(name: "", description: ""),
        errors: FieldErrors = FieldErrors(), status: Int = 200
    ) throws -> Response {
        let layout = try shell.layout(visit, title: "Teams · \(access.org.displayName)", access: access, tab: .teams)
        let page = TeamsPage(
            orgKey: access.org.key, teams: try database.teams(orgId: access.org.id!),
            create: access.allows(.manageTeams) ? TeamForm(values: values, errors: errors) : nil)
        return shell.render(.teams, page, layout: layout, status: status)
    }

    func create(_ visit: inout Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<Field>(try visit.form())
        try access.require(.manageTeams)
        let change = TeamChange(
            name: TextRules.trimmed(reader.text(.name, label: "Team name")),
            description: reader.text(.description, label: "Description").trimmingCharacters(in: .whitespacesAndNewlines))
        do {
            try reader.errors.throwIfAny()
            let team = try database.createTeam(orgKey: access.org.key, change, by: visit.actor)
            return try shell.redirect(visit, to: Route.org(access.org.key, .teams(.team(team.id!))), flash: "Team “\(team.name)” created.")
        } catch DomainError.invalid(let errors) {
            return try list(visit, access: access, values: change, errors: reader.errors.merging(errors), status: 422)
        } catch DomainError.pendingDeletion(let purgeAt) {
            return try list(visit, access: access, values: change, errors: PendingDeletionWords.errors(purgeAt), status: 409)
        }
    }

    func show(
        _ visit: Visit, access: OrgAccess, teamId: Int64, values: TeamChange? = nil,
        errors: FieldErrors = FieldErrors(), status: Int = 200
    ) throws -> Response {
        let detail = try database.teamDetail(orgId: access.org.id!, teamId: teamId)
        let layout = try shell.layout(visit, title: "\(detail.team.name) · Teams", access: access, tab: .teams)
        let page = TeamPage(
            orgKey: access.org.key, detail: detail, canManage: access.allows(.manageTeams),
            values: values, errors: errors, rebased: status == 409)
        return shell.render(.team, page, layout: layout, status: status)
    }

    /// The forms of one team.
    private func perform(_ route: TeamsRoute, _ visit: inout Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<Field>(try visit.form())
        try access.require(.manageTeams)
        let key = access.org.key
        var values: TeamChange?
        return try shell.submit(
            visit, stale: TeamPage.staleMessage,
            {
                try reader.errors.throwIfAny()
                let version = Int(reader.text(.version, label: "Version")) ?? -1
                switch route {
                case .list, .create, .team: throw WebError.notFound
                case .update(let id):
                    let change = TeamChange(
                        name: TextRules.trimmed(reader.text(.name, label: "Team name")),
                        description: reader.text(.description, label: "Description")
                            .trimmingCharacters(in: .whitespacesAndNewlines), expectedVersion: version)
                    values = change
                    try reader.errors.throwIfAny()
                    try database.updateTeam(orgKey: key, teamId: id, change, by: visit.actor)
                    return FormSuccess(.org(key, .teams(.team(id))), flash: "Team saved.")
                case .delete(let id):
                    try database.deleteTeam(
                        orgKey: key, teamId: id, expectedVersion: version,
                        confirmation: reader.text(.confirm, label: "Confirmation"), by: visit.actor)
                    return FormSuccess(.org(key, .teams(.list)), flash: "Team deleted.")
                case .addMember(let id):
                    guard let userId = Int64(reader.text(.user, label: "Member")) else {
                        var errors = FieldErrors()
                        errors.add(Field.user.rawValue, "Choose a member to add.")
                        throw DomainError.invalid(errors)
                    }
                    try database.addTeamMember(orgKey: key, teamId: id, userId: userId, by: visit.actor)
                    return FormSuccess(.org(key, .teams(.team(id))), flash: "Member added to the team.")
                case .removeMember(let id, let userId):
                    try database.removeTeamMember(orgKey: key, teamId: id, userId: userId, by: visit.actor)
                    return FormSuccess(.org(key, .teams(.team(id))), flash: "Member removed from the team.")
                }
            },
            refused: { refusal in
                // A stale save shows its one line alone; invalid values show the reader's errors too.
                let errors =
                    switch refusal {
                    case .invalid(let found): reader.errors.merging(found)
                    case .stale(let stale): stale
                    }
                return try show(visit, access: access, teamId: route.teamId!, values: values, errors: errors, status: refusal.status)
            })
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
