import Foundation
import WheelhouseCore

/// The General tab of an organization's settings.
///
/// - `GET /orgs/{org}/settings/general` — any member (`viewOrganization`); Members see values read-only
/// - `POST /orgs/{org}/settings/general` — Owner, Admin (`editGeneral`); multipart form with the logo
/// - `GET /orgs/{org}/logo/{file}` — any member: the stored logo, cacheable forever
struct GeneralSettingsController {
    let shell: Shell
    let database: AppDatabase
    let logos: LogoStore

    /// The form's fields; the same names are used in the template and by the parser.
    enum Field: String, CaseIterable {
        case csrf = "_csrf", version
        case displayName = "display_name", description
        case memberLimit = "member_limit"
        case logo
        case removeLogo = "remove_logo"
        case timeZone = "time_zone"
        /// After a conflict: the stored version the person has now seen, and their explicit choice
        /// to replace the stored values with theirs.
        case seenVersion = "seen_version", overwrite
    }

    /// What the form shows: the stored row, or what the person typed.
    struct Values {
        var displayName: String
        var description: String
        var memberLimit: String
        var version: Int
        var timeZone: String

        init(_ org: Organization) {
            displayName = org.displayName
            description = org.description
            memberLimit = String(org.memberLimit)
            version = org.version
            timeZone = org.timeZone
        }

        init(displayName: String, description: String, memberLimit: String, version: Int, timeZone: String) {
            self.displayName = displayName
            self.description = description
            self.memberLimit = memberLimit
            self.version = version
            self.timeZone = timeZone
        }
    }

    func respond(_ route: GeneralRoute, _ visit: inout Visit, access: OrgAccess) throws -> Response {
        switch route {
        case .show: try show(visit, access: access)
        case .update: try update(&visit, access: access)
        }
    }

    func show(_ visit: Visit, access: OrgAccess) throws -> Response {
        try render(visit, access: access, values: Values(access.org), errors: FieldErrors(), status: 200)
    }

    func update(_ visit: inout Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.editGeneral)
        var reader = FormReader<Field>(form)
        let values = Values(displayName: TextRules.trimmed(reader.text(.displayName, label: "Display name")),
                            description: reader.text(.description, label: "Description")
                                .trimmingCharacters(in: .whitespacesAndNewlines),
                            memberLimit: TextRules.trimmed(reader.text(.memberLimit, label: "Member limit")),
                            version: Int(reader.text(.version, label: "Version")) ?? -1,
                            timeZone: TextRules.trimmed(reader.text(.timeZone, label: "Time zone")))
        // A post without the field (an older form) keeps the stored zone; an empty one is an error.
        let sentZone = form.fields[Field.timeZone.rawValue] == nil ? nil : values.timeZone
        var logo = GeneralSettingsChange.LogoChange.keep
        if let file = reader.file(.logo) {
            if let image = LogoImage.validated(file.bytes, field: Field.logo.rawValue, into: &reader.errors) {
                logo = .replace(image)
            }
        } else if reader.isOn(.removeLogo) {
            logo = .remove
        }
        // A save over someone else's needs the conflict seen (its version) and the box ticked.
        let seen = Int(reader.text(.seenVersion, label: "Seen version"))
        let expected = reader.isOn(.overwrite) ? seen ?? values.version : values.version
        let change = GeneralSettingsChange(displayName: values.displayName, description: values.description,
                                           memberLimit: Int(values.memberLimit), logo: logo,
                                           expectedVersion: expected, timeZone: sentZone)
        var errors = reader.errors
        do {
            change.validate(into: &errors)
            try errors.throwIfAny()
            let actor = Actor(user: visit.signedIn!.user, address: visit.request.remoteAddress)
            let saved = try database.updateGeneral(orgKey: access.org.key, by: actor, change, logos: logos)
            let message = saved.version == access.org.version ? "Nothing to save: no value changed." : "General settings saved."
            return try shell.redirect(visit, to: Route.org(access.org.key, .general(.show)), flash: message)
        } catch DomainError.invalid(let found) {
            return try render(visit, access: access, values: values, errors: found, status: 422)
        } catch DomainError.staleVersion {
            let current = try database.access(orgKey: access.org.key, userId: visit.signedIn!.user.id!)
            return try render(visit, access: current, values: values, errors: FieldErrors(), status: 409,
                              conflict: conflict(stored: current.org, typed: values, logoSent: reader.file(.logo) != nil))
        }
    }

    /// The fields someone else saved differently from what this person typed: stored and typed, side by side.
    private func conflict(stored org: Organization, typed: Values, logoSent: Bool) -> TemplateObject {
        var rows: [TemplateValue] = []
        func compare(_ label: String, _ stored: String, _ mine: String) {
            if stored != mine { rows.append(.object(["label": .text(label), "stored": .text(stored), "typed": .text(TextRules.displayable(mine))])) }
        }
        compare("Display name", org.displayName, typed.displayName)
        compare("Description", org.description, typed.description)
        compare("Member limit", String(org.memberLimit), typed.memberLimit)
        compare("Time zone", org.timeZone, typed.timeZone)
        var conflict: TemplateObject = ["seenVersion": .number(org.version), "rows": .list(rows), "none": .flag(rows.isEmpty)]
        if logoSent { conflict["logo"] = "Your logo was not saved: choose the file again if you still want it." }
        return conflict
    }

    func logo(_ file: String, access: OrgAccess) throws -> Response {
        guard file == access.org.logoFile, let data = logos.read(file) else { throw WebError.notFound }
        let type = file.hasSuffix(".png") ? "image/png" : file.hasSuffix(".gif") ? "image/gif" : "image/jpeg"
        return Response(status: 200, headers: [("Content-Type", type),
                                               ("Cache-Control", "private, max-age=31536000, immutable")],
                        body: Array(data))
    }

    private func render(_ visit: Visit, access: OrgAccess, values: Values, errors: FieldErrors, status: Int,
                        conflict: TemplateObject? = nil) throws -> Response {
        let org = access.org
        let stats = try visit.orgView?.stats ?? database.stats(orgId: org.id!)
        var context = try shell.layout(visit, title: "General · \(org.displayName)", access: access, tab: .general)
        context["canEdit"] = access.allows(.editGeneral)
        // Count what this person can see on Workspaces; the rest are others' private ones.
        let visible = stats.visibleWorkspaces ?? stats.workspaces
        var workspaces: TemplateObject = ["count": .number(visible)]
        if stats.workspaces > visible {
            workspaces["hidden"] = "+ \(stats.workspaces - visible) private to others"
        }
        context["stats"] = ["members": .number(stats.members), "workspaces": .object(workspaces),
                            "created": .text(Dates.day(org.createdAt)), "createdISO": .text(Dates.iso(org.createdAt))] as TemplateObject
        context["general"] = [
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
            context["conflict"] = conflict
            context["errorItems"] = TemplateValue.list([.object([
                "text": "Someone else saved these settings while you were editing, so yours were not saved. Compare the values, then tick “Replace the stored values with mine” and save, or reload the page to start over.",
                "href": "#field-overwrite"])])
        }
        context["fields"] = [
            "displayName": .object(FieldView(name: Field.displayName.rawValue, label: "Display name", value: values.displayName,
                                     errors: errors, hint: "Shown across the platform. At most 100 characters.",
                                     required: true, maxLength: 100).context),
            "description": .object(FieldView(name: Field.description.rawValue, label: "Description", value: values.description,
                                     type: "textarea", errors: errors, hint: "Optional. At most 1000 characters.",
                                     maxLength: 1000).context),
            "memberLimit": .object(FieldView(name: Field.memberLimit.rawValue, label: "Member limit", value: values.memberLimit,
                                     type: "number", errors: errors,
                                     hint: "The most members this organization may have (1–\(GeneralSettingsChange.maxMemberLimit)).",
                                     required: true, min: 1, max: GeneralSettingsChange.maxMemberLimit).context),
            "timeZone": .object(FieldView(name: Field.timeZone.rawValue, label: "Time zone", value: values.timeZone,
                                     errors: errors,
                                     hint: "An IANA name such as UTC, Europe/Berlin or America/New_York. Usage days and months are days in this zone; after a change, past usage is recalculated in the background.",
                                     required: true, maxLength: 64).context),
        ] as TemplateObject
        return shell.page(.general, context, status: status)
    }
}
