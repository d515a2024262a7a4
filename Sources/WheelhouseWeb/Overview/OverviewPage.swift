import Foundation
import WheelhouseCore

/// The overview's values: the widgets in the viewer's order (each with its own small forms), the
/// hidden ones, the readiness checklist and the tutorial. A widget's data is read only when it is shown.
struct OverviewPage: PageValues {
    static let auditRows = 5

    let access: OrgAccess
    let layout: DashboardLayout
    let readiness: [ReadinessCheck]
    let tutorial: Tutorial?
    let saas: Bool
    let now: Date
    var usage: UsageReport?
    var plan: PlanUsage?
    var stats: OrgStats?
    var failedProviders: [FailedProvider] = []
    var audit: [AuditLogEntry] = []

    private var key: String { access.org.key }
    private func link(_ route: OrgRoute) -> TemplateValue { .text(Route.org(key, route).path) }
    private func action(_ route: OverviewRoute) -> TemplateValue { link(.overview(route)) }

    func fill(_ context: inout TemplateObject) {
        context["widgets"] = TemplateValue.list(
            layout.shown.enumerated().map { index, widget in
                var object = widgetContent(widget)
                object["key"] = TemplateValue.text(widget.rawValue)
                object["title"] = TemplateValue.text(widget.title)
                object["headingId"] = TemplateValue.text("widget-\(widget.rawValue)")
                if index > 0 { object["upAction"] = action(.widget(widget.rawValue, .up)) }
                if index < layout.shown.count - 1 { object["downAction"] = action(.widget(widget.rawValue, .down)) }
                object["hideAction"] = action(.widget(widget.rawValue, .hide))
                return .object(object)
            })
        if !layout.hidden.isEmpty {
            context["hiddenWidgets"] = TemplateValue.list(
                layout.hidden.map { .object(["title": .text($0.title), "showAction": action(.widget($0.rawValue, .show))]) })
        }
        context["preferencesHref"] = Route.account(.preferences).path
        fillReadiness(&context)
        fillTutorial(&context)
    }

    private func widgetContent(_ widget: DashboardWidget) -> TemplateObject {
        switch widget {
        case .usage:
            let totals = usage?.totals ?? UsageTotals()
            return [
                "isUsage": true, "runs": .text(UsageFormat.count(totals.runs)), "failedRuns": .text(UsageFormat.count(totals.failedRuns)),
                "cost": .text(UsageFormat.money(totals.costMicros)), "month": .text(usage.map { "\($0.month)" } ?? ""),
                "href": link(.usage(.show)),
            ]
        case .plan:
            let runs = usage?.totals.runs ?? 0
            let included = plan?.plan.monthlyRuns ?? 0
            return [
                "isPlan": true, "planName": .text(plan?.plan.name ?? ""), "runs": .text(UsageFormat.count(runs)),
                "included": .text(UsageFormat.count(included)), "meterValue": .text(String(min(runs, included))),
                "meterMax": .text(String(max(included, 1))),
                "workspaces": .text("\(plan?.sharedWorkspaces ?? 0) of \(plan?.plan.sharedWorkspaceLimit ?? 0)"),
                "href": link(.billing(.show)),
            ]
        case .members:
            var object: TemplateObject = [
                "isMembers": true, "members": .text(String(stats?.members ?? 0)), "href": link(.members(.list)),
            ]
            // Pending invitations are shown to those who manage them, as the Members tab does.
            if access.allows(.manageMembers) { object["pending"] = TemplateValue.text(String(stats?.pendingInvitations ?? 0)) }
            return object
        case .providers:
            return [
                "isProviders": true, "href": link(.providers(.list)),
                "failed": .list(failedProviders.map { .object(["name": .text($0.name), "error": .text($0.error)]) }),
            ]
        case .audit:
            return [
                "isAudit": true, "href": link(.audit(.show)),
                "entries": .list(
                    audit.map { entry in
                        .object([
                            "action": .text(entry.event.action.title), "summary": .text(entry.event.summary),
                            "actor": .text(entry.actorName ?? "System"), "when": .text(Dates.dayTime(entry.event.createdAt)),
                            "iso": .text(Dates.isoTime(entry.event.createdAt)),
                        ])
                    }),
            ]
        }
    }
}
