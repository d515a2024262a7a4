import Foundation
import WheelhouseCore

/// Rotation and revocation: each form carries the key's version, so sending it twice changes
/// nothing the second time (409) — in particular a double-submitted rotation makes one successor,
/// and the second answer says so instead of showing another secret as if it were new.
extension APIKeysController {
    func rotate(_ visit: Visit, access: OrgAccess, key: APIKeySummary) throws -> Response {
        var reader = FormReader<RotateField>(try visit.form())
        let version = reader.version(.version)
        let grace = reader.text(.grace, label: "Old secret stops working")
        return try shell.submit(
            visit,
            stale: "This key was rotated or revoked after this form was opened (perhaps the form was sent twice), "
                + "so it was not rotated again. Its state is shown below.",
            {
                try reader.errors.throwIfAny()
                let issued = try database.rotateAPIKey(
                    orgKey: access.org.key, id: key.id, grace: grace, expectedVersion: version, by: visit.actor,
                    revealTo: visit.signedIn!.session)
                let until =
                    issued.key.previousUntil.map { "The old secret works until \(Dates.dayTime($0))." } ?? "The old secret no longer works."
                return FormSuccess(
                    .org(access.org.key, .apiKeys(.secret(key.id))),
                    flash: "API key \(key.name) rotated. \(until) Copy the new secret now: it is shown only once.")
            },
            refused: { refusal in
                var current = key
                if case .stale = refusal { current = try database.apiKey(id: key.id, access) }
                return try renderRotate(visit, access: access, key: current, grace: grace, errors: refusal.errors, status: refusal.status)
            })
    }

    /// `revoke-previous` and `revoke`: the same confirmation page, different words.
    func confirm(_ visit: Visit, access: OrgAccess, key: APIKeySummary, route: APIKeysRoute) throws -> Response {
        var reader = FormReader<ConfirmField>(try visit.form())
        let version = reader.version(.version)
        let isRevoke = if case .revoke = route { true } else { false }
        return try shell.submit(
            visit,
            stale: "This key changed after this page was opened (rotated, revoked, or this form was sent twice), "
                + "so nothing was done. Its state is shown below.",
            {
                try reader.errors.throwIfAny()
                if isRevoke {
                    try database.revokeAPIKey(orgKey: access.org.key, id: key.id, expectedVersion: version, by: visit.actor)
                    return FormSuccess(
                        .org(access.org.key, .apiKeys(.list)), flash: "API key \(key.name) revoked. Requests with it are now refused.")
                }
                try database.revokePreviousAPIKeySecret(orgKey: access.org.key, id: key.id, expectedVersion: version, by: visit.actor)
                return FormSuccess(
                    .org(access.org.key, .apiKeys(.list)), flash: "The old secret of API key \(key.name) no longer works.")
            },
            refused: { refusal in
                let current = try database.apiKey(id: key.id, access)
                return try renderConfirm(visit, access: access, key: current, route: route, errors: refusal.errors, status: refusal.status)
            })
    }

    // MARK: - Pages

    func renderRotate(
        _ visit: Visit, access: OrgAccess, key: APIKeySummary, grace: String = APIKeyGrace.oneDay.formValue,
        errors: FieldErrors, status: Int
    ) throws -> Response {
        let pending = try status == 409 && database.hasAPIKeyReveal(keyId: key.id, session: visit.signedIn!.session)
        let page = APIKeyRotatePage(
            orgKey: access.org.key, key: key, grace: grace, secretWaiting: pending, errors: errors, now: database.now())
        let layout = try shell.layout(visit, title: "Rotate \(key.name) · \(access.org.displayName)", access: access, tab: .apiKeys)
        return shell.render(.apiKeysRotate, page, layout: layout, status: status)
    }

    func renderConfirm(
        _ visit: Visit, access: OrgAccess, key: APIKeySummary, route: APIKeysRoute, errors: FieldErrors, status: Int
    ) throws -> Response {
        let isRevoke = if case .revoke = route { true } else { false }
        let page = APIKeyConfirmPage(orgKey: access.org.key, key: key, revokesKey: isRevoke, errors: errors, now: database.now())
        let title = isRevoke ? "Revoke \(key.name)" : "Revoke the old secret of \(key.name)"
        let layout = try shell.layout(visit, title: "\(title) · \(access.org.displayName)", access: access, tab: .apiKeys)
        return shell.render(.apiKeysConfirm, page, layout: layout, status: status)
    }
}
