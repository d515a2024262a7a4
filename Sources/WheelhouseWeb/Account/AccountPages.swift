import WheelhouseCore

/// `/account`: the person's name, with the address it belongs to shown read-only.
struct ProfilePage: PageValues {
    /// As stored now.
    let profile: Profile
    /// What the form shows: the stored name, or what was typed.
    var name: String
    var version: Int
    var errors = FieldErrors()

    static let staleMessage =
        "Your name was changed in another tab or browser since this page was loaded. Your version is below: save again to keep it."
    static let names = FieldNames.of(AccountController.ProfileField.self)

    func fill(_ context: inout TemplateObject) {
        context["names"] = Self.names
        context["version"] = String(version)
        context["action"] = Route.account(.updateProfile).path
        context["email"] = profile.email
        context["securityLink"] = Route.account(.security).path
        context["formErrors"] = errors.formContext
        context["fields"] =
            [
                "name": .object(
                    FieldView(
                        name: AccountController.ProfileField.name.rawValue, label: "Name", value: name, errors: errors,
                        hint: "How you appear to the people in your organizations, at most 100 characters.",
                        autocomplete: "name", required: true, maxLength: 100
                    ).context)
            ] as TemplateObject
    }
}

/// `/account/security`: Change password, with the rules it is checked against.
struct SecurityPage: PageValues {
    var minimum: Int
    var twoFactor: Bool
    var errors = FieldErrors()

    init(userId: Int64, database: AppDatabase) throws {
        twoFactor = try database.hasTwoFactor(userId: userId)
        minimum = twoFactor ? PasswordPolicy.minLengthWithTwoFactor : PasswordPolicy.minLength
    }

    typealias Field = AccountController.PasswordField
    static let names = FieldNames.of(Field.self)

    /// Passwords are never sent back: says so beside a typed one that has no error of its own.
    mutating func noteNotKept(current: String, new: String) {
        let note = "For your safety passwords are not sent back to the browser: type it again."
        if errors.byField[Field.currentPassword.rawValue] == nil && !current.isEmpty { errors.add(Field.currentPassword.rawValue, note) }
        if errors.byField[Field.newPassword.rawValue] == nil && !new.isEmpty { errors.add(Field.newPassword.rawValue, note) }
    }

    func fill(_ context: inout TemplateObject) {
        context["names"] = Self.names
        context["passwordAction"] = Route.account(.changePassword).path
        context["twoFactor"] = twoFactor
        context["twoFactorHref"] = Route.account(.twoFactor(.show)).path
        context["sessionsHref"] = Route.account(.sessions).path
        context["formErrors"] = errors.formContext
        let rules =
            "At least \(minimum) characters\(twoFactor ? " (two-factor sign-in is on)" : ""), at most \(PasswordPolicy.maxBytes) bytes. "
            + "Any characters, spaces included. Not a common password, and not your email address or name."
        context["fields"] =
            [
                "current": .object(
                    FieldView(
                        name: Field.currentPassword.rawValue, label: "Current password", value: "", type: "password", errors: errors,
                        autocomplete: "current-password", required: true, spellcheck: false
                    ).context),
                "new": .object(
                    FieldView(
                        name: Field.newPassword.rawValue, label: "New password", value: "", type: "password", errors: errors,
                        hint: rules, autocomplete: "new-password", required: true, spellcheck: false
                    ).context),
            ] as TemplateObject
    }
}
