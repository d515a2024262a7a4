import WheelhouseCore

/// The General tab's page: the stats bar, the identity card, and the settings form (or the
/// values read-only for those who may not edit), after a refusal with the person's values and
/// errors, and after a conflict with what someone else saved beside what they typed.
struct GeneralPage: PageValues {
    typealias Field = GeneralSettingsController.Field
    typealias Values = GeneralSettingsController.Values

    let org: Organization
    let stats: OrgStats
    let canEdit: Bool
    /// What the form shows: the stored row, or what the person typed.
    let values: Values
    var errors = FieldErrors()
    /// Set after a stale save (409): `org` is then the row as stored now.
    var conflict: Conflict?

    /// Someone else saved the settings while this person edited them.
    struct Conflict {
        /// The summary's one line, which points at the overwrite box.
        static let message =
            "Someone else saved these settings while you were editing, so yours were not saved. Compare the values, then tick “Replace the stored values with mine” and save, or reload the page to start over."
        /// A logo is never kept across a conflict: the person is told to choose it again.
        var logoSent: Bool
    }

    /// The form's names, built once: the page is the most visited one.
    static let names = FieldNames.of(Field.self)

    func fill(_ context: inout TemplateObject) {
        context["canEdit"] = canEdit
        // Count what this person can see on Workspaces; the rest are others' private ones.
        let visible = stats.visibleWorkspaces ?? stats.workspaces
        var workspaces: TemplateObject = ["count": .number(visible)]
        if stats.workspaces > visible {
            workspaces["hidden"] = "+ \(stats.workspaces - visible) private to others"
        }
        context["stats"] =
            [
                "members": .number(stats.members), "workspaces": .object(workspaces),
                "created": .text(Dates.day(org.createdAt)), "createdISO": .text(Dates.iso(org.createdAt)),
            ] as TemplateObject
        context["general"] =
            [
                "key": .text(org.key),
                "displayName": .text(org.displayName),
                "description": .text(org.description),
                "memberLimit": .number(org.memberLimit),
                "timeZone": .text(org.timeZone),
                "initial": .text(String(org.displayName.first.map { $0.uppercased() } ?? "?")),
                "avatarColor": .number(Int(Crypto.sha256(org.displayName)[0] % 8)),
            ] as TemplateObject
        if let file = org.logoFile {
            context["logoURL"] = Route.org(org.key, .logo(file: file)).path
        }
        context["version"] = values.version
        context["formErrors"] = errors.formContext
        context["logoErrors"] = errors.fieldContext(Field.logo.rawValue)
        context["errorItems"] = ErrorSummary.items(errors, ids: [Field.removeLogo.rawValue: "field-logo"])
        if let conflict {
            context["conflict"] = self.conflict(conflict)
            context["errorItems"] = TemplateValue.list([.object(["text": .text(Conflict.message), "href": "#field-overwrite"])])
        }
        context["fields"] = fields
        if canEdit { context["names"] = Self.names }
    }

    /// The fields someone else saved differently from what this person typed: stored and typed, side by side.
    private func conflict(_ conflict: Conflict) -> TemplateObject {
        var rows: [TemplateValue] = []
        func compare(_ label: String, _ stored: String, _ mine: String) {
            if stored != mine {
                rows.append(.object(["label": .text(label), "stored": .text(stored), "typed": .text(TextRules.displayable(mine))]))
            }
        }
        compare("Display name", org.displayName, values.displayName)
        compare("Description", org.description, values.description)
        compare("Member limit", String(org.memberLimit), values.memberLimit)
        compare("Time zone", org.timeZone, values.timeZone)
        var object: TemplateObject = ["seenVersion": .number(org.version), "rows": .list(rows), "none": .flag(rows.isEmpty)]
        if conflict.logoSent { object["logo"] = "Your logo was not saved: choose the file again if you still want it." }
        return object
    }

    private var fields: TemplateObject {
        [
            "displayName": .object(
                FieldView(
                    name: Field.displayName.rawValue, label: "Display name", value: values.displayName,
                    errors: errors, hint: "Shown across the platform. At most 100 characters.",
                    required: true, maxLength: 100
                ).context),
            "description": .object(
                FieldView(
                    name: Field.description.rawValue, label: "Description", value: values.description,
                    type: "textarea", errors: errors, hint: "Optional. At most 1000 characters.",
                    maxLength: 1000
                ).context),
            "memberLimit": .object(
                FieldView(
                    name: Field.memberLimit.rawValue, label: "Member limit", value: values.memberLimit,
                    type: "number", errors: errors,
                    hint: "The most members this organization may have (1–\(GeneralSettingsChange.maxMemberLimit)).",
                    required: true, min: 1, max: GeneralSettingsChange.maxMemberLimit
                ).context),
            "timeZone": .object(
                FieldView(
                    name: Field.timeZone.rawValue, label: "Time zone", value: values.timeZone,
                    errors: errors,
                    hint:
                        "An IANA name such as UTC, Europe/Berlin or America/New_York. Usage days and months are days in this zone; after a change, past usage is recalculated in the background.",
                    required: true, maxLength: 64
                ).context),
        ]
    }
}
