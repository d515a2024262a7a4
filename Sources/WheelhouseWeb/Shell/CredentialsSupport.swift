import Foundation
import WheelhouseCore

// Pieces shared by the settings tabs.

extension Visit {
    /// The signed-in person as the author of a change (org pages are only reached signed in).
    var actor: Actor { Actor(user: signedIn!.user, address: request.remoteAddress) }
}

extension Shell {
    /// POST-redirect-GET: the flash is shown once on the page redirected to.
    func redirect(_ visit: Visit, to route: Route, flash message: String) throws -> Response {
        try redirect(visit, to: route.path, flash: message)
    }

    /// The same, to a path with a query (e.g. the Members list as it was shown).
    func redirect(_ visit: Visit, to path: String, flash message: String) throws -> Response {
        try database.setFlash(Flash(kind: "success", message: message), for: visit.signedIn!.session)
        return .redirect(to: path)
    }

    /// A banner when providers failed their last connection test, for those who can fix them.
    func failedProviderBanners(_ visit: Visit, access: OrgAccess) throws -> [TemplateObject] {
        guard access.allows(.manageOrgCredentials) else { return [] }
        let failed = try visit.orgView.map(\.failedProviders) ?? database.failedProviders(orgId: access.org.id!)
        // One banner however many failed, so the page itself stays in view.
        guard let first = failed.first else { return [] }
        let said = first.error.hasSuffix(".") || first.error.hasSuffix("…") ? first.error : first.error + "."
        let (heading, text) = failed.count == 1
            ? ("\(first.name) failed its last connection test.",
               "Result: \(said) Models that rely on the organization’s key are not ready.")
            : ("\(failed.count) providers failed their last connection test.",
               "\(failed.map(\.name).joined(separator: ", ")). Models that rely on those keys are not ready.")
        return [["kind": "error", "heading": .text(heading), "text": .text(text),
                 "action": .object(["href": .text(Route.org(access.org.key, .providers(.list)).path),
                                    "label": "Open Providers"])]]
    }
}

/// A field of the credential forms, drawn by `partials/field`: never autocompleted or spell-checked,
/// optionally with a datalist of suggested names.
struct CredentialField {
    var name: String
    var label: String
    var value: String = ""
    var type: String = "text"
    var errors: FieldErrors
    var hint: String? = nil
    var list: String? = nil
    var required = false
    var maxLength: Int? = nil

    var context: TemplateObject {
        FieldView(name: name, label: label, value: value, type: type, errors: errors, hint: hint, autocomplete: "off",
                  required: required, maxLength: maxLength, list: list, spellcheck: false).context
    }
}

extension Dates {
    /// "3 Mar 2027, 14:05 UTC".
    static func dayTime(_ date: Date) -> String {
        let parts = utc(date)
        return "\(day(date)), \(two(parts.tm_hour)):\(two(parts.tm_min)) UTC"
    }

    /// For `<time datetime>`: "2027-03-03T14:05:00Z".
    static func isoTime(_ date: Date) -> String {
        let parts = utc(date)
        return "\(iso(date))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}

extension FormReader {
    /// A missing or unreadable version is a malformed form (422), not someone else's edit.
    mutating func version(_ field: Field) -> Int {
        guard let version = Int(text(field, label: "Version")), version >= 0 else {
            errors.addForm("This form is missing the version it was loaded with: reload the page and try again.")
            return -1
        }
        return version
    }
}
