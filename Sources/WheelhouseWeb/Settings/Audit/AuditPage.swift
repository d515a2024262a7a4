import Foundation
import WheelhouseCore

/// The Audit log page's values: the filter form (refilled as typed, with a message beside a
/// refused field), the table of one page of entries and the pager, whose links keep the filter.
struct AuditPage: PageValues {
    let orgKey: String
    let zone: TimeZone
    let query: AuditQuery
    let actors: [User]
    let page: AuditLogPage
    let retention: RetentionForm
    /// Targets of this page that still exist, and where (none for a target the viewer's mask hides).
    var links: [String: AuditTargetLink] = [:]
    /// The read the entries come from (`AuditPageData.generation`): the rows are built once per read
    /// and time zone. Nil builds them every time.
    var generation: UInt64?

    /// Rows of recent reads: with one reader connection per worker thread and a page read once per
    /// connection until the next commit, a few per thread.
    static let rowsMemo = FrozenMemo(capacity: 64)

    /// The retention setting: a form for the Owner, the value in words for an Admin.
    struct RetentionForm {
        var setting: AuditRetentionSetting
        var canEdit: Bool
        /// The plan's name and longest retention in SaaS mode; nil in enterprise mode.
        var cap: (plan: String, longest: AuditRetention)? = nil
        /// What a refused form sent, chosen again in the list when it is one of the choices.
        var typed: String?
        var errors = FieldErrors()

        static let names = FieldNames.of(AuditController.RetentionField.self)

        init(setting: AuditRetentionSetting, canEdit: Bool) {
            self.setting = setting
            self.canEdit = canEdit
        }

        func value(orgKey: String) -> TemplateValue {
            let chosen = typed.flatMap(AuditRetention.init(formValue:)) ?? setting.retention
            var object: TemplateObject = [
                "canEdit": .flag(canEdit), "current": .text(setting.retention.title), "version": .number(setting.version),
                "forever": .flag(setting.retention == .forever), "names": Self.names,
                "formAction": .text(Route.org(orgKey, .audit(.retention)).path),
                "options": .list(
                    AuditRetention.allCases.map { r in
                        let offered = cap.map { r.fits(under: $0.longest) } ?? true
                        return .object([
                            "value": .text(r.formValue), "title": .text(offered ? r.title : r.title + " (not on the \(cap!.plan) plan)"),
                            "selected": .flag(r == chosen), "disabled": .flag(!offered && r != chosen),
                        ])
                    }),
            ]
            if let cap, cap.longest != .forever {
                let kept = setting.retention.capped(by: cap.longest)
                object["capNote"] = TemplateValue.text(
                    "The \(cap.plan) plan keeps entries for at most \(cap.longest.title.lowercased())"
                        + (kept != setting.retention ? ", so entries older than that are removed." : "."))
            }
            if let message = errors.messages(for: AuditController.RetentionField.retention.rawValue).first {
                object["error"] = TemplateValue.text(message)
                object["errorId"] = TemplateValue.text("audit-retention-error")
            }
            return .object(object)
        }
    }

    func href(_ route: AuditRoute, _ extra: [(String, String)] = []) -> String {
        Route.org(orgKey, .audit(route)).path(query: query.items + extra)
    }

    func fill(_ context: inout TemplateObject) {
        context["audit"] =
            [
                "formAction": .text(Route.org(orgKey, .audit(.show)).path), "timeZone": .text(zone.identifier),
                "csvHref": .text(href(.exportCSV)), "jsonlHref": .text(href(.exportJSONLines)),
                "filtered": .flag(!query.items.isEmpty),
            ] as TemplateObject
        context["filters"] = filters
        context["retention"] = retention.value(orgKey: orgKey)
        if !retention.errors.form.isEmpty { context["errorItems"] = ErrorSummary.items(retention.errors) }
        if let problem = query.problems[.page] { context["pageProblem"] = TemplateValue.text(problem) }
        if let generation {
            context["rows"] = Self.rowsMemo.value("\(generation)/\(zone.identifier)") { .list(page.entries.map(row)) }
        } else {
            context["rows"] = TemplateValue.list(page.entries.map(row))
        }
        if page.entries.isEmpty { context["empty"] = TemplateValue.flag(true) }
        var pager: TemplateObject = [:]
        if page.hasNewer, let first = page.entries.first?.event.id {
            pager["previous"] = TemplateValue.text(href(.show, [("after", String(first))]))
        }
        if page.hasOlder, let last = page.entries.last?.event.id {
            pager["next"] = TemplateValue.text(href(.show, [("before", String(last))]))
        }
        if !pager.entries.isEmpty { context["pager"] = TemplateValue.object(pager) }
    }

    /// The action filter's options grouped by area, as the template takes them: built once for
    /// each action selected (and once with none), and frozen: not walked on every page view either.
    static let actionGroupsUnselected = TemplateValue.frozen(FrozenValue(actionGroups(selected: nil)))
    static let actionGroups = Dictionary(
        uniqueKeysWithValues: AuditAction.allCases.map { ($0, TemplateValue.frozen(FrozenValue(actionGroups(selected: $0)))) })

    static func actionGroups(selected: AuditAction?) -> TemplateValue {
        .list(
            AuditArea.allCases.map { area in
                .object([
                    "title": .text(area.title),
                    "options": .list(
                        area.actions.map { a in
                            .object(["value": .text(a.rawValue), "title": .text(a.title), "selected": .flag(a == selected)])
                        }),
                ])
            })
    }

    private var filters: TemplateValue {
        func field(_ f: AuditQuery.Field) -> TemplateObject {
            var value = query.typed[f] ?? ""
            // A date input may only hold a date: an unreadable one is quoted in the message instead.
            if f == .from || f == .to, AuditQuery.day(value) == nil { value = "" }
            var object: TemplateObject = ["value": .text(value)]
            if let problem = query.problems[f] {
                object["error"] = TemplateValue.text(problem)
                object["errorId"] = TemplateValue.text("audit-\(f.rawValue)-error")
            }
            return object
        }
        var action = field(.action), actor = field(.actor)
        action["groups"] = query.filter.action.flatMap { Self.actionGroups[$0] } ?? Self.actionGroupsUnselected
        actor["system"] = TemplateValue.flag(query.filter.actor == .system)
        actor["options"] = TemplateValue.list(
            actors.map { user in
                TemplateValue.object([
                    "value": .text(String(user.id!)), "title": .text("\(user.name) (\(user.email))"),
                    "selected": .flag(query.filter.actor == .user(user.id!)),
                ])
            })
        return .object([
            "action": .object(action), "actor": .object(actor), "from": .object(field(.from)), "to": .object(field(.to)),
            "q": .object(field(.q)), "maxText": .number(AuditQuery.maxTextLength),
        ])
    }

    private func row(_ entry: AuditLogEntry) -> TemplateValue {
        let e = entry.event
        let actor: String =
            if let name = entry.actorName { name } else if e.actorUserId == nil { "System" } else { "A deleted account" }
        let stamps = Dates.stamps(e.createdAt, offset: zone.secondsFromGMT(for: e.createdAt))
        return .object([
            "when": .text(stamps.local), "iso": .text(stamps.iso), "utc": .text(stamps.utc),
            "actor": .text(actor), "email": entry.actorEmail.map(TemplateValue.text) ?? .flag(false),
            "action": .text(e.action.title), "code": .text(e.action.rawValue), "target": .text(e.target),
            "targetHref": links[e.target].map { .text(href(for: $0)) } ?? .flag(false),
            "summary": .text(e.summary), "address": .text(e.address),
            "client": e.userAgent.isEmpty ? .flag(false) : .text(UserAgentSummary.describe(e.userAgent)), "userAgent": .text(e.userAgent),
        ])
    }

    /// The page a target that still exists is on.
    func href(for link: AuditTargetLink) -> String {
        switch link {
        case .organization: Route.org(orgKey, .general(.show)).path
        case .team(let id): Route.org(orgKey, .teams(.team(id))).path
        case .workspace(let key): Route.org(orgKey, .workspaces(.workspace(key))).path
        case .member(_, let email), .invitation(let email): Route.org(orgKey, .members(.list)).path(query: [("q", email)])
        case .provider(let id): Route.org(orgKey, .providers(.edit(id, .show))).path
        }
    }
}
