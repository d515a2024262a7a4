import WheelhouseCore

/// `/confirm/{token}` and what surrounds it: the form confirming an account's address with its
/// password, the links that can no longer be used, and the pages after creating or discarding
/// the account.
struct ConfirmationPage: PageValues {
    enum Content {
        /// After an account was created through an invitation link: the email to look for.
        case sent(email: String)
        case discarded
        /// The link was used, discarded or is incomplete (404).
        case notValid
        /// 410.
        case expired
        /// The form; `csrf` is the login cookie's.
        case confirm(ConfirmationView, csrf: String, errors: FieldErrors)
    }

    let content: Content

    typealias Field = ConfirmationController.Field

    /// What a link that cannot be used answers, whatever was asked.
    var status: Int? {
        switch content {
        case .notValid: 404
        case .expired: 410
        case .sent, .discarded, .confirm: nil
        }
    }

    func fill(_ context: inout TemplateObject) {
        switch content {
        case .sent(let email):
            context["sent"] = ["email": .text(email)] as TemplateObject
        case .discarded:
            context["discarded"] = true
        case .notValid:
            context["problem"] =
                [
                    "heading": "This confirmation link is not valid",
                    "text":
                        "It was already used, the account was discarded, or the link is incomplete. Try signing in, or open the invitation link again.",
                ] as TemplateObject
        case .expired:
            context["problem"] =
                [
                    "heading": "This confirmation link has expired",
                    "text": "Ask the person who invited you to revoke the invitation and invite you again.",
                ] as TemplateObject
        case .confirm(let view, let csrf, let errors):
            context["csrf"] = csrf
            context["formErrors"] = errors.formContext
            context["account"] =
                [
                    "email": .text(view.email), "name": .text(view.name), "created": .text(Dates.day(view.createdAt)),
                    "org": .text(view.orgName ?? "the organization"),
                ] as TemplateObject
            context["fields"] =
                [
                    "password": .object(
                        FieldView(
                            name: Field.password.rawValue, label: "Password", value: "", type: "password",
                            errors: errors, hint: "The password chosen when the account was created.",
                            autocomplete: "current-password", autofocus: true, required: true
                        ).context)
                ] as TemplateObject
            context["names"] = FieldNames.of(Field.self)
        }
    }
}
