import WheelhouseCore

/// The context every page shares: who is signed in, the org switcher, the tabs this person may
/// open (Navigation.swift), the banners (Banners.swift), the flash, the deployment mode. A page's
/// struct adds its own keys to it (PageValues.swift).
extension Shell {
    /// `unread`: the person's unread notifications when the page has read them already (the
    /// inbox); otherwise they come with the org view (org pages) or from one indexed count.
    func layout(
        _ visit: Visit, title: String, access: OrgAccess? = nil, tab: SettingsTab? = nil, unread: Int? = nil
    ) throws -> TemplateObject {
        var context = bareLayout(title: title)
        context["requestID"] = visit.id
        guard let signedIn = visit.signedIn else { return context }
        context["user"] = ["name": .text(signedIn.user.name), "email": .text(signedIn.user.email)] as TemplateObject
        context["csrf"] = signedIn.session.csrfToken
        context["logoutPath"] = Route.logout.path
        context["newOrgLink"] = Self.newOrgPath
        context["accountLink"] =
            ["href": .text(Self.accountPath), "current": .flag(visit.request.path == Self.accountPath)] as TemplateObject
        context["preferencesLink"] =
            ["href": .text(Self.preferencesPath), "current": .flag(visit.request.path == Self.preferencesPath)] as TemplateObject
        // The person's theme and density on `<html>`, so the first paint is already right (no script).
        let appearance = signedIn.appearance
        if appearance.theme != .system { context["htmlTheme"] = appearance.theme.rawValue }
        context["colorScheme"] = appearance.theme == .system ? "light dark" : appearance.theme.rawValue
        if appearance.density != .comfortable { context["htmlDensity"] = appearance.density.rawValue }
        let count = try unread ?? visit.orgView?.unreadNotifications ?? database.unreadNotificationCount(userId: signedIn.user.id!)
        context["inboxLink"] =
            visit.request.path == Self.inboxPath
            ? Self.inboxLink(unread: count, current: true) : Self.inboxLinks[min(count, Self.inboxLinks.count - 1)]
        if let flash = try database.takeFlash(for: signedIn.session) {
            context["flash"] = ["kind": .text(flash.kind), "message": .text(flash.message)] as TemplateObject
        }
        context["switcher"] = switcher(try visit.orgView?.organizations ?? database.organizations(of: signedIn.user.id!), current: access)
        if let access {
            context["org"] =
                [
                    "key": .text(access.org.key), "name": .text(access.org.displayName),
                    "role": .text(access.role.label),
                ] as TemplateObject
            context["nav"] = navigation(access, current: tab)
            let banners = try orgBanners(visit, access: access)
            if !banners.isEmpty {
                context["banners"] = TemplateValue.list(banners.map { TemplateValue.object(["banner": .object($0)]) })
            }
        }
        return context
    }

    /// The layout of a page that shows nobody as signed in and takes no flash (the sign-in form,
    /// which may be posted with a session that is being replaced): the title and the mode.
    func bareLayout(title: String) -> TemplateObject {
        ["title": .text(title), "mode": config.mode == .saas ? "SaaS" : "Enterprise"]
    }

    /// Renders `template`, with the error summary at the top of a refused form's page.
    func page(_ template: Template, _ context: TemplateObject, status: Int = 200) -> Response {
        var context = context
        if ErrorSummary.shows(status: status), context["errorSummary"] == nil,
            let summary = ErrorSummary.context(context, status: status),
            case .object(let focusless) = ErrorSummary.withoutAutofocus(.object(context))
        {
            context = focusless
            context["errorSummary"] = summary
        }
        do {
            return Response(
                status: status, headers: [("Content-Type", "text/html; charset=utf-8")],
                body: try templates.render(template, context))
        } catch {
            // Every template was checked at start-up, so this is a bug in swift-mustache or here:
            // one logged 500, and the responder keeps serving every other page.
            logger.error("\(error)")
            return Response(
                status: 500, headers: [("Content-Type", "text/plain; charset=utf-8")],
                body: Array("Something went wrong while rendering this page. The error has been logged.\n".utf8))
        }
    }

    static let inboxPath = Route.account(.notifications).path
    static let accountPath = Route.account(.profile).path
    static let newOrgPath = Route.account(.newOrganization(.show)).path
    static let preferencesPath = Route.account(.preferences).path

    /// The header's link for each count the badge can show, built once: every signed-in page
    /// takes one instead of building its strings again.
    static let inboxLinks = (0...AppDatabase.unreadCountCap).map { inboxLink(unread: $0, current: false) }

    /// The header's Notifications link, with the unread count as a badge (none at 0) and the
    /// count in words for screen readers.
    static func inboxLink(unread: Int, current: Bool) -> TemplateObject {
        var link: TemplateObject = ["href": .text(Self.inboxPath), "current": .flag(current)]
        if unread > 0 {
            let capped = unread >= AppDatabase.unreadCountCap
            let shown = capped ? "\(AppDatabase.unreadCountCap - 1)+" : String(unread)
            link["badge"] = TemplateValue.text(shown)
            link["label"] = TemplateValue.text(
                capped
                    ? "more than \(AppDatabase.unreadCountCap - 1) unread notifications"
                    : unread == 1 ? "1 unread notification" : "\(unread) unread notifications")
        }
        return link
    }
}
