import Foundation
import WheelhouseCore

/// Signing in with SSO (OpenID Connect, authorization code flow with PKCE).
///
/// - `GET /sso/start` — anyone: the form (work email or organization key).
/// - `POST /sso/start` — anyone with the login CSRF cookie: finds the organization, stores the
///   flow and sends the browser to the provider through a page that refreshes to it (a redirect
///   answering a form would be checked against the CSP's `form-action 'self'` and refused).
/// - `GET /sso/callback` — the provider's return: the state is checked and used up, the code
///   queued for `SSOWorker`; then `/sso/continue`.
/// - `GET /sso/continue` — waits without script (a meta refresh each second) while the worker
///   exchanges the code and checks the ID token, then signs in, or says why not. No request
///   thread ever calls the provider or waits on it.
struct SSOSignInController {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable { case csrf = "_csrf", who }

    static let browserCookie = "wh_sso"

    var redirectURI: String { SSOWorker.redirectURI(baseURL: shell.config.baseURL) }

    func start(_ step: Route.FormStep, _ visit: Visit) throws -> Response {
        guard step == .submit else {
            return formPage(visit, who: visit.request.queryItems["who"] ?? "", errors: FieldErrors(), status: 200)
        }
        var reader = FormReader<Field>(try visit.form(loginForm: true))
        let who = TextRules.trimmed(reader.text(.who, label: "Work email or organization key"))
        var errors = reader.errors
        guard errors.isEmpty else { return formPage(visit, who: who, errors: errors, status: 422) }
        do {
            let orgId = try database.ssoOrganization(emailOrKey: who)
            return leaving(try database.startSSO(orgId: orgId, redirectURI: redirectURI))
        } catch let problem as SSOProblem {
            errors.add(Field.who.rawValue, problem.message)
            return formPage(visit, who: who, errors: errors, status: 422)
        }
    }

    /// The page that sends the browser to the provider, and the cookie binding its return here.
    func leaving(_ departure: SSODeparture) -> Response {
        var layout = shell.bareLayout(title: "Single sign-on")
        layout["metaRefresh"] = TemplateValue.text("0; url=\(departure.authorizationURL)")
        var response = shell.render(.sso, SSOSignInPage(mode: .leaving(departure.authorizationURL)), layout: layout)
        response.setCookie(
            Self.browserCookie, departure.browserToken, secure: shell.config.secureCookies, maxAge: Int(SSORules.flowLifetime))
        return response
    }

    func callback(_ visit: Visit) throws -> Response {
        let query = visit.request.queryItems
        do {
            try database.ssoCallback(
                state: query["state"] ?? "", code: query["code"], providerError: query["error"],
                browserToken: visit.request.cookies[Self.browserCookie])
        } catch let problem as SSOProblem {
            return problemPage(problem.message, status: 400)
        }
        return .redirect(to: Route.ssoContinue.path)
    }

    func proceed(_ visit: Visit) throws -> Response {
        let device = visit.deviceToken()
        let progress = try database.ssoProgress(
            browserToken: visit.request.cookies[Self.browserCookie], address: visit.request.remoteAddress,
            userAgent: visit.request.header("user-agent") ?? "", device: device)
        switch progress {
        case .waiting:
            var layout = shell.bareLayout(title: "Single sign-on")
            layout["metaRefresh"] = TemplateValue.text("1")
            return shell.render(.sso, SSOSignInPage(mode: .waiting), layout: layout)
        case .failed(let message):
            var response = problemPage(message, status: 403)
            response.setCookie(Self.browserCookie, "", secure: shell.config.secureCookies, maxAge: 0)
            return response
        case .signedIn(let token, let orgKey):
            if let old = visit.token { try database.signOut(token: old) }
            var response = Response.redirect(to: Route.org(orgKey, .root).path)
            response.rememberDevice(device, secure: shell.config.secureCookies)
            response.setCookie(Visit.sessionCookie, token, secure: shell.config.secureCookies, maxAge: Int(SessionRules.absoluteTimeout))
            response.setCookie(Self.browserCookie, "", secure: shell.config.secureCookies, maxAge: 0)
            return response
        case .tested(let orgKey, let email):
            let route = Route.org(orgKey, .sso(.show))
            var response =
                visit.signedIn == nil
                ? Response.redirect(to: route.path)
                : try shell.redirect(visit, to: route, flash: "Test sign-in succeeded as \(email). You may enforce SSO within the hour.")
            response.setCookie(Self.browserCookie, "", secure: shell.config.secureCookies, maxAge: 0)
            return response
        }
    }

    private func formPage(_ visit: Visit, who: String, errors: FieldErrors, status: Int) -> Response {
        let csrf = visit.loginCSRFToken
        var response = shell.render(
            .sso, SSOSignInPage(mode: .form(csrf: csrf, who: who, errors: errors)), layout: shell.bareLayout(title: "Sign in with SSO"),
            status: status)
        response.setCookie(Visit.loginCSRFCookie, csrf, secure: shell.config.secureCookies, maxAge: 3600)
        return response
    }

    func problemPage(_ message: String, status: Int) -> Response {
        shell.render(.sso, SSOSignInPage(mode: .problem(message)), layout: shell.bareLayout(title: "Single sign-on failed"), status: status)
    }
}

/// The signed-out SSO pages: the form, the hop to the provider, the wait, and a failure.
struct SSOSignInPage: PageValues {
    enum Mode {
        case form(csrf: String, who: String, errors: FieldErrors)
        case leaving(String)
        case waiting
        case problem(String)
    }
    let mode: Mode

    func fill(_ context: inout TemplateObject) {
        context["startAction"] = Route.ssoStart(.submit).path
        context["loginLink"] = Route.login(.show).path
        switch mode {
        case .form(let csrf, let who, let errors):
            context["csrf"] = csrf
            context["form"] =
                [
                    "who": .object(
                        FieldView(
                            name: SSOSignInController.Field.who.rawValue, label: "Work email or organization key", value: who,
                            errors: errors,
                            hint: "Your email's domain, or the key in your organization's address, finds where you sign in.",
                            autocomplete: "email", autofocus: true, required: true, maxLength: 254
                        ).context)
                ] as TemplateObject
            context["formErrors"] = errors.formContext
        case .leaving(let url): context["leaving"] = ["url": .text(url)] as TemplateObject
        case .waiting: context["waiting"] = ["link": .text(Route.ssoContinue.path)] as TemplateObject
        case .problem(let message): context["problem"] = ["message": .text(message)] as TemplateObject
        }
    }
}
