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
        do {
            try reader.errors.throwIfAny()
            let changed = try database.setChatModel(orgKey: access.org.key, modelId: model, enabled: enabled == "1", by: visit.actor)
            let name = try database.chatModelCatalog().first { $0.id == model }?.displayName ?? model
            let message = !changed ? "\(name) was already \(enabled == "1" ? "on" : "off")."
                : "\(name) switched \(enabled == "1" ? "on" : "off") in your model picker."
            return try shell.redirect(visit, to: .org(access.org.key, .chatModels(.show)), flash: message)
        } catch DomainError.invalid(let errors) {
            return try render(visit, access: access, errors: errors, status: 422)
        }
    }

    private func render(_ visit: Visit, access: OrgAccess, errors: FieldErrors, status: Int) throws -> Response {
        let org = access.org.key
        let choices = try database.chatModels(access, userId: visit.signedIn!.user.id!)
        var context = try shell.layout(visit, title: "Chat models · \(access.org.displayName)", access: access, tab: .chatModels)
        let secretsPath = Route.org(org, .secrets(.list)).path
        let canManageProviders = access.allows(.manageOrgCredentials)
        // The form's inputs are hidden fields and buttons: every problem is said at the top.
        var messages = errors.form
        for field in errors.byField.keys.sorted() { messages += errors.messages(for: field) }
        if !messages.isEmpty { context["formErrors"] = ["messages": messages.templateValue] as TemplateObject }
        context["providers"] = TemplateValue.list(ProviderKind.builtIn.compactMap { kind in
            let models = choices.filter { $0.model.provider == kind }
            guard !models.isEmpty else { return nil }
            return .object(["name": .text(kind.displayName), "slug": .text(kind.rawValue), "models": .list(models.map { choice in
                modelContext(choice, secretsPath: secretsPath, providersPath: canManageProviders
                             ? Route.org(org, .providers(.list)).path : nil)
            })])
        })
        let picker = choices.filter(\.enabled)
        context["picker"] = TemplateValue.list(picker.map { choice in
            .object(["name": .text(choice.model.displayName), "ready": .flag(choice.isReady)])
        })
        context["pickerEmpty"] = picker.isEmpty
        let notReady = picker.filter { !$0.isReady }
        if !notReady.isEmpty {
            context["notReady"] = [
                "banner": .object(["kind": "warning", "heading": "Not ready: add a key.",
                                   "text": .text("In your picker but without a key: "
                                       + notReady.map { "\($0.model.displayName) (needs \($0.model.requiredKey))" }.joined(separator: ", ")
                                       + ". Add the key on Secrets" + (canManageProviders ? ", or set up the provider for the organization." : ".")),
                                   "action": .object(["href": .text(secretsPath + "?name=" + notReady[0].model.requiredKey),
                                                      "label": .text("Add \(notReady[0].model.requiredKey)")])]),
            ] as TemplateObject
        }
        return shell.page(.chatModels, context, status: status)
    }

    private func modelContext(_ choice: ChatModelChoice, secretsPath: String, providersPath: String?) -> TemplateValue {
        let model = choice.model
        var item: TemplateObject = [
            "id": .text(model.id), "name": .text(model.displayName), "modelId": .text(model.modelId),
            "context": .text(Self.tokens(model.contextWindow)), "enabled": .flag(choice.enabled),
            "next": .text(choice.enabled ? "0" : "1"), "requiredKey": .text(model.requiredKey),
        ]
        switch choice.key {
        case .ownSecret(let name): item["readyText"] = "Ready: your secret \(name)"
        case .organization(let name): item["readyText"] = "Ready: the organization’s \(name) key"
        case nil:
            var fix: TemplateObject = ["secretsHref": .text(secretsPath + "?name=" + model.requiredKey)]
            if let providersPath { fix["providersHref"] = providersPath }
            if choice.organizationKeyFailed { fix["orgFailed"] = true }
            item["fix"] = fix
        }
        return .object(item)
    }

    /// "128K tokens", "1M tokens".
    static func tokens(_ count: Int) -> String {
        if count >= 1_000_000 { return "\(count / 1_000_000)M tokens" }
        return "\(count / 1000)K tokens"
    }
}
