import Foundation
import WheelhouseCore

/// A shared workspace's own settings, below its access list on its page.
///
/// - `POST …/workspaces/{key}/settings` — Owner, Admin: rename, change the description (version check)
/// - `POST …/workspaces/{key}/archive`, `…/restore` — Owner, Admin: archived workspaces are read-only
/// - `POST …/workspaces/{key}/delete` — Owner, Admin: confirmed by typing the workspace's name
struct WorkspaceLifecycleController {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable {
        case csrf = "_csrf", version, name, description, confirm
    }

    /// What the forms show after a refusal: the typed values and their errors.
    struct FormState {
        var name: String
        var description: String
        var errors = FieldErrors()
        var deleteOpen = false
    }

    func perform(_ route: WorkspacesRoute, _ visit: inout Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<Field>(try visit.form())
        let key = route.workspaceKey!
        let version = Int(reader.text(.version, label: "Version")) ?? -1
        var state = FormState(name: TextRules.trimmed(reader.text(.name, label: "Name")),
                              description: reader.text(.description, label: "Description").trimmingCharacters(in: .whitespacesAndNewlines))
        let confirm = reader.text(.confirm, label: "Confirmation")
        let list = Route.org(access.org.key, .workspaces(.list))
        let here = Route.org(access.org.key, .workspaces(.workspace(key)))
        let flash: String
        var destination = here
        do {
            try reader.errors.throwIfAny()
            switch route {
            case .update:
                let saved = try database.renameWorkspace(orgKey: access.org.key, key: key,
                                                             WorkspaceChange(name: state.name, description: state.description, expectedVersion: version),
                                                             by: visit.actor)
                flash = "Workspace “\(saved.name)” saved."
            case .archive, .restore:
                let archive = route == .archive(key)
                try database.setWorkspaceArchived(orgKey: access.org.key, key: key, archive, expectedVersion: version, by: visit.actor)
                flash = archive ? "Workspace archived: it is read-only until restored." : "Workspace restored."
            case .delete:
                state.deleteOpen = true
                try database.deleteWorkspace(orgKey: access.org.key, key: key, confirmation: confirm, expectedVersion: version, by: visit.actor)
                flash = "Workspace deleted."
                destination = list
            case .list, .create, .workspace, .grant, .change, .revoke:
                throw WebError.notFound
            }
        } catch DomainError.invalid(let errors) {
            state.errors = reader.errors.merging(errors)
            if case .delete = route { state.deleteOpen = true }
            return try WorkspacesController(shell: shell, database: database).show(visit, access: access, key: key, manage: state, status: 422)
        } catch DomainError.staleVersion {
            state.errors.addForm("This workspace changed since you loaded the page (someone else edited it), so nothing was saved. Check it and try again.")
            return try WorkspacesController(shell: shell, database: database).show(visit, access: access, key: key, manage: state, status: 409)
        } catch WorkspaceRule.archived {
            state.errors.addForm("This workspace is archived, so it is read-only. Restore it first.")
            return try WorkspacesController(shell: shell, database: database).show(visit, access: access, key: key, manage: state, status: 409)
        } catch WorkspaceRule.privateWorkspace {
            throw WebError.notFound
        }
        return try shell.redirect(visit, to: destination, flash: flash)
    }

    /// The forms' context for a shared workspace this person may manage.
    func context(_ workspace: Workspace, orgKey: String, state: FormState?) -> TemplateObject {
        func url(_ route: WorkspacesRoute) -> String { Route.org(orgKey, .workspaces(route)).path }
        let state = state ?? FormState(name: workspace.name, description: workspace.description)
        var context: TemplateObject = [
            "version": .number(workspace.version), "archived": .flag(workspace.archivedAt != nil),
            "updateAction": .text(url(.update(workspace.key))), "archiveAction": .text(url(.archive(workspace.key))),
            "restoreAction": .text(url(.restore(workspace.key))), "deleteAction": .text(url(.delete(workspace.key))),
            "deleteOpen": .flag(state.deleteOpen), "workspaceName": .text(workspace.name),
            "fields": .object([
                "name": .object(FieldView(name: Field.name.rawValue, label: "Name", value: state.name, errors: state.errors,
                                          required: true, maxLength: 100).context),
                "description": .object(FieldView(name: Field.description.rawValue, label: "Description", value: state.description,
                                                 type: "textarea", errors: state.errors, hint: "Optional. At most 500 characters.",
                                                 maxLength: 500).context),
                "confirm": .object(FieldView(name: Field.confirm.rawValue, label: "Type the workspace’s name to confirm",
                                             value: "", errors: state.errors, autocomplete: "off").context),
            ]),
        ]
        if let archivedAt = workspace.archivedAt { context["archivedOn"] = Dates.day(archivedAt) }
        context["formErrors"] = state.errors.formContext
        return context
    }
}
