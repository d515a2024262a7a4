import WheelhouseCore

/// `/login`: the sign-in form. Its CSRF token is the login cookie's, as no session exists yet.
struct LoginPage: PageValues {
    let csrf: String
    /// The address typed; the password is never sent back.
    let email: String
    /// Where to go after signing in (checked by `AuthController.safeNext` when used).
    let next: String
    let errors: FieldErrors
    /// Said above the form, e.g. after signing out.
    let notice: String?
    /// Where an address whose organization enforces SSO signs in instead (a link beside the refusal).
    var ssoLink: String? = nil

    typealias Field = AuthController.Field

    func fill(_ context: inout TemplateObject) {
        context["csrf"] = csrf
        context["next"] = next
        context["fields"] =
            [
                "email": .object(
                    FieldView(
                        name: Field.email.rawValue, label: "Email", value: email, type: "email",
                        errors: errors, autocomplete: "email", autofocus: true
                    ).context),
                "password": .object(
                    FieldView(
                        name: Field.password.rawValue, label: "Password", value: "", type: "password",
                        errors: errors, autocomplete: "current-password"
                    ).context),
                "who": .object(
                    FieldView(
                        name: SSOSignInController.Field.who.rawValue, label: "Work email or organization key", value: "",
                        errors: FieldErrors(), autocomplete: "off"
                    ).context),
            ] as TemplateObject
        context["ssoAction"] = Route.ssoStart(.submit).path
        context["ssoLink"] = ssoLink
        context["notice"] = notice
        context["forgotLink"] = Route.passwordForgot(.show).path
        context["formErrors"] = errors.formContext
        context["names"] = FieldNames.of(Field.self)
    }
}

/// `/` for a signed-in person in no organization: the console's home for them, drawn by the
/// error page's template without a status line or a link back to itself.
struct NoOrganizationPage: PageValues {
    func fill(_ context: inout TemplateObject) {
        context["message"] =
            "You do not belong to any organization yet. Ask an Owner or Admin to invite you (the invitation email brings you here), or found your own."
        context["action"] = ["href": .text(Route.account(.newOrganization(.show)).path), "label": "New organization"] as TemplateObject
        context["noBackLink"] = true
    }
}
