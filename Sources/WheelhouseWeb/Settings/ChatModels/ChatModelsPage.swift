import WheelhouseCore

/// The Chat models tab: the catalog by provider with each model's on/off switch and whether its
/// key is there, the person's picker as it appears, and a banner for models on without a key.
struct ChatModelsPage: PageValues {
    let orgKey: String
    let choices: [ChatModelChoice]
    /// Owners and Admins are also offered to set up the organization's provider key.
    let canManageProviders: Bool
    let errors: FieldErrors

    typealias Field = ChatModelsController.Field

    var secretsPath: String { Route.org(orgKey, .secrets(.list)).path }

    /// The Secrets tab with its add form's name filled in.
    func addSecretPath(_ name: String) -> String { Route.org(orgKey, .secrets(.list)).path(query: [("name", name)]) }
    var providersPath: String? { canManageProviders ? Route.org(orgKey, .providers(.list)).path : nil }

    func fill(_ context: inout TemplateObject) {
        // The form's inputs are hidden fields and buttons: every problem is said at the top.
        var messages = errors.form
        for field in errors.byField.keys.sorted() { messages += errors.messages(for: field) }
        if !messages.isEmpty { context["formErrors"] = ["messages": messages.templateValue] as TemplateObject }
        context["providers"] = TemplateValue.list(
            ProviderKind.builtIn.compactMap { kind in
                let models = choices.filter { $0.model.provider == kind }
                guard !models.isEmpty else { return nil }
                return .object(["name": .text(kind.displayName), "slug": .text(kind.rawValue), "models": .list(models.map(row))])
            })
        let picker = choices.filter(\.enabled)
        context["picker"] = TemplateValue.list(
            picker.map { choice in
                .object(["name": .text(choice.model.displayName), "ready": .flag(choice.isReady)])
            })
        context["pickerEmpty"] = picker.isEmpty
        let notReady = picker.filter { !$0.isReady }
        if !notReady.isEmpty {
            context["notReady"] =
                [
                    "banner": .object([
                        "kind": "warning", "heading": "Not ready: add a key.",
                        "text": .text(
                            "In your picker but without a key: "
                                + notReady.map { "\($0.model.displayName) (needs \($0.model.requiredKey))" }.joined(separator: ", ")
                                + ". Add the key on Secrets" + (canManageProviders ? ", or set up the provider for the organization." : ".")
                        ),
                        "action": .object([
                            "href": .text(addSecretPath(notReady[0].model.requiredKey)),
                            "label": .text("Add \(notReady[0].model.requiredKey)"),
                        ]),
                    ])
                ] as TemplateObject
        }
        context["names"] = FieldNames.of(Field.self)
    }

    private func row(_ choice: ChatModelChoice) -> TemplateValue {
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
            var fix: TemplateObject = ["secretsHref": .text(addSecretPath(model.requiredKey))]
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
