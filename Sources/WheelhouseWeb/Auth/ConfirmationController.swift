import Foundation
import WheelhouseCore

/// The link mailed to confirm the address of an account created through an invitation link.
///
/// - `GET  /confirm/{token}` — anyone holding the link: what is being confirmed
/// - `POST /confirm/{token}` — confirm by typing the account's password (CSRF by the login
///   cookie), or `action=discard` ("This was not me") to discard the account
///
/// Holding the link proves the address; typing the password proves the person at the address
/// chose it. Someone who only copied the invitation link has the password but not this link.
struct ConfirmationController {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable {
        case csrf = "_csrf", password, action
    }

    func respond(_ step: Route.FormStep, token: String, _ visit: inout Visit) throws -> Response {
        switch step {
        case .show: try show(visit, token: token)
        case .submit: try confirm(&visit, token: token)
        }
    }

    func show(_ visit: Visit, token: String) throws -> Response {
        try render(visit, token: token, errors: FieldErrors(), status: 200)
    }

    func confirm(_ visit: inout Visit, token: String) throws -> Response {
        var reader = FormReader<Field>(try visit.form(loginForm: true))
        try database.countAttempt(
            kind: "confirmation", address: visit.request.remoteAddress,
            limit: InvitationRules.maxAnonymousPosts, window: InvitationRules.anonymousPostWindow)
        guard try database.confirmation(token: token) != nil else {
            return try render(visit, token: token, errors: FieldErrors(), status: 404)
        }
        let password = reader.text(.password, label: "Password")
        let discard = reader.text(.action, label: "Action") == "discard"
        do {
            try reader.errors.throwIfAny()
            if discard {
                try database.discardUnconfirmedAccount(token: token, address: visit.request.remoteAddress)
                return shell.render(
                    .confirmation, ConfirmationPage(content: .discarded), layout: try shell.layout(visit, title: "Account discarded"))
            }
            if password.isEmpty {
                var errors = FieldErrors()
                errors.add(Field.password.rawValue, "Enter the password chosen for this account.")
                throw DomainError.invalid(errors)
            }
            let device = visit.deviceToken()
            let (orgKey, session) = try database.confirmEmail(
                token: token, password: password,
                address: visit.request.remoteAddress,
                userAgent: visit.request.header("user-agent") ?? "", device: device)
            var response = Response.redirect(to: orgKey.map { Route.org($0, .general(.show)).path } ?? Route.home.path)
            response.rememberDevice(device, secure: shell.config.secureCookies)
            response.setCookie(Visit.sessionCookie, session, secure: shell.config.secureCookies, maxAge: Int(SessionRules.absoluteTimeout))
            response.setCookie(Visit.loginCSRFCookie, "", secure: shell.config.secureCookies, maxAge: 0)
            return response
        } catch DomainError.invalid(let errors) {
            return try render(visit, token: token, errors: errors, status: 422)
        } catch DomainError.invalidCredentials {
            var errors = FieldErrors()
            errors.add(
                Field.password.rawValue,
                "That is not the password chosen for this account. If you did not create it, choose “This was not me”.")
            return try render(visit, token: token, errors: errors, status: 422)
        } catch ConfirmationProblem.unknown {
            return try render(visit, token: token, errors: FieldErrors(), status: 404)
        } catch ConfirmationProblem.expired {
            return try render(visit, token: token, errors: FieldErrors(), status: 410)
        }
    }

    private func render(_ visit: Visit, token: String, errors: FieldErrors, status: Int) throws -> Response {
        let layout = try shell.layout(visit, title: "Confirm your email")
        let page: ConfirmationPage
        switch try database.confirmation(token: token) {
        case nil: page = ConfirmationPage(content: .notValid)
        case let view? where view.expired: page = ConfirmationPage(content: .expired)
        case let view?: page = ConfirmationPage(content: .confirm(view, csrf: visit.loginCSRFToken, errors: errors))
        }
        var response = shell.render(.confirmation, page, layout: layout, status: page.status ?? status)
        if case .confirm(_, let csrf, _) = page.content {
            response.setCookie(Visit.loginCSRFCookie, csrf, secure: shell.config.secureCookies, maxAge: 3600)
        }
        return response
    }
}
