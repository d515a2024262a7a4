import Foundation
import WheelhouseCore

/// The link mailed to a new address when a person moves their account to it.
///
/// - `GET /email/confirm/{token}` — anyone holding the link: says which account moves to which
///   address, with a button. Opening the link changes nothing, so a mail scanner that follows
///   links cannot confirm it.
/// - `POST /email/confirm/{token}` — moves the account; the old address is told.
///
/// Signed out, the CSRF token is the login cookie's, as on the sign-in page.
struct EmailChangeController {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable { case csrf = "_csrf" }

    func respond(_ step: Route.FormStep, token: String, _ visit: Visit) throws -> Response {
        guard step == .submit else { return try page(visit, token: token) }
        _ = try visit.form(loginForm: visit.signedIn == nil)
        let change: PendingEmailChange
        do {
            change = try database.confirmEmailChange(token: token, address: visit.request.remoteAddress)
        } catch let problem as EmailChangeProblem {
            return try page(visit, token: token, failed: problem)
        }
        let flash = "Your account now uses \(change.newEmail). Sign in with it from now on."
        guard visit.signedIn != nil else { return .redirect(to: Route.login(.show).path(query: [("email_changed", "1")])) }
        return try shell.redirect(visit, to: .account(.profile), flash: flash)
    }

    /// The confirmation, or the reason the link cannot be used (404 unknown, 410 expired or
    /// used, 409 when another account has taken the address meanwhile).
    private func page(_ visit: Visit, token: String, failed: EmailChangeProblem? = nil) throws -> Response {
        var page = EmailChangePage(token: token, csrf: visit.signedIn?.session.csrfToken ?? visit.loginCSRFToken)
        var status = 200
        page.problem = failed
        if failed == nil {
            do {
                page.change = try database.emailChange(token: token)
            } catch let problem as EmailChangeProblem {
                page.problem = problem
            }
        }
        if let problem = page.problem {
            status =
                switch problem {
                case .unknown: 404
                case .expired, .used: 410
                case .taken: 409
                }
        }
        var response = shell.render(.emailChange, page, layout: shell.bareLayout(title: "Confirm your new email address"), status: status)
        if visit.signedIn == nil, page.problem == nil {
            response.setCookie(Visit.loginCSRFCookie, page.csrf, secure: shell.config.secureCookies, maxAge: 3600)
        }
        return response
    }
}

/// `/email/confirm/{token}`: the move it confirms, or why the link cannot be used.
struct EmailChangePage: PageValues {
    let token: String
    let csrf: String
    var change: PendingEmailChange?
    var problem: EmailChangeProblem?

    func fill(_ context: inout TemplateObject) {
        if let problem {
            let (heading, text) =
                switch problem {
                case .unknown: ("This link is not valid", "It is incomplete, or a newer change was asked for since.")
                case .expired: ("This link has expired", "Email-change links work for 24 hours. Ask again from your profile.")
                case .used: ("This link was already used", "Each email-change link works once.")
                case .taken: ("This address is already in use", "Another account uses this address now, so yours was not moved.")
                }
            context["problem"] =
                [
                    "heading": .text(heading), "text": .text(text), "profileLink": .text(Route.account(.profile).path),
                    "loginLink": .text(Route.login(.show).path),
                ] as TemplateObject
            return
        }
        guard let change else { return }
        context["csrf"] = csrf
        context["confirm"] =
            [
                "old": .text(change.oldEmail), "new": .text(change.newEmail), "action": .text(Route.emailChange(token, .submit).path),
            ] as TemplateObject
    }
}
