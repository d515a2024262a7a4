import Foundation
import WheelhouseCore

/// `/orgs/{org}`: the organization overview — the viewer's widgets, the readiness checklist and,
/// for a new Owner, the tutorial — and its small posts (move, hide, show a widget; mark an item
/// reviewed; dismiss the tutorial). Every post is the viewer's own change: CSRF-checked, answered
/// with a redirect and a flash, and not audited.
struct OverviewController {
    let shell: Shell
    let database: AppDatabase

    var saas: Bool { shell.config.mode == .saas }

    func show(_ visit: Visit, access: OrgAccess) throws -> Response {
        let userId = visit.signedIn!.user.id!
        let layout = try database.dashboardLayout(userId: userId, access: access, saas: saas)
        var page = OverviewPage(
            access: access, layout: layout, readiness: try database.readiness(userId: userId, access: access, saas: saas),
            tutorial: try database.tutorial(userId: userId, access: access, saas: saas), saas: saas, now: database.now())
        for widget in layout.shown {
            switch widget {
            case .usage: page.usage = try database.usageReport(orgId: access.org.id!, month: database.currentUsageMonth(of: access.org))
            case .plan:
                page.plan = try database.planUsage(orgId: access.org.id!)
                if page.usage == nil {
                    page.usage = try database.usageReport(orgId: access.org.id!, month: database.currentUsageMonth(of: access.org))
                }
            case .members: page.stats = visit.orgView?.stats
            case .providers: page.failedProviders = try database.failedProviders(orgId: access.org.id!)
            case .audit:
                page.audit = try database.auditPageData(orgId: access.org.id!, filter: AuditFilter(), from: .newest, viewer: access.role)
                    .page.entries.prefix(OverviewPage.auditRows).map { $0 }
            }
        }
        return shell.render(.orgOverview, page, layout: try shell.layout(visit, title: "Overview", access: access))
    }

    func respond(_ route: OverviewRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        _ = try visit.form()
        let userId = visit.signedIn!.user.id!
        let back = Route.org(access.org.key, .root)
        switch route {
        case .widget(let key, let move):
            guard let widget = DashboardWidget(rawValue: key) else { throw WebError.notFound }
            try database.moveWidget(widget, move, userId: userId, access: access, saas: saas)
            let done =
                switch move {
                case .up: "moved up"
                case .down: "moved down"
                case .hide: "hidden. It is listed under “Hidden widgets”"
                case .show: "shown again"
                }
            return try shell.redirect(visit, to: back, flash: "\(widget.title) \(done).")
        case .review(let key):
            guard let item = ReadinessItem(rawValue: key) else { throw WebError.notFound }
            try database.markReviewed(item, userId: userId, access: access, saas: saas)
            return try shell.redirect(visit, to: back, flash: "“\(item.title)” is marked reviewed for 90 days.")
        case .dismissTutorial:
            guard try database.tutorial(userId: userId, access: access, saas: saas) != nil else { throw WebError.notFound }
            try database.dismissTutorial(userId: userId, orgId: access.org.id!)
            return try shell.redirect(
                visit, to: back, flash: "The tutorial is put away. “Show tutorial again” on Preferences brings it back.")
        }
    }
}
