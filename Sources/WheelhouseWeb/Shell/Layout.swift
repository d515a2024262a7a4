import Foundation
import WheelhouseCore

/// The context every page shares: who is signed in, the org switcher, the tabs this person may
/// open, the flash, the deployment mode. Page controllers add their own keys to it.
extension Shell {
    func layout(_ visit: Visit, title: String, access: OrgAccess? = nil, tab: SettingsTab? = nil) throws -> TemplateObject {
        var context: TemplateObject = [
            "title": .text(title),
            "mode": config.mode == .saas ? "SaaS" : "Enterprise",
            "requestID": .text(visit.id),
        ]
        guard let signedIn = visit.signedIn else { return context }
        context["user"] = ["name": .text(signedIn.user.name), "email": .text(signedIn.user.email)] as TemplateObject
        context["csrf"] = signedIn.session.csrfToken
        context["logoutPath"] = Route.logout.path
        if let flash = try database.takeFlash(for: signedIn.session) {
            context["flash"] = ["kind": .text(flash.kind), "message": .text(flash.message)] as TemplateObject
        }
        let orgs = try visit.orgView?.organizations ?? database.organizations(of: signedIn.user.id!)
        if orgs.count > 1 {
            context["switcher"] = ["orgs": .list(orgs.map { org in
                .object(["name": .text(org.displayName), "href": .text(Route.org(org.key, .general(.show)).path),
                         "current": .flag(org.key == access?.org.key), "role": .text(org.role.label)])
            })] as TemplateObject
        }
        if let access {
            context["org"] = ["key": .text(access.org.key), "name": .text(access.org.displayName),
                              "role": .text(access.role.label)] as TemplateObject
            context["nav"] = TemplateValue.list(visibleTabs(access).map { candidate in
                .object(["title": .text(candidate.title), "href": .text(Route.org(access.org.key, .home(candidate)).path),
                         "current": .flag(candidate == tab)])
            })
            let banners = try orgBanners(visit, access: access)
            if !banners.isEmpty {
                context["banners"] = TemplateValue.list(banners.map { TemplateValue.object(["banner": .object($0)]) })
            }
        }
        return context
    }

    /// Recovery and call-to-action banners shown above every settings page of an organization
    /// (PRODUCT.md §5). Each source decides for itself whether this viewer should see it.
    func orgBanners(_ visit: Visit, access: OrgAccess) throws -> [TemplateObject] {
        var banners: [TemplateObject] = []
        if let stats = visit.orgView?.stats, stats.isSolo, access.allows(.manageMembers) {
            banners.append(["kind": "invite", "heading": "You are the only member.",
                            "text": "Invite your team to share workspaces, credentials and usage.",
                            "action": .object(["label": "Invite team",
                                               "href": .text(Route.org(access.org.key, .members(.list)).path + "?invite=1")])])
        }
        return banners + (try failedProviderBanners(visit, access: access))
    }

    /// The tabs shown in the navigation: the rule the tab guard in `WebApp` answers 403 by.
    func visibleTabs(_ access: OrgAccess) -> [SettingsTab] {
        SettingsTab.allCases.filter { $0.isListed(for: access, in: config.mode) }
    }

    func page(_ template: Template, _ context: TemplateObject, status: Int = 200) -> Response {
        var context = context
        if ErrorSummary.shows(status: status), context["errorSummary"] == nil,
           let summary = ErrorSummary.context(context, status: status),
           case .object(let focusless) = ErrorSummary.withoutAutofocus(.object(context)) {
            context = focusless
            context["errorSummary"] = summary
        }
        do {
            return Response(status: status, headers: [("Content-Type", "text/html; charset=utf-8")],
                            body: try templates.render(template, context))
        } catch {
            // Every template was checked at start-up, so this is a bug in swift-mustache or here:
            // one logged 500, and the responder keeps serving every other page.
            logger.error("\(error)")
            return Response(status: 500, headers: [("Content-Type", "text/plain; charset=utf-8")],
                            body: Array("Something went wrong while rendering this page. The error has been logged.\n".utf8))
        }
    }
}

extension FieldErrors {
    /// For the `form-errors` partial: absent when there is nothing to say, so the section renders once.
    var formContext: TemplateObject? { form.isEmpty ? nil : ["messages": form.templateValue] }

    /// For a hand-written field: its messages wrapped the same way.
    func fieldContext(_ name: String) -> TemplateObject? {
        messages(for: name).isEmpty ? nil : ["messages": messages(for: name).templateValue]
    }
}

/// Dates as people read them, in UTC (organization time zones arrive with Usage).
enum Dates {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The calendar fields of `date` in UTC.
    static func utc(_ date: Date) -> tm {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }

    /// Two digits: "07".
    static func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// "7 Nov 2026": written byte by byte, as it runs several times for each row of a list.
    static func day(_ date: Date) -> String {
        let parts = utc(date)
        return String(unsafeUninitializedCapacity: 12) { out in
            var o = 0
            func put(_ byte: UInt8) { out[o] = byte; o += 1 }
            let mday = Int(parts.tm_mday)
            if mday >= 10 { put(UInt8(48 + mday / 10)) }
            put(UInt8(48 + mday % 10))
            put(UInt8(ascii: " "))
            for byte in months[Int(parts.tm_mon)].utf8 { put(byte) }
            put(UInt8(ascii: " "))
            o = digits(Int(parts.tm_year) + 1900, width: 4, into: out, at: o)
            return o
        }
    }

    /// "2026-11-07".
    static func iso(_ date: Date) -> String {
        let parts = utc(date)
        return String(unsafeUninitializedCapacity: 10) { out in
            var o = digits(Int(parts.tm_year) + 1900, width: 4, into: out, at: 0)
            out[o] = UInt8(ascii: "-")
            o = digits(Int(parts.tm_mon) + 1, width: 2, into: out, at: o + 1)
            out[o] = UInt8(ascii: "-")
            return digits(Int(parts.tm_mday), width: 2, into: out, at: o + 1)
        }
    }

    /// Writes `value` (0 ≤ value < 10^width) in exactly `width` digits; returns the next index.
    private static func digits(_ value: Int, width: Int, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var value = value
        for i in stride(from: start + width - 1, through: start, by: -1) {
            out[i] = UInt8(48 + value % 10)
            value /= 10
        }
        return start + width
    }
}
