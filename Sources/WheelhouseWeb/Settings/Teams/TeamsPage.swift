import WheelhouseCore

/// The Teams list, with the create form for those who may manage teams.
struct TeamsPage: PageValues {
    let orgKey: String
    let teams: [TeamSummary]
    /// The create form; nil for those who may not manage teams.
    let create: TeamForm?

    func fill(_ context: inout TemplateObject) {
        context["teams"] = TemplateValue.list(
            teams.map { summary in
                .object([
                    "name": .text(summary.team.name), "description": .text(summary.team.description),
                    "members": .number(summary.memberCount), "workspaces": .number(summary.workspaceCount),
                    "href": .text(Route.org(orgKey, .teams(.team(summary.team.id!))).path),
                ])
            })
        context["none"] = teams.isEmpty
        if let create {
            context["create"] = create.context
        }
    }
}

/// A team's name and description as a form (create, rename): the values shown and their errors.
struct TeamForm {
    typealias Field = TeamsController.Field

    var values: TeamChange
    var errors = FieldErrors()

    var context: TemplateObject {
        [
            "version": .number(values.expectedVersion), "formErrors": .object(errors.formContext ?? [:]),
            "hasFormErrors": .flag(!errors.form.isEmpty),
            "name": .object(
                FieldView(
                    name: Field.name.rawValue, label: "Team name", value: values.name, errors: errors,
                    hint: "Unique in the organization. At most 60 characters.", required: true, maxLength: 60
                ).context),
            "description": .object(
                FieldView(
                    name: Field.description.rawValue, label: "Description", value: values.description,
                    type: "textarea", errors: errors, hint: "Optional. At most 500 characters.",
                    maxLength: 500
                ).context),
        ]
    }
}
