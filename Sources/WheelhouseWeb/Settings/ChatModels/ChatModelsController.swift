import Foundation
import WheelhouseCore

/// The Chat models tab: which catalog models appear in the signed-in person's own assistant
/// picker, and whether each one's key is there. A per-person preference (`useOwnCredentials`):
/// it never changes the catalog or anyone else's picker.
///
/// - `GET  /orgs/{org}/settings/chat-models` — the catalog with on/off, readiness and the picker preview
/// - `POST /orgs/{org}/settings/chat-models` — `model` (catalog id), `enabled` (`1` on, `0` off)
struct ChatModelsController {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable { case csrf = "_csrf", model, enabled }

    func respond(_ route: ChatModelsRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        switch route {
        case .show: try show(visit, access: access)
        case .update: try update(visit, access: access)
        }
    }

    func show(_ visit: Visit, access: OrgAccess) throws -> Response {
        try render(visit, access: access, errors: FieldErrors(), status: 200)
    }

    func update(_ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.useOwnCredentials)
        var reader = FormReader<Field>(form)
        let model = reader.text(.model, label: "Model")
        let enabled = reader.text(.enabled, label: "On or off")
        if enabled != "1" && enabled != "0" { reader.errors.addForm("Choose whether to switch the model on or off.") }
        return try shell.submit(
            visit,
            {
                try reader.errors.throwIfAny()
                let changed = try database.setChatModel(orgKey: access.org.key, modelId: model, enabled: enabled == "1", by: visit.actor)
                let name = try database.chatModelCatalog().first { $0.id == model }?.displayName ?? model
                let message =
                    !changed
                    ? "\(name) was already \(enabled == "1" ? "on" : "off")."
                    : "\(name) switched \(enabled == "1" ? "on" : "off") in your model picker."
                return FormSuccess(.org(access.org.key, .chatModels(.show)), flash: message)
            },
            refused: { refusal in
                try render(visit, access: access, errors: refusal.errors, status: refusal.status)
            })
    }

    private func render(_ visit: Visit, access: OrgAccess, errors: FieldErrors, status: Int) throws -> Response {
        let choices = try database.chatModels(access, userId: visit.signedIn!.user.id!)
        let layout = try shell.layout(visit, title: "Chat models · \(access.org.displayName)", access: access, tab: .chatModels)
        let page = ChatModelsPage(
            orgKey: access.org.key, choices: choices, canManageProviders: access.allows(.manageOrgCredentials),
            errors: errors)
        return shell.render(.chatModels, page, layout: layout, status: status)
    }
}
