import Foundation
import WheelhouseCore

/// A shared workspace's own settings, below its access list on its page.
///
/// - `POST …/workspaces/{key}/settings` — Owner, Admin: rename, change the description and the
///   language (version check)
/// - `POST …/workspaces/{key}/archive`, `…/restore` — Owner, Admin: archived workspaces are read-only
/// - `POST …/workspaces/{key}/delete` — Owner, Admin: confirmed by typing the workspace's name
struct WorkspaceLifecycleController {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable {
        case csrf = "_csrf", version, name, description, confirm, language
    }

    /// The line above the forms when the workspace changed since the page was loaded (409).
    static let staleMessage =
        "This workspace changed since you loaded the page (someone else edited it), so nothing was saved. Check it and try again."

    /// What the forms show after a refusal: the typed values and their errors.
    struct FormState {
        var name: String
        var description: String
        /// nil: the form did not send one (the workspace's own is shown and kept).
        var language: String? = nil
        var errors = FieldErrors()
        var deleteOpen = false
    }

    func perform(_ route: WorkspacesRoute, _ visit: inout Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        var reader = FormReader<Field>(form)
        let key = route.workspaceKey!
        let version = Int(reader.text(.version, label: "Version")) ?? -1
        var state = FormState(
            name: TextRules.trimmed(reader.text(.name, label: "Name")),
            description: reader.text(.description, label: "Description").trimmingCharacters(in: .whitespacesAndNewlines),
            language: form.fields[Field.language.rawValue] == nil ? nil : reader.text(.language, label: "Language"))
        let confirm = reader.text(.confirm, label: "Confirmation")
        let list = Route.org(access.org.key, .workspaces(.list))
        let here = Route.org(access.org.key, .workspaces(.workspace(key)))
        do {
            return try shell.submit(
                visit, stale: Self.staleMessage,
                {
                    try reader.errors.throwIfAny()
                    switch route {
                    case .update:
                        let saved = try database.renameWorkspace(
                            orgKey: access.org.key, key: key,
                            WorkspaceChange(
                                name: state.name, description: state.description, expectedVersion: version, language: state.language),
                            by: visit.actor)
                        return FormSuccess(here, flash: "Workspace “\(saved.name)” saved.")
                    case .archive, .restore:
                        let archive = route == .archive(key)
                        try database.setWorkspaceArchived(
                            orgKey: access.org.key, key: key, archive, expectedVersion: version, by: visit.actor)
                        return FormSuccess(
                            here, flash: archive ? "Workspace archived: it is read-only until restored." : "Workspace restored.")
                    case .delete:
                        state.deleteOpen = true
                        try database.deleteWorkspace(
                            orgKey: access.org.key, key: key, confirmation: confirm, expectedVersion: version, by: visit.actor)
                        return FormSuccess(list, flash: "Workspace deleted.")
                    case .list, .create, .workspace, .grant, .change, .revoke:
                        throw WebError.notFound
                    }
                },
                refused: { refusal in
                    switch refusal {
                    case .invalid(let found):
                        state.errors = reader.errors.merging(found)
                        if case .delete = route { state.deleteOpen = true }
                    case .stale(let stale):
                        state.errors = stale
                    }
                    return try WorkspacesController(shell: shell, database: database).show(
                        visit, access: access, key: key, manage: state,
                        status: refusal.status)
                })
        } catch WorkspaceRule.archived {
            state.errors.addForm("This workspace is archived, so it is read-only. Restore it first.")
            return try WorkspacesController(shell: shell, database: database).show(
                visit, access: access, key: key, manage: state, status: 409)
        } catch WorkspaceRule.privateWorkspace {
            throw WebError.notFound
        }
    }
}
