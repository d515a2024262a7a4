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
        let values = Values(
            displayName: TextRules.trimmed(reader.text(.displayName, label: "Display name")),
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
        let change = GeneralSettingsChange(
            displayName: values.displayName, description: values.description,
            memberLimit: Int(values.memberLimit), logo: logo,
            expectedVersion: expected, timeZone: sentZone)
        let logoSent = reader.file(.logo) != nil
        return try shell.submit(
            visit, stale: GeneralPage.Conflict.message,
            {
                var errors = reader.errors
                change.validate(into: &errors)
                try errors.throwIfAny()
                let actor = visit.actor
                let saved = try database.updateGeneral(orgKey: access.org.key, by: actor, change, logos: logos)
                let message = saved.version == access.org.version ? "Nothing to save: no value changed." : "General settings saved."
                return FormSuccess(.org(access.org.key, .general(.show)), flash: message)
            },
            refused: { refusal in
                switch refusal {
                case .invalid(let found):
                    return try render(visit, access: access, values: values, errors: found, status: 422)
                case .stale:
                    // The summary says it all (the conflict's line): no form message beside it.
                    let current = try database.access(orgKey: access.org.key, userId: visit.signedIn!.user.id!)
                    return try render(
                        visit, access: current, values: values, errors: FieldErrors(), status: refusal.status,
                        conflict: GeneralPage.Conflict(logoSent: logoSent))
                }
            })
    }

    func logo(_ file: String, access: OrgAccess) throws -> Response {
        guard file == access.org.logoFile, let data = logos.read(file) else { throw WebError.notFound }
        let type = file.hasSuffix(".png") ? "image/png" : file.hasSuffix(".gif") ? "image/gif" : "image/jpeg"
        return Response(
            status: 200,
            headers: [
                ("Content-Type", type),
                ("Cache-Control", "private, max-age=31536000, immutable"),
            ],
            body: Array(data))
    }

    private func render(
        _ visit: Visit, access: OrgAccess, values: Values, errors: FieldErrors, status: Int,
        conflict: GeneralPage.Conflict? = nil
    ) throws -> Response {
        let org = access.org
        let stats = try visit.orgView?.stats ?? database.stats(orgId: org.id!)
        let layout = try shell.layout(visit, title: "General · \(org.displayName)", access: access, tab: .general)
        let page = GeneralPage(
            org: org, stats: stats, canEdit: access.allows(.editGeneral), values: values,
            errors: errors, conflict: conflict)
        return shell.render(.general, page, layout: layout, status: status)
    }
}
