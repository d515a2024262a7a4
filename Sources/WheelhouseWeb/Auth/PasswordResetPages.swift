import WheelhouseCore

/// `/password/forgot`: the address to send a link to, and after sending, the same words whoever
/// owns the address.
struct ForgotPage: PageValues {
    var sent: Bool
    var email: String
    var errors = FieldErrors()
    var csrf = ""

    func fill(_ context: inout TemplateObject) {
        context["csrf"] = csrf
        context["sent"] = sent
        context["action"] = Route.passwordForgot(.submit).path
        context["loginLink"] = Route.login(.show).path
        context["formErrors"] = errors.formContext
        context["fields"] =
            [
                "email": .object(
                    FieldView(
                        name: PasswordResetController.ForgotField.email.rawValue, label: "Email", value: email, type: "email",
                        errors: errors, autocomplete: "email", autofocus: true, required: true, maxLength: 254
                    ).context)
            ] as TemplateObject
    }
}

/// `/password/reset/{token}`: the new password's form, or why the link cannot be used.
struct ResetPage: PageValues {
    let token: String
    let csrf: String
    var errors: FieldErrors
    var email = ""
    var problem: PasswordResetProblem?

    func fill(_ context: inout TemplateObject) {
        if let problem {
            let (heading, text) =
                switch problem {
                case .unknown: ("This link is not valid", "It is incomplete, or a newer password was set with another link.")
                case .expired: ("This link has expired", "Reset links work for one hour.")
                case .used: ("This link was already used", "Each reset link works once.")
                }
            context["problem"] =
                [
                    "heading": .text(heading), "text": .text(text), "forgotLink": .text(Route.passwordForgot(.show).path),
                    "loginLink": .text(Route.login(.show).path),
                ] as TemplateObject
            return
        }
        context["csrf"] = csrf
        context["formErrors"] = errors.formContext
        let rules =
            "At least \(PasswordPolicy.minLength) characters (\(PasswordPolicy.minLengthWithTwoFactor) with two-factor sign-in), "
            + "at most \(PasswordPolicy.maxBytes) bytes. Any characters; not a common password, your email address or name."
        context["reset"] =
            [
                "email": .text(email), "action": .text(Route.passwordReset(token, .submit).path),
                "names": FieldNames.of(PasswordResetController.ResetField.self),
                "fields": .object(
                    [
                        "new": .object(
                            FieldView(
                                name: PasswordResetController.ResetField.newPassword.rawValue, label: "New password", value: "",
                                type: "password", errors: errors, hint: rules, autocomplete: "new-password", autofocus: true,
                                required: true, spellcheck: false
                            ).context)
                    ]),
            ] as TemplateObject
    }
}
