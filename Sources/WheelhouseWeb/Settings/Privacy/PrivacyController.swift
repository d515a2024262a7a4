import Foundation
import WheelhouseCore

/// The Privacy tab: how long each kind of data is kept, PII masking for Admins and the
/// model-training opt-out, with the privacy job's last run.
///
/// - `GET /orgs/{org}/settings/privacy` — Owner and Admin (`viewPrivacy`); an Admin reads it.
/// - `POST …/privacy/retention` — Owner (`managePrivacy`): `version` and one of `30`, `90`, `365`,
///   `forever` for each of `usage_events`, `ended_sessions`, `read_notifications`, `mail_bodies`.
/// - `POST …/privacy/masking` — Owner: `version`, `masking` `on` or `off`.
/// - `POST …/privacy/training` — Owner: `version`, `training` `on` (opted out) or `off`.
///
/// All three share the setting's version: a form opened before another privacy change is a 409;
/// a missing or other value is a 422 beside its field; an Admin's post is a 403.
struct PrivacyController {
    let shell: Shell
    let database: AppDatabase

    enum RetentionField: String, CaseIterable {
        case csrf = "_csrf", version
        case usageEvents = "usage_events", endedSessions = "ended_sessions", readNotifications = "read_notifications"
        case mailBodies = "mail_bodies"
    }
    enum MaskingField: String, CaseIterable { case csrf = "_csrf", version, masking }
    enum TrainingField: String, CaseIterable { case csrf = "_csrf", version, training }

    static let stale = "Someone changed the privacy settings while you were choosing. The current values are shown; choose again."

    func respond(_ route: PrivacyRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        try access.require(.viewPrivacy)
        switch route {
        case .show: return try show(visit, access: access, refused: nil)
        case .retention: return try updateRetention(visit, access: access)
        case .masking, .training: return try updateSwitch(route, visit, access: access)
        }
    }

    private func show(_ visit: Visit, access: OrgAccess, refused: PrivacyPage.Refused?) throws -> Response {
        let orgId = access.org.id!
        let layout = try shell.layout(visit, title: "Privacy · \(access.org.displayName)", access: access, tab: .privacy)
        let page = PrivacyPage(
            orgKey: access.org.key, zone: TimeZone(identifier: access.org.timeZone) ?? TimeZone(identifier: "UTC")!,
            setting: try database.privacySetting(orgId: orgId), lastRun: try database.lastPrivacyPrune(orgId: orgId),
            canEdit: access.allows(.managePrivacy), refused: refused)
        return shell.render(.privacy, page, layout: layout, status: refused?.refusal.status ?? 200)
    }

    /// The version every form carries; a missing or unreadable one is a form error, not a stale edit.
    private static func version(_ text: String, errors: inout FieldErrors) -> Int {
        guard let version = Int(text), version >= 0 else {
            errors.addForm("This form is incomplete (its version is missing). Reload the page and choose again.")
            return -1
        }
        return version
    }

    private func updateRetention(_ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.managePrivacy)
        var reader = FormReader<RetentionField>(form)
        var values: [PrivacyDataClass: String] = [:]
        for dataClass in PrivacyDataClass.allCases {
            values[dataClass] = reader.text(RetentionField(rawValue: dataClass.rawValue)!, label: dataClass.title)
        }
        var errors = reader.errors
        let version = Self.version(reader.text(.version, label: "Version"), errors: &errors)
        return try shell.submit(
            visit, stale: Self.stale,
            {
                try errors.throwIfAny()
                try database.setPrivacyRetention(orgKey: access.org.key, values: values, expectedVersion: version, by: visit.actor)
                return FormSuccess(.org(access.org.key, .privacy(.show)), flash: "Retention saved. The job applies it within the hour.")
            },
            refused: { refusal in
                let typed = Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) })
                return try show(visit, access: access, refused: .init(route: .retention, typed: typed, refusal: refusal))
            })
    }

    private func updateSwitch(_ route: PrivacyRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.managePrivacy)
        let field = route == .masking ? "masking" : "training"
        var value = "", versionText = "", errors = FieldErrors()
        if route == .masking {
            var reader = FormReader<MaskingField>(form)
            (value, versionText, errors) = (
                reader.text(.masking, label: "PII masking"), reader.text(.version, label: "Version"), reader.errors
            )
        } else {
            var reader = FormReader<TrainingField>(form)
            (value, versionText, errors) = (
                reader.text(.training, label: "Model training"), reader.text(.version, label: "Version"), reader.errors
            )
        }
        let version = Self.version(versionText, errors: &errors)
        return try shell.submit(
            visit, stale: Self.stale,
            {
                try errors.throwIfAny()
                let key = access.org.key
                let flash: String
                if route == .masking {
                    let saved = try database.setPIIMasking(orgKey: key, value: value, expectedVersion: version, by: visit.actor)
                    flash = saved.masking ? "PII masking is on: Admins see Owners and former members masked." : "PII masking is off."
                } else {
                    let saved = try database.setTrainingOptOut(orgKey: key, value: value, expectedVersion: version, by: visit.actor)
                    flash =
                        saved.training.optedOut
                        ? "This organization is opted out of model training." : "Model training is allowed for this organization."
                }
                return FormSuccess(.org(key, .privacy(.show)), flash: flash)
            },
            refused: { refusal in
                try show(visit, access: access, refused: .init(route: route, typed: [field: value], refusal: refusal))
            })
    }
}
