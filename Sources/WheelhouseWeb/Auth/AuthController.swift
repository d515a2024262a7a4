import Foundation
import WheelhouseCore

/// Signing in and out.
///
/// - `GET /` — anyone: the first organization's General tab, or the sign-in page
/// - `GET /login` — anyone: the sign-in form (`?next=` keeps where to go afterwards)
/// - `POST /login` — anyone with the login CSRF cookie: checks the password, opens a session
/// - `POST /logout` — signed in: ends the session
struct AuthController {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable {
        case csrf = "_csrf", email, password, next
    }

    func respond(_ step: Route.FormStep, _ visit: inout Visit) throws -> Response {
        switch step {
        case .show: try show(visit)
        case .submit: try signIn(&visit)
        }
    }

    func home(_ visit: Visit) throws -> Response {
        guard let signedIn = visit.signedIn else { return .redirect(to: Route.login(.show).path) }
        if let key = try database.landingOrgKey(userId: signedIn.user.id!) {
            return .redirect(to: Route.org(key, .root).path)
        }
        return shell.render(.error, NoOrganizationPage(), layout: try shell.layout(visit, title: "No organization"))
    }

    func show(_ visit: Visit) throws -> Response {
        if visit.signedIn != nil { return .redirect(to: safeNext(visit.request.queryItems["next"])) }
        var notice: String?
        if visit.request.queryItems["signed_out"] != nil { notice = "You have been signed out." }
        if visit.request.queryItems["reset"] != nil { notice = "Your password has been changed. Sign in with the new one." }
        if visit.request.queryItems["expired"] != nil { notice = "That sign-in took too long: enter your password again." }
        if visit.request.queryItems["deleted"] != nil { notice = "Your account has been deleted." }
        if visit.request.queryItems["email_changed"] != nil { notice = "Your email address has been changed. Sign in with the new one." }
        return loginPage(
            visit, email: "", next: visit.request.queryItems["next"] ?? "", errors: FieldErrors(),
            notice: notice, status: 200)
    }

    func signIn(_ visit: inout Visit) throws -> Response {
        var reader = FormReader<Field>(try visit.form(loginForm: true))
        let email = TextRules.trimmed(reader.text(.email, label: "Email"))
        let password = reader.text(.password, label: "Password")
        let next = reader.text(.next, label: "Next")
        if email.isEmpty { reader.errors.add(Field.email.rawValue, "Enter your email address.") }
        if email.count > 254 { reader.errors.add(Field.email.rawValue, "That is longer than any email address.") }
        if password.isEmpty { reader.errors.add(Field.password.rawValue, "Enter your password.") }
        if password.utf8.count > 1024 { reader.errors.add(Field.password.rawValue, "That is longer than any password here.") }
        guard reader.errors.isEmpty else {
            return loginPage(visit, email: email, next: next, errors: reader.errors, notice: nil, status: 422)
        }
        do {
            let device = visit.deviceToken()
            let (token, _) = try database.signIn(
                email: email, password: password,
                address: visit.request.remoteAddress,
                userAgent: visit.request.header("user-agent") ?? "", device: device)
            if let old = visit.token { try database.signOut(token: old) }
            var response = Response.redirect(to: safeNext(next))
            response.rememberDevice(device, secure: shell.config.secureCookies)
            response.setCookie(
                Visit.sessionCookie, token, secure: shell.config.secureCookies,
                maxAge: Int(SessionRules.absoluteTimeout))
            response.setCookie(Visit.loginCSRFCookie, "", secure: shell.config.secureCookies, maxAge: 0)
            return response
        } catch DomainError.invalidCredentials {
            var errors = FieldErrors()
            errors.addForm("The email or password is incorrect.")
            return loginPage(visit, email: email, next: next, errors: errors, notice: nil, status: 401)
        } catch AccountProblem.secondFactorNeeded(let challenge) {
            // The password was right: a code comes next, on a page of its own. No session yet.
            let nextQuery = next.isEmpty ? [] : [("next", next)]
            var response = Response.redirect(to: Route.loginCode(.show).path(query: nextQuery))
            response.setCookie(
                Visit.challengeCookie, challenge, secure: shell.config.secureCookies, maxAge: Int(AccountProblem.challengeLifetime))
            return response
        } catch let required as SSORequired {
            var errors = FieldErrors()
            errors.addForm(
                "\(required.orgName) signs in with single sign-on for this address: use “Sign in with SSO” below "
                    + "(\(shell.config.baseURL)\(Route.ssoStart(.show).path(query: [("who", required.orgKey)]))).")
            return loginPage(
                visit, email: email, next: next, errors: errors, notice: nil, status: 403,
                ssoLink: Route.ssoStart(.show).path(query: [("who", required.orgKey)]))
        } catch AccountProblem.unconfirmed(let address) {
            var errors = FieldErrors()
            errors.addForm("This account is not confirmed yet. Open the link we emailed to \(address) to confirm it, then sign in.")
            return loginPage(visit, email: email, next: next, errors: errors, notice: nil, status: 403)
        } catch DomainError.throttled(let seconds) {
            var errors = FieldErrors()
            errors.addForm("Too many failed sign-ins for this account from here. Try again in \(Plural.wait(seconds)).")
            var response = loginPage(visit, email: email, next: next, errors: errors, notice: nil, status: 429)
            response.headers.append(("Retry-After", String(seconds)))
            return response
        }
    }

    func signOut(_ visit: Visit) throws -> Response {
        _ = try visit.form()
        if let token = visit.token { try database.signOut(token: token) }
        var response = Response.redirect(to: Route.login(.show).path(query: [("signed_out", "1")]))
        response.setCookie(Visit.sessionCookie, "", secure: shell.config.secureCookies, maxAge: 0)
        return response
    }

    private func loginPage(
        _ visit: Visit, email: String, next: String, errors: FieldErrors,
        notice: String?, status: Int, ssoLink: String? = nil
    ) -> Response {
        var page = LoginPage(csrf: visit.loginCSRFToken, email: email, next: next, errors: errors, notice: notice)
        page.ssoLink = ssoLink
        var response = shell.render(.login, page, layout: shell.bareLayout(title: "Sign in"), status: status)
        response.setCookie(Visit.loginCSRFCookie, page.csrf, secure: shell.config.secureCookies, maxAge: 3600)
        return response
    }

    /// Only a path on this site: never `//host`, a scheme, or a backslash trick.
    func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
            next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else { return Route.home.path }
        return next
    }
}
