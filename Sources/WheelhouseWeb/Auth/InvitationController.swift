import Foundation
import WheelhouseCore

/// The page an invitation email links to.
///
/// - `GET  /invitations/{token}` — anyone holding the link: what the invitation is, or why it can
///   no longer be used and whom to ask
/// - `POST /invitations/{token}` — accept: a signed-in person with the invited email in one click;
///   a new person with a name and password (CSRF by the login cookie, as on the sign-in form)
struct InvitationController {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable {
        case csrf = "_csrf", name, password
    }

    func respond(_ step: Route.FormStep, token: String, _ visit: inout Visit) throws -> Response {
        switch step {
        case .show: try show(visit, token: token)
        case .submit: try accept(&visit, token: token)
        }
    }

    func show(_ visit: Visit, token: String) throws -> Response {
        try render(visit, token: token, name: "", errors: FieldErrors(), status: nil)
    }

    /// The link is looked up before anything costly; a person not signed in is throttled per
    /// address (each try may hash a password), and an account created here waits for its email
    /// confirmation (`ConfirmationController`).
    func accept(_ visit: inout Visit, token: String) throws -> Response {
        let form = try visit.form(loginForm: visit.signedIn == nil)
        var reader = FormReader<Field>(form)
        if visit.signedIn == nil {
            try database.countAttempt(
                kind: "invitation", address: visit.request.remoteAddress,
                limit: InvitationRules.maxAnonymousPosts, window: InvitationRules.anonymousPostWindow)
        }
        guard try database.invitation(token: token) != nil else {
            return try render(visit, token: token, name: "", errors: FieldErrors(), status: nil)
        }
        do {
            if visit.signedIn != nil {
                return try shell.submit(
                    visit,
                    {
                        try reader.errors.throwIfAny()
                        let orgKey = try database.acceptInvitation(token: token, by: visit.actor)
                        return FormSuccess(Route.org(orgKey, .general(.show)), flash: "You joined the organization.")
                    },
                    refused: { refusal in
                        try render(visit, token: token, name: "", errors: refusal.errors, status: refusal.status)
                    })
            }
            let name = TextRules.trimmed(reader.text(.name, label: "Your name"))
            let password = reader.text(.password, label: "Choose a password")
            do {
                try reader.errors.throwIfAny()
                let email = try database.acceptInvitationAsNewUser(
                    token: token, name: name, password: password,
                    address: visit.request.remoteAddress, userAgent: visit.request.header("user-agent") ?? "")
                var response = shell.render(
                    .confirmation, ConfirmationPage(content: .sent(email: email)),
                    layout: try shell.layout(visit, title: "Confirm your email"))
                response.setCookie(Visit.loginCSRFCookie, "", secure: shell.config.secureCookies, maxAge: 0)
                return response
            } catch DomainError.invalid(let errors) {
                return try render(visit, token: token, name: name, errors: errors, status: 422)
            }
        } catch let problem as InvitationProblem {
            return try render(visit, token: token, name: "", errors: FieldErrors(), status: nil, problem: problem)
        }
    }

    private func render(
        _ visit: Visit, token: String, name: String, errors: FieldErrors, status: Int?,
        problem: InvitationProblem? = nil
    ) throws -> Response {
        let layout = try shell.layout(visit, title: "Invitation")
        guard let view = try database.invitation(token: token) else {
            return shell.render(.invitation, InvitationPage.notValid, layout: layout, status: InvitationPage.notValid.status)
        }
        let page = InvitationPage(
            view: view, token: token, viewer: visit.signedIn?.user, problem: problem, name: name,
            errors: errors, status: status, csrf: visit.loginCSRFToken)
        var response = shell.render(.invitation, page, layout: layout, status: page.status)
        if case .newAccount(let csrf) = page.content {
            response.setCookie(Visit.loginCSRFCookie, csrf, secure: shell.config.secureCookies, maxAge: 3600)
        }
        return response
    }
}
