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
            try database.countAttempt(kind: "invitation", address: visit.request.remoteAddress,
                                          limit: InvitationRules.maxAnonymousPosts, window: InvitationRules.anonymousPostWindow)
        }
        guard try database.invitation(token: token) != nil else {
            return try render(visit, token: token, name: "", errors: FieldErrors(), status: nil)
        }
        do {
            if visit.signedIn != nil {
                do {
                    try reader.errors.throwIfAny()
                } catch DomainError.invalid(let errors) {
                    return try render(visit, token: token, name: "", errors: errors, status: 422)
                }
                let orgKey = try database.acceptInvitation(token: token, by: visit.actor)
                return try shell.redirect(visit, to: Route.org(orgKey, .general(.show)), flash: "You joined the organization.")
            }
            let name = TextRules.trimmed(reader.text(.name, label: "Your name"))
            let password = reader.text(.password, label: "Choose a password")
            do {
                try reader.errors.throwIfAny()
                let email = try database.acceptInvitationAsNewUser(token: token, name: name, password: password,
                                                                        address: visit.request.remoteAddress)
                var context = try shell.layout(visit, title: "Confirm your email")
                context["sent"] = ["email": .text(email)] as TemplateObject
                var response = shell.page(.confirmation, context, status: 200)
                response.setCookie(Visit.loginCSRFCookie, "", secure: shell.config.secureCookies, maxAge: 0)
                return response
            } catch DomainError.invalid(let errors) {
                return try render(visit, token: token, name: name, errors: errors, status: 422)
            }
        } catch let problem as InvitationProblem {
            return try render(visit, token: token, name: "", errors: FieldErrors(), status: nil, problem: problem)
        }
    }

    private func render(_ visit: Visit, token: String, name: String, errors: FieldErrors, status: Int?,
                        problem: InvitationProblem? = nil) throws -> Response {
        var context = try shell.layout(visit, title: "Invitation")
        guard let view = try database.invitation(token: token) else {
            context["problem"] = ["heading": "This invitation link is not valid",
                                  "text": .text("The link is incomplete, was replaced when the invitation was sent again (only the newest email’s link works), or was never issued. Check that you copied all of it, or ask the person who invited you to send it again.")] as TemplateObject
            return shell.page(.invitation, context, status: 404)
        }
        let ask = view.inviterName.map { "Ask \($0) (\(view.inviterEmail ?? "")) or another admin of \(view.orgName)" }
            ?? "Ask an admin of \(view.orgName)"
        context["orgName"] = view.orgName
        context["invitation"] = ["email": .text(view.invitation.email),
                                 "role": .text(view.invitation.role == .admin ? "Admin" : "Member"),
                                 "inviter": .text(view.inviterName ?? "An admin"),
                                 "expires": .text(Dates.day(view.invitation.expiresAt))] as TemplateObject
        let signedInEmail = visit.signedIn?.user.email
        let mine = signedInEmail.map { $0.caseInsensitiveCompare(view.invitation.email) == .orderedSame } ?? false
        var code = status ?? 200
        context["formErrors"] = errors.formContext
        switch (problem, view.state) {
        case (.used?, _), (nil, .accepted):
            if mine, view.invitation.acceptedBy == visit.signedIn?.user.id {
                context["joined"] = ["href": .text(Route.org(view.orgKey, .general(.show)).path)] as TemplateObject
            } else {
                context["problem"] = ["heading": "This invitation has already been used",
                                      "text": .text("It was accepted on \(Dates.day(view.invitation.closedAt ?? view.invitation.createdAt)). If that was you, sign in. Otherwise: \(ask) to invite you again.")] as TemplateObject
                code = 410
            }
        case (.revoked?, _), (nil, .revoked):
            context["problem"] = ["heading": "This invitation was revoked",
                                  "text": .text("An admin withdrew it, so the link no longer works. \(ask) if you should still join.")] as TemplateObject
            code = 410
        case (.expired?, _), (nil, .expired):
            context["problem"] = ["heading": "This invitation has expired",
                                  "text": .text("It was valid until \(Dates.day(view.invitation.expiresAt)). \(ask) to resend it.")] as TemplateObject
            code = 410
        case (.otherAccount?, _):
            fallthrough
        case (nil, .pending) where signedInEmail != nil && !mine:
            context["problem"] = ["heading": "This invitation is for another account",
                                  "text": .text("It was sent to \(view.invitation.email), but you are signed in as \(signedInEmail ?? "another account"). Sign out, then open the link again.")] as TemplateObject
            code = 403
        case (.seatLimit(let limit)?, _):
            context["problem"] = ["heading": "This organization is full",
                                  "text": .text("\(view.orgName) already has all \(limit) members its member limit allows, so you cannot join now. \(ask) to raise the member limit on General, then open this link again.")] as TemplateObject
            code = 409
        case (.accountExists?, _) where view.accountUnconfirmed:
            fallthrough
        case (nil, .pending) where signedInEmail == nil && view.accountUnconfirmed:
            context["problem"] = ["heading": "This account is waiting for confirmation",
                                  "text": .text("An account for \(view.invitation.email) was created through this link. We sent a confirmation link to that address: open it to start using the account. If you did not create it, choose “This was not me” there, then come back to this link.")] as TemplateObject
        case (.accountExists?, _):
            fallthrough
        case (nil, .pending) where signedInEmail == nil && view.hasAccount:
            context["signIn"] = ["href": .text(Route.login(.show).path(query: [("next", Route.invitation(token, .show).path)]))] as TemplateObject
        case (.unknown?, _):
            context["problem"] = ["heading": "This invitation link is not valid", "text": .text(ask + ".")] as TemplateObject
            code = 404
        case (nil, .pending) where mine:
            context["oneClick"] = true
        case (nil, .pending):
            let csrf = visit.loginCSRFToken
            context["csrf"] = csrf
            context["newAccount"] = true
            context["formErrors"] = errors.formContext
            context["fields"] = [
                "name": .object(FieldView(name: Field.name.rawValue, label: "Your name", value: name, errors: errors,
                                          autocomplete: "name", autofocus: true, required: true, maxLength: 100).context),
                "password": .object(FieldView(name: Field.password.rawValue, label: "Choose a password", value: "", type: "password",
                                              errors: errors, hint: "At least 10 characters. We then email a link to confirm your address.", autocomplete: "new-password",
                                              required: true).context),
            ] as TemplateObject
            var response = shell.page(.invitation, context, status: code)
            response.setCookie(Visit.loginCSRFCookie, csrf, secure: shell.config.secureCookies, maxAge: 3600)
            return response
        }
        return shell.page(.invitation, context, status: code)
    }
}
