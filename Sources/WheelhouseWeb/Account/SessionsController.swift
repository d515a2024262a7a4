import Foundation
import WheelhouseCore

/// Active sessions: the signed-in person's own browsers.
///
/// - `GET /account/security/sessions` — each live session with browser and system (from its user
///   agent), address, signed in and last seen; the current one marked.
/// - `POST /account/security/sessions/{handle}/end` — ends one other session. Another person's
///   session is a 404, like one that does not exist; the current one is refused (sign out instead).
/// - `POST /account/security/sessions/end-others` — signs out everywhere else.
///
/// Personal, not a change of an organization: no audit entry.
struct SessionsController {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable { case csrf = "_csrf" }

    func respond(_ route: AccountRoute, _ visit: Visit) throws -> Response {
        // Posts are checked first: without a session the CSRF check refuses them (403).
        let form = route.method == .post ? try visit.form() : nil
        guard let signedIn = visit.signedIn else {
            return .redirect(to: Route.login(.show).path(query: [("next", visit.request.path)]))
        }
        let userId = signedIn.user.id!
        if let form {
            let reader = FormReader<Field>(form)
            guard reader.errors.isEmpty else { return try show(visit, errors: reader.errors) }
        }
        switch route {
        case .endSession(let handle):
            do {
                try database.endSession(handle: handle, userId: userId, current: signedIn.session)
            } catch DomainError.invalid(let errors) {
                return try show(visit, errors: errors)
            }
            return try shell.redirect(visit, to: Route.account(.sessions), flash: "That session is signed out.")
        case .endOtherSessions:
            let count = try database.endOtherSessions(userId: userId, current: signedIn.session)
            let flash = count == 0 ? "There were no other sessions." : "Signed out of \(count) other session\(count == 1 ? "" : "s")."
            return try shell.redirect(visit, to: Route.account(.sessions), flash: flash)
        default:
            return try show(visit, errors: nil)
        }
    }

    private func show(_ visit: Visit, errors: FieldErrors?) throws -> Response {
        let signedIn = visit.signedIn!
        let sessions = try database.activeSessions(userId: signedIn.user.id!, current: signedIn.session)
        let layout = try shell.layout(visit, title: "Active sessions")
        let page = SessionsPage(sessions: sessions, now: database.now(), errors: errors)
        return shell.render(.accountSessions, page, layout: layout, status: errors != nil ? 422 : 200)
    }
}

/// The Active sessions page: one row per session, an End button on every row but the current one.
struct SessionsPage: PageValues {
    let sessions: [ActiveSession]
    let now: Date
    let errors: FieldErrors?

    func fill(_ context: inout TemplateObject) {
        context["sessions"] = TemplateValue.list(sessions.map(row))
        context["others"] = TemplateValue.flag(sessions.contains { !$0.isCurrent })
        context["endOthersAction"] = TemplateValue.text(Route.account(.endOtherSessions).path)
        context["twoFactorLink"] = TemplateValue.text(Route.account(.twoFactor(.show)).path)
        if let errors, !errors.isEmpty { context["errorItems"] = ErrorSummary.items(errors) }
    }

    private func row(_ s: ActiveSession) -> TemplateValue {
        let (browser, system) = Self.split(s.browser)
        return .object([
            "id": .text("session-\(s.handle)"),
            "browser": .text(browser.isEmpty ? "Unknown browser" : TextRules.displayable(browser)),
            "system": .text(system.map { TextRules.displayable($0) } ?? "Unknown system"),
            "userAgent": .text(TextRules.displayable(s.userAgent)),
            "address": .text(s.address.isEmpty ? "Unknown" : s.address),
            "signedIn": .text(Dates.dayTime(s.createdAt)), "signedInIso": .text(Dates.isoTime(s.createdAt)),
            "lastSeen": .text(Dates.relative(s.lastSeenAt, now: now)), "lastSeenExact": .text(Dates.dayTime(s.lastSeenAt)),
            "lastSeenIso": .text(Dates.isoTime(s.lastSeenAt)),
            "current": .flag(s.isCurrent),
            "endAction": .text(Route.account(.endSession(s.handle)).path),
        ])
    }

    /// "Firefox on Linux" → ("Firefox", "Linux"); a bare product token has no system.
    static func split(_ summary: String) -> (String, String?) {
        guard let range = summary.range(of: " on ") else { return (summary, nil) }
        return (String(summary[..<range.lowerBound]), String(summary[range.upperBound...]))
    }
}
