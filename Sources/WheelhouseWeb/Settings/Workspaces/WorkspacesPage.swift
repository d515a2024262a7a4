import WheelhouseCore

/// The Workspaces cards, with the create form (and the plan's limit in SaaS mode) for those who
/// may create shared workspaces.
struct WorkspacesPage: PageValues {
    typealias Field = WorkspacesController.Field

    let orgKey: String
    let cards: [WorkspaceCard]
    /// The create form; nil for those who may not create workspaces.
    let create: CreateForm?

    struct CreateForm {
        /// The plan's shared workspaces in use (SaaS mode only).
        var plan: PlanUsage?
        /// A create was just refused by the plan's limit (the banner shows even if the count says otherwise).
        var refusedByLimit = false
        var values = NewWorkspace(name: "", key: "", description: "")
        /// The creator's default language, named in the field's hint.
        var preferredLanguage = WorkLanguages.default
        var errors = FieldErrors()
    }

    func fill(_ context: inout TemplateObject) {
        context["cards"] = TemplateValue.list(
            cards.map { card in
                let w = card.workspace
                return .object([
                    "name": .text(w.name), "initial": .text(String(w.name.first.map { $0.uppercased() } ?? "?")),
                    "color": .number(Int(Crypto.sha256(w.key)[0] % 8)), "shared": .flag(w.isShared),
                    "members": .number(card.memberCount), "workflows": .number(card.workflowCount),
                    "agents": .number(card.agentCount), "description": .text(w.description),
                    "archived": .flag(w.archivedAt != nil),
                    "href": .text(Route.org(orgKey, .workspaces(.workspace(w.key))).path),
                ])
            })
        guard let create else { return }
        if let usage = create.plan {
            context["plan"] =
                [
                    "name": .text(usage.plan.name), "used": .number(usage.sharedWorkspaces),
                    "limit": .number(usage.plan.sharedWorkspaceLimit),
                    "billing": .text(Route.org(orgKey, .billing(.show)).path),
                ] as TemplateObject
            if usage.workspaceLimitReached || create.refusedByLimit { context["limitReached"] = true }
        }
        let (values, errors) = (create.values, create.errors)
        context["create"] =
            [
                "formErrors": .object(errors.formContext ?? [:]), "hasFormErrors": .flag(!errors.form.isEmpty),
                "name": .object(
                    FieldView(
                        name: Field.name.rawValue, label: "Name", value: values.name, errors: errors,
                        required: true, maxLength: 100
                    ).context),
                "key": .object(
                    FieldView(
                        name: Field.key.rawValue, label: "URL key", value: values.key, errors: errors,
                        hint: "Lowercase letters, digits and dashes; unique in the organization; used in URLs.",
                        required: true, maxLength: 40
                    ).context),
                "description": .object(
                    FieldView(
                        name: Field.description.rawValue, label: "Description", value: values.description,
                        type: "textarea", errors: errors, hint: "Optional. At most 500 characters.",
                        maxLength: 500
                    ).context),
                "language": .object(
                    SelectField.language(
                        name: Field.language.rawValue, label: "Language",
                        hint: "Your default for new work is \(WorkLanguages.name(create.preferredLanguage)) (Preferences).",
                        chosen: values.language, errors: errors
                    ).context),
            ] as TemplateObject
    }
}
