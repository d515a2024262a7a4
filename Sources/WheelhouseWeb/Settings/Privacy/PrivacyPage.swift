import Foundation
import WheelhouseCore

/// The Privacy page's values: a form per change for the Owner (each carrying the one version),
/// the same values in words for an Admin, and the job's last run.
struct PrivacyPage: PageValues {
    let orgKey: String
    let zone: TimeZone
    let setting: PrivacySetting
    let lastRun: PrivacyPruneRun?
    let canEdit: Bool
    let refused: Refused?

    /// A form that came back: which one, what it sent, and why.
    struct Refused {
        var route: PrivacyRoute
        var typed: [String: String]
        var refusal: FormRefusal
    }

    static let retentionNames = FieldNames.of(PrivacyController.RetentionField.self)

    /// What each class's window does, said on the page.
    static func explanation(_ dataClass: PrivacyDataClass) -> String {
        switch dataClass {
        case .usageEvents:
            "Each run, tokens and costs, as they arrived. Older events are deleted; the daily totals on Usage stay as they are."
        case .endedSessions:
            "Sign-ins past their 12-hour idle or 7-day time-out. A person in several organizations loses them after the shortest window among them."
        case .readNotifications: "In-app notifications read longer ago than this are deleted; unread ones stay."
        case .mailBodies:
            "Mail delivered longer ago than this keeps only its kind, status and dates; its recipient, subject and text are cleared."
        }
    }

    private func typed(_ route: PrivacyRoute, _ field: String) -> String? {
        refused.flatMap { $0.route == route ? $0.typed[field] : nil }
    }

    private func error(_ route: PrivacyRoute, _ field: String) -> String? {
        refused.flatMap { $0.route == route ? $0.refusal.errors.messages(for: field).first : nil }
    }

    private func choices(_ current: String, typed: String?, _ options: [(String, String)]) -> TemplateValue {
        let chosen = typed.flatMap { t in options.contains { $0.0 == t } ? t : nil } ?? current
        return .list(options.map { .object(["value": .text($0.0), "title": .text($0.1), "selected": .flag($0.0 == chosen)]) })
    }

    private func field(_ route: PrivacyRoute, name: String, current: String, title: String, options: [(String, String)]) -> TemplateObject {
        var object: TemplateObject = [
            "name": .text(name), "id": .text("field-\(name)"), "current": .text(title),
            "options": choices(current, typed: typed(route, name), options),
        ]
        if let message = error(route, name) {
            object["error"] = TemplateValue.text(message)
            object["errorId"] = TemplateValue.text("privacy-\(name)-error")
        }
        return object
    }

    func fill(_ context: inout TemplateObject) {
        let windows = AuditRetention.allCases.map { ($0.formValue, $0.title) }
        let classes = PrivacyDataClass.allCases.map { c -> TemplateValue in
            var object = field(
                .retention, name: c.rawValue, current: setting.window(c).formValue, title: setting.window(c).title, options: windows)
            object["title"] = TemplateValue.text(c.title)
            object["explanation"] = TemplateValue.text(Self.explanation(c))
            return .object(object)
        }
        let masking = field(
            .masking, name: "masking", current: setting.masking ? "on" : "off", title: setting.masking ? "On" : "Off",
            options: [("on", "On"), ("off", "Off")])
        var training = field(
            .training, name: "training", current: setting.training.optedOut ? "on" : "off",
            title: setting.training.optedOut ? "Opted out" : "Allowed", options: [("on", "Opted out"), ("off", "Allowed")])
        if let at = setting.training.at {
            let who = setting.training.byName ?? "a deleted account"
            training["line"] = TemplateValue.text("\(setting.training.optedOut ? "Opted out" : "Allowed again") by \(who) on \(local(at))")
        }
        var privacy: TemplateObject = [
            "canEdit": .flag(canEdit), "version": .number(setting.version), "classes": .list(classes),
            "masking": .object(masking), "training": .object(training), "names": Self.retentionNames,
            "retentionAction": .text(Route.org(orgKey, .privacy(.retention)).path),
            "maskingAction": .text(Route.org(orgKey, .privacy(.masking)).path),
            "trainingAction": .text(Route.org(orgKey, .privacy(.training)).path), "timeZone": .text(zone.identifier),
        ]
        if let lastRun {
            privacy["lastRun"] = TemplateValue.object(["when": .text(local(lastRun.ranAt)), "summary": .text(lastRun.summary)])
        }
        context["privacy"] = TemplateValue.object(privacy)
        if let refused, !refused.refusal.errors.form.isEmpty {
            context["errorItems"] = ErrorSummary.items(refused.refusal.errors)
        }
    }

    /// "2026-11-30 14:02" in the organization's time zone.
    func local(_ date: Date) -> String {
        let shifted = date.addingTimeInterval(TimeInterval(zone.secondsFromGMT(for: date)))
        let parts = Dates.utc(shifted)
        return "\(Dates.iso(shifted)) \(Dates.two(parts.tm_hour)):\(Dates.two(parts.tm_min))"
    }
}
