import Foundation
import WheelhouseCore

/// The context every page shares: who is signed in, the org switcher, the tabs this person may
/// open, the flash, the deployment mode. Page controllers add their own keys to it.
extension WebApp {
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
                .object(["name": .text(org.displayName), "href": .text(Route.org(org.key, .settings(.general)).path),
                         "current": .flag(org.key == access?.org.key), "role": .text(org.role.label)])
            })] as TemplateObject
        }
        if let access {
            context["org"] = ["key": .text(access.org.key), "name": .text(access.org.displayName),
                              "role": .text(access.role.label)] as TemplateObject
            context["nav"] = TemplateValue.list(visibleTabs(access).map { candidate in
                .object(["title": .text(candidate.title), "href": .text(Route.org(access.org.key, .settings(candidate)).path),
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
                                               "href": .text(Route.org(access.org.key, .settings(.members)).path + "?invite=1")])])
        }
        return banners + (try failedProviderBanners(visit, access: access))
    }

    /// The tabs shown in the navigation: only those this person may open, and Billing only in SaaS.
    func visibleTabs(_ access: OrgAccess) -> [SettingsTab] {
        SettingsTab.allCases.filter { tab in
            switch tab {
            case .general, .members, .teams, .workspaces: access.allows(.viewOrganization)
            case .secrets, .chatModels: access.allows(.useOwnCredentials)
            case .providers: access.allows(.manageOrgCredentials)
            case .usage: access.allows(.viewUsage)
            case .billing: config.mode == .saas && access.allows(.viewBilling)
            }
        }
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

    // MARK: - Errors, mapped to pages in one place

    func errorResponse(_ error: Error, visit: Visit) -> Response {
        let (status, title, message): (Int, String, String)
        var extraHeaders: [(String, String)] = []
        switch error {
        case WebError.notFound, DomainError.notFound:
            (status, title, message) = (404, "Page not found", "There is no such page, or you do not have access to it.")
        case WebError.methodNotAllowed:
            (status, title, message) = (405, "Method not allowed", "This address does not accept that kind of request.")
        case WebError.csrf:
            (status, title, message) = (403, "Form expired", "This form has expired or did not come from this site, so nothing was changed. Go back, reload the page and try again.")
        case WebError.payloadTooLarge:
            (status, title, message) = (413, "Upload too large", "The request was larger than \(config.maxBodyBytes / 1_048_576) MB, so nothing was changed. A logo may be at most 2 MB.")
        case WebError.unsupportedMediaType:
            (status, title, message) = (415, "Unsupported form encoding", "Send forms as application/x-www-form-urlencoded or multipart/form-data.")
        case WebError.tooManyFields:
            (status, title, message) = (400, "Too many fields", "The form sent more than \(FormData.maxFields) fields, more than any form here takes, so nothing was changed.")
        case WebError.malformedBody(let reason):
            (status, title, message) = (400, "Malformed request", "The form could not be read (\(reason)); nothing was changed.")
        case DomainError.forbidden(let action):
            let role = Policy.requiredRole(for: action) == .owner ? "Owner" : "Admin"
            (status, title, message) = (403, "You need the \(role) role", "Your role in this organization does not allow this. Ask an \(role) of the organization if you need it.")
        case DomainError.throttled(let seconds):
            (status, title, message) = (429, "Too many attempts", "Too many attempts from this address. Try again in \(Plural.wait(seconds)).")
            extraHeaders.append(("Retry-After", String(seconds)))
        case let failure where StorageFailure(failure) == .full:
            logger.error("request \(visit.id): storage is full, nothing was saved: \(String(describing: error))")
            (status, title, message) = (507, "Storage is full", "The server ran out of disk space, so nothing was saved. Pages can still be read. Try again once an administrator has freed space.")
        case let failure where StorageFailure(failure) == .readOnly:
            logger.error("request \(visit.id): the database cannot be written, nothing was saved: \(String(describing: error))")
            (status, title, message) = (503, "Saving is unavailable", "The server cannot write to its database right now, so nothing was saved. Pages can still be read. Try again later.")
        case MasterKeyError.changedSinceStart:
            logger.error("request \(visit.id): the master key was rotated after this responder started; restart it")
            (status, title, message) = (503, "Restart needed", "The encryption key was rotated after this server started, so nothing was changed. An administrator must restart Wheelhouse; then try again.")
        default:
            logger.error("request \(visit.id) failed: \(String(describing: error))")
            (status, title, message) = (500, "Something went wrong", "The error has been logged. Quote request id \(visit.id) when you report it.")
        }
        var context = (try? layout(visit, title: title)) ?? ["title": .text(title), "requestID": .text(visit.id)]
        context["status"] = status
        context["message"] = message
        var response = page(.error, context, status: status)
        response.headers.append(contentsOf: extraHeaders)
        return response
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
