import WheelhouseCore

/// The manage forms of a shared workspace (rename, archive or restore, delete), below its access
/// list, for Owners and Admins: the stored values, or after a refusal the typed ones and their errors.
struct WorkspaceManageForm {
    typealias Field = WorkspaceLifecycleController.Field
    typealias FormState = WorkspaceLifecycleController.FormState

    let workspace: Workspace
    let orgKey: String
    /// What the forms show after a refusal; nil shows the stored workspace.
    let state: FormState?

    static let names = FieldNames.of(Field.self)

    var context: TemplateObject {
        func url(_ route: WorkspacesRoute) -> String { Route.org(orgKey, .workspaces(route)).path }
        let state = state ?? FormState(name: workspace.name, description: workspace.description)
        var context: TemplateObject = [
            "version": .number(workspace.version), "archived": .flag(workspace.archivedAt != nil),
            "updateAction": .text(url(.update(workspace.key))), "archiveAction": .text(url(.archive(workspace.key))),
            "restoreAction": .text(url(.restore(workspace.key))), "deleteAction": .text(url(.delete(workspace.key))),
            "deleteOpen": .flag(state.deleteOpen), "workspaceName": .text(workspace.name),
            "fields": .object([
                "name": .object(
                    FieldView(
                        name: Field.name.rawValue, label: "Name", value: state.name, errors: state.errors,
                        required: true, maxLength: 100
                    ).context),
                "description": .object(
                    FieldView(
                        name: Field.description.rawValue, label: "Description", value: state.description,
                        type: "textarea", errors: state.errors, hint: "Optional. At most 500 characters.",
                        maxLength: 500
                    ).context),
                "language": .object(
                    SelectField.language(
                        name: Field.language.rawValue, label: "Language", hint: "The language of this workspace’s work.",
                        chosen: state.language ?? workspace.language, errors: state.errors
                    ).context),
                "confirm": .object(
                    FieldView(
                        name: Field.confirm.rawValue, label: "Type the workspace’s name to confirm",
                        value: "", errors: state.errors, autocomplete: "off"
                    ).context),
            ]),
        ]
        if let archivedAt = workspace.archivedAt { context["archivedOn"] = Dates.day(archivedAt) }
        context["formErrors"] = state.errors.formContext
        context["names"] = Self.names
        return context
    }
}
