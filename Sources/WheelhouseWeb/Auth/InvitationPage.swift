import WheelhouseCore

/// `/invitations/{token}`: what the invitation is and what the person holding the link can do
/// with it, or why it can no longer be used and whom to ask. Which of these, and the status,
/// follow from the invitation's state, the refusal of a post (`problem`) and who is looking.
struct InvitationPage: PageValues {
    enum Content: Equatable {
        /// Why the link cannot be used (or, without a status of its own, what to do next).
        case problem(heading: String, text: String)
        /// The person looking already joined through it.
        case joined(href: String)
        /// The invited address has an account: sign in first, then come back.
        case signIn(href: String)
        /// The signed-in person is the one invited: accept in one click.
        case oneClick
        /// A new person: name and password; `csrf` is the login cookie's.
        case newAccount(csrf: String)
    }

    /// nil when the link names no invitation.
    let view: InvitationView?
    let content: Content
    let status: Int
    /// The new account form: the name typed (the password is never sent back).
    let name: String
    let errors: FieldErrors

    typealias Field = InvitationController.Field

    /// A link that names no invitation (404).
    static let notValid = InvitationPage(
        view: nil,
        content: .problem(
            heading: "This invitation link is not valid",
            text:
                "The link is incomplete, was replaced when the invitation was sent again (only the newest email’s link works), or was never issued. Check that you copied all of it, or ask the person who invited you to send it again."
        ),
        status: 404, name: "", errors: FieldErrors())

    /// `status` is the post's (422 for invalid values), kept unless the state answers its own.
    init(
        view: InvitationView, token: String, viewer: User?, problem: InvitationProblem?, name: String, errors: FieldErrors,
        status: Int?, csrf: @autoclosure () -> String
    ) {
        let ask =
            view.inviterName.map { "Ask \($0) (\(view.inviterEmail ?? "")) or another admin of \(view.orgName)" }
            ?? "Ask an admin of \(view.orgName)"
        let signedInEmail = viewer?.email
        let mine = signedInEmail.map { $0.caseInsensitiveCompare(view.invitation.email) == .orderedSame } ?? false
        var code = status ?? 200
        let content: Content
        switch (problem, view.state) {
        case (.used?, _), (nil, .accepted):
            if mine, view.invitation.acceptedBy == viewer?.id {
                content = .joined(href: Route.org(view.orgKey, .general(.show)).path)
            } else {
                content = .problem(
                    heading: "This invitation has already been used",
                    text:
                        "It was accepted on \(Dates.day(view.invitation.closedAt ?? view.invitation.createdAt)). If that was you, sign in. Otherwise: \(ask) to invite you again."
                )
                code = 410
            }
        case (.revoked?, _), (nil, .revoked):
            content = .problem(
                heading: "This invitation was revoked",
                text: "An admin withdrew it, so the link no longer works. \(ask) if you should still join.")
            code = 410
        case (.expired?, _), (nil, .expired):
            content = .problem(
                heading: "This invitation has expired",
                text: "It was valid until \(Dates.day(view.invitation.expiresAt)). \(ask) to resend it.")
            code = 410
        case (.otherAccount?, _):
            fallthrough
        case (nil, .pending) where signedInEmail != nil && !mine:
            content = .problem(
                heading: "This invitation is for another account",
                text:
                    "It was sent to \(view.invitation.email), but you are signed in as \(signedInEmail ?? "another account"). Sign out, then open the link again."
            )
            code = 403
        case (.seatLimit(let limit)?, _):
            content = .problem(
                heading: "This organization is full",
                text:
                    "\(view.orgName) already has all \(limit) members its member limit allows, so you cannot join now. \(ask) to raise the member limit on General, then open this link again."
            )
            code = 409
        case (.accountExists?, _) where view.accountUnconfirmed:
            fallthrough
        case (nil, .pending) where signedInEmail == nil && view.accountUnconfirmed:
            content = .problem(
                heading: "This account is waiting for confirmation",
                text:
                    "An account for \(view.invitation.email) was created through this link. We sent a confirmation link to that address: open it to start using the account. If you did not create it, choose “This was not me” there, then come back to this link."
            )
        case (.accountExists?, _):
            fallthrough
        case (nil, .pending) where signedInEmail == nil && view.hasAccount:
            content = .signIn(href: Route.login(.show).path(query: [("next", Route.invitation(token, .show).path)]))
        case (.unknown?, _):
            content = .problem(heading: "This invitation link is not valid", text: ask + ".")
            code = 404
        case (nil, .pending) where mine:
            content = .oneClick
        case (nil, .pending):
            content = .newAccount(csrf: csrf())
        }
        self.init(view: view, content: content, status: code, name: name, errors: errors)
    }

    private init(view: InvitationView?, content: Content, status: Int, name: String, errors: FieldErrors) {
        (self.view, self.content, self.status, self.name, self.errors) = (view, content, status, name, errors)
    }

    func fill(_ context: inout TemplateObject) {
        if let view {
            context["orgName"] = view.orgName
            context["invitation"] =
                [
                    "email": .text(view.invitation.email),
                    "role": .text(view.invitation.role == .admin ? "Admin" : "Member"),
                    "inviter": .text(view.inviterName ?? "An admin"),
                    "expires": .text(Dates.day(view.invitation.expiresAt)),
                ] as TemplateObject
            context["formErrors"] = errors.formContext
        }
        switch content {
        case .problem(let heading, let text):
            context["problem"] = ["heading": .text(heading), "text": .text(text)] as TemplateObject
        case .joined(let href):
            context["joined"] = ["href": .text(href)] as TemplateObject
        case .signIn(let href):
            context["signIn"] = ["href": .text(href)] as TemplateObject
        case .oneClick:
            context["oneClick"] = true
        case .newAccount(let csrf):
            context["csrf"] = csrf
            context["newAccount"] = true
            context["fields"] =
                [
                    "name": .object(
                        FieldView(
                            name: Field.name.rawValue, label: "Your name", value: name, errors: errors,
                            autocomplete: "name", autofocus: true, required: true, maxLength: 100
                        ).context),
                    "password": .object(
                        FieldView(
                            name: Field.password.rawValue, label: "Choose a password", value: "", type: "password",
                            errors: errors, hint: "At least 10 characters. We then email a link to confirm your address.",
                            autocomplete: "new-password", required: true
                        ).context),
                ] as TemplateObject
        }
    }
}
