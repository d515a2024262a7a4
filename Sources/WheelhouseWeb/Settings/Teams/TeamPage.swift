import WheelhouseCore

/// One team: its members and the workspaces it reaches; for those who may manage teams also the
/// add-member, rename and delete forms, after a refusal with the typed values and errors.
struct TeamPage: PageValues {
    typealias Field = TeamsController.Field

    /// The one line of a stale save (409), above the rename form.
    static let staleMessage =
        "Someone else changed this team while you were editing, so nothing was saved. Your values are below; save again to replace theirs, or reload to start over."

    let orgKey: String
    let detail: TeamDetail
    let canManage: Bool
    /// What the rename form shows after a refusal; nil shows the stored team.
    var values: TeamChange?
    var errors = FieldErrors()
    /// After a stale save the typed values stay, rebased on the stored version, so saving again replaces theirs.
    var rebased = false

    static let names = FieldNames.of(Field.self)

    private func url(_ route: TeamsRoute) -> String { Route.org(orgKey, .teams(route)).path }

    func fill(_ context: inout TemplateObject) {
        let team = detail.team, teamId = team.id!
        context["team"] =
            [
                "name": .text(team.name), "description": .text(team.description),
                "version": .number(team.version), "action": .text(url(.update(teamId))),
                "back": .text(url(.list)),
            ] as TemplateObject
        context["members"] = TemplateValue.list(
            detail.members.map { person in
                .object([
                    "name": .text(person.name), "email": .text(person.email), "canManage": .flag(canManage),
                    "removeAction": .text(url(.removeMember(teamId, person.userId))),
                ])
            })
        context["workspaces"] = TemplateValue.list(
            detail.workspaces.map { item in
                .object([
                    "name": .text(item.name), "level": .text(item.level.label),
                    "href": .text(Route.org(orgKey, .workspaces(.workspace(item.key))).path),
                ])
            })
        guard canManage else { return }
        var shown = values ?? TeamChange(name: team.name, description: team.description, expectedVersion: team.version)
        if rebased { shown.expectedVersion = team.version }
        context["edit"] = TeamForm(values: shown, errors: errors).context
        context["add"] =
            [
                "action": .text(url(.addMember(teamId))), "deleteAction": .text(url(.delete(teamId))),
                "candidates": .list(
                    detail.candidates.map {
                        .object([
                            "id": .number(Int($0.userId)), "name": .text($0.name),
                            "email": .text($0.email),
                        ])
                    }),
            ] as TemplateObject
        context["hasCandidates"] = !detail.candidates.isEmpty
        context["userErrors"] = errors.fieldContext(Field.user.rawValue)
        context["confirmErrors"] = errors.fieldContext(Field.confirm.rawValue)
        context["formErrors"] = errors.formContext
        context["names"] = Self.names
    }
}
