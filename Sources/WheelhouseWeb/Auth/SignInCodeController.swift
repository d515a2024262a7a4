import Foundation
import WheelhouseCore

/// The second step of signing in, for people with two-factor sign-in on.
///
/// - `GET /login/two-factor` — with a live challenge cookie (set by a right password): the code
///   form; without one, back to `/login`.
/// - `POST /login/two-factor` — login CSRF cookie, the challenge cookie and a TOTP code or a
///   recovery code: opens the session. Wrong codes are throttled like wrong passwords (401, then
///   429); an expired challenge goes back to the password.
struct SignInCodeController {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable { case csrf = "_csrf", code, next }

    func respond(_ step: Route.FormStep, _ visit: Visit) throws -> Response {
        let auth = AuthController(shell: shell, database: database)
        let challenge = visit.request.cookies[Visit.challengeCookie] ?? ""
        if step == .show {
            if visit.signedIn != nil { return .redirect(to: auth.safeNext(visit.request.queryItems["next"])) }
            guard try database.signInChallengeIsLive(challenge) else { return startAgain(nil) }
            return page(visit, next: visit.request.queryItems["next"] ?? "", errors: FieldErrors(), status: 200)
        }
        var reader = FormReader<Field>(try visit.form(loginForm: true))
        let code = reader.text(.code, label: "Code")
        let next = reader.text(.next, label: "Next")
        if code.trimmingCharacters(in: .whitespaces).isEmpty { reader.errors.add(Field.code.rawValue, "Enter the code from your app.") }
        if code.utf8.count > 40 { reader.errors.add(Field.code.rawValue, "That is longer than any code.") }
        guard reader.errors.isEmpty else { return page(visit, next: next, errors: reader.errors, status: 422) }
        do {
            let device = visit.deviceToken()
            let (token, _) = try database.completeSignIn(
                challenge: challenge, code: code, address: visit.request.remoteAddress,
                userAgent: visit.request.header("user-agent") ?? "", device: device)
            if let old = visit.token { try database.signOut(token: old) }
            var response = Response.redirect(to: auth.safeNext(next))
            response.rememberDevice(device, secure: shell.config.secureCookies)
            response.setCookie(Visit.sessionCookie, token, secure: shell.config.secureCookies, maxAge: Int(SessionRules.absoluteTimeout))
            response.setCookie(Visit.challengeCookie, "", secure: shell.config.secureCookies, maxAge: 0)
            response.setCookie(Visit.loginCSRFCookie, "", secure: shell.config.secureCookies, maxAge: 0)
            return response
        } catch AccountProblem.challengeExpired {
            return startAgain(next)
        } catch DomainError.invalidCredentials {
            var errors = FieldErrors()
            errors.add(Field.code.rawValue, "That code does not match. Type the code your app shows now, or a recovery code.")
            return page(visit, next: next, errors: errors, status: 401)
        } catch DomainError.throttled(let seconds) {
            var errors = FieldErrors()
            errors.addForm("Too many wrong codes for this account from here. Try again in \(Plural.wait(seconds)).")
            var response = page(visit, next: next, errors: errors, status: 429)
            response.headers.append(("Retry-After", String(seconds)))
            return response
        }
    }

    /// Back to the password: the challenge is missing or older than five minutes.
    private func startAgain(_ next: String?) -> Response {
        var query = [("expired", "1")]
        if let next, !next.isEmpty { query.append(("next", next)) }
        var response = Response.redirect(to: Route.login(.show).path(query: query))
        response.setCookie(Visit.challengeCookie, "", secure: shell.config.secureCookies, maxAge: 0)
        return response
    }

    private func page(_ visit: Visit, next: String, errors: FieldErrors, status: Int) -> Response {
        let page = SignInCodePage(csrf: visit.loginCSRFToken, next: next, errors: errors)
        var response = shell.render(.loginCode, page, layout: shell.bareLayout(title: "Two-factor sign-in"), status: status)
        response.setCookie(Visit.loginCSRFCookie, page.csrf, secure: shell.config.secureCookies, maxAge: 3600)
        return response
    }
}

/// `/login/two-factor`: one field for the code; the login cookie's CSRF token, as no session exists yet.
struct SignInCodePage: PageValues {
    let csrf: String
    let next: String
    let errors: FieldErrors

    func fill(_ context: inout TemplateObject) {
        context["csrf"] = csrf
        context["next"] = next
        context["action"] = Route.loginCode(.submit).path
        context["loginLink"] = Route.login(.show).path
        context["code"] = TemplateValue.object(
            FieldView(
                name: SignInCodeController.Field.code.rawValue, label: "Code", value: "", errors: errors,
                hint: "The 6 digits your authenticator app shows, or one of your recovery codes.",
                autocomplete: "one-time-code", autofocus: true, maxLength: 40, spellcheck: false
            ).context)
        context["formErrors"] = errors.formContext
        context["names"] = FieldNames.of(SignInCodeController.Field.self)
    }
}
