import Foundation
import WheelhouseCore

/// "Forgot password?" from the sign-in page.
///
/// - `GET/POST /password/forgot` — anyone: asks for a link by email. The answer is the same
///   whether or not an account has the address (POST-redirect-GET to `?sent=1`); requests are
///   limited per address asked for and per network address (429 with `Retry-After`).
/// - `GET/POST /password/reset/{token}` — anyone holding the link: a new password (the same
///   rules as Change password). Every session of the person ends; they are then signed in here,
///   or sent to sign in when two-factor sign-in is on.
///
/// Signed out, the CSRF token is the login cookie's, as on the sign-in page; a signed-in
/// visitor's forms carry their session's.
struct PasswordResetController {
    let shell: Shell
    let database: AppDatabase
    let blocklist: PasswordBlocklist

    enum ForgotField: String, CaseIterable { case csrf = "_csrf", email }
    enum ResetField: String, CaseIterable { case csrf = "_csrf", newPassword = "new_password" }

    /// Posts of reset forms from one network address (each may hash a password).
    static let maxResetPosts = 10
    static let resetPostWindow: TimeInterval = 15 * 60

    func forgot(_ step: Route.FormStep, _ visit: Visit) throws -> Response {
        guard step == .submit else {
            return forgotPage(visit, ForgotPage(sent: visit.request.queryItems["sent"] != nil, email: ""))
        }
        var reader = FormReader<ForgotField>(try visit.form(loginForm: visit.signedIn == nil))
        let email = TextRules.trimmed(reader.text(.email, label: "Email"))
        TextRules.checkSingleLine(
            email, field: ForgotField.email.rawValue, label: "Email", required: true, maxLength: 254, into: &reader.errors)
        if reader.errors.byField[ForgotField.email.rawValue] == nil, !EmailRules.isPlausible(email) {
            reader.errors.add(ForgotField.email.rawValue, "Enter an email address like name@example.com.")
        }
        guard reader.errors.isEmpty else {
            return forgotPage(visit, ForgotPage(sent: false, email: email, errors: reader.errors), status: 422)
        }
        do {
            try database.requestPasswordReset(email: email, address: visit.request.remoteAddress)
        } catch DomainError.throttled(let seconds) {
            var errors = FieldErrors()
            errors.addForm("Too many reset requests for this address or from your network. Try again in \(Plural.wait(seconds)).")
            var response = forgotPage(visit, ForgotPage(sent: false, email: email, errors: errors), status: 429)
            response.headers.append(("Retry-After", String(seconds)))
            return response
        }
        return .redirect(to: Route.passwordForgot(.show).path(query: [("sent", "1")]))
    }

    func reset(_ step: Route.FormStep, token: String, _ visit: Visit) throws -> Response {
        guard step == .submit else { return try resetPage(visit, token: token, errors: FieldErrors(), status: 200) }
        var reader = FormReader<ResetField>(try visit.form(loginForm: visit.signedIn == nil))
        do {
            try database.countAttempt(
                kind: "password-reset-post", address: visit.request.remoteAddress, limit: Self.maxResetPosts,
                window: Self.resetPostWindow)
        } catch DomainError.throttled(let seconds) {
            var errors = FieldErrors()
            errors.addForm("Too many tries from your network. Try again in \(Plural.wait(seconds)).")
            var response = try resetPage(visit, token: token, errors: errors, status: 429)
            response.headers.append(("Retry-After", String(seconds)))
            return response
        }
        let new = reader.text(.newPassword, label: "New password")
        let session: String?
        let device = visit.deviceToken()
        do {
            try reader.errors.throwIfAny()
            session = try database.resetPassword(
                token: token, new: new, address: visit.request.remoteAddress,
                userAgent: visit.request.header("user-agent") ?? "", blocklist: blocklist, device: device)
        } catch DomainError.invalid(let errors) {
            return try resetPage(visit, token: token, errors: errors, status: 422)
        } catch is PasswordResetProblem {
            return try resetPage(visit, token: token, errors: FieldErrors(), status: 404)
        } catch let required as SSORequired {
            var errors = FieldErrors()
            errors.addForm("\(required.orgName) signs in with single sign-on for this address: its password cannot be reset here.")
            return try resetPage(visit, token: token, errors: errors, status: 403)
        }
        // The browser's old session (anyone's) is replaced: it is the reset account's now.
        if let old = visit.token { try database.signOut(token: old) }
        guard let session else {
            var response = Response.redirect(to: Route.login(.show).path(query: [("reset", "1")]))
            response.setCookie(Visit.sessionCookie, "", secure: shell.config.secureCookies, maxAge: 0)
            return response
        }
        var response = Response.redirect(to: Route.home.path)
        response.rememberDevice(device, secure: shell.config.secureCookies)
        response.setCookie(Visit.sessionCookie, session, secure: shell.config.secureCookies, maxAge: Int(SessionRules.absoluteTimeout))
        response.setCookie(Visit.loginCSRFCookie, "", secure: shell.config.secureCookies, maxAge: 0)
        return response
    }

    private func forgotPage(_ visit: Visit, _ page: ForgotPage, status: Int = 200) -> Response {
        var page = page
        page.csrf = visit.signedIn?.session.csrfToken ?? visit.loginCSRFToken
        var response = shell.render(.passwordForgot, page, layout: shell.bareLayout(title: "Reset your password"), status: status)
        if visit.signedIn == nil {
            response.setCookie(Visit.loginCSRFCookie, page.csrf, secure: shell.config.secureCookies, maxAge: 3600)
        }
        return response
    }

    /// The form, or the reason the link cannot be used (404 unknown, 410 expired or used).
    private func resetPage(_ visit: Visit, token: String, errors: FieldErrors, status: Int) throws -> Response {
        var page = ResetPage(token: token, csrf: visit.signedIn?.session.csrfToken ?? visit.loginCSRFToken, errors: errors)
        var status = status
        do {
            page.email = try database.passwordReset(token: token)
        } catch let problem as PasswordResetProblem {
            page.problem = problem
            status = problem == .unknown ? 404 : 410
        }
        var response = shell.render(.passwordReset, page, layout: shell.bareLayout(title: "Choose a new password"), status: status)
        if visit.signedIn == nil, page.problem == nil {
            response.setCookie(Visit.loginCSRFCookie, page.csrf, secure: shell.config.secureCookies, maxAge: 3600)
        }
        return response
    }
}
