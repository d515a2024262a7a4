import WheelhouseCore

/// `/account`: the person's name, picture, email address and default organization, each its own
/// form. One `errors` serves them all: their field names differ, so each error lands beside its
/// own field and the summary at the top links to it.
struct ProfilePage: PageValues {
    /// As stored now.
    let profile: Profile
    /// What the name form shows: the stored name, or what was typed.
    var name: String
    var version: Int
    var errors = FieldErrors()
    /// The organizations the default may be chosen from, by name.
    var organizations: [OrgSummary] = []
    /// An email change waiting for its link to be opened.
    var pendingEmail: PendingEmailChange? = nil
    /// What the email form shows: the typed new address (never the password).
    var newEmail = ""
    /// What the default-organization form shows: the stored choice, or what was sent.
    var defaultOrg: String? = nil

    init(profile: Profile, name: String, version: Int) {
        self.profile = profile
        self.name = name
        self.version = version
        self.defaultOrg = profile.defaultOrgKey
    }

    /// Everything the page shows besides the name form's values.
    static func load(_ database: AppDatabase, userId: Int64) throws -> ProfilePage {
        let profile = try database.profile(userId: userId)
        var page = ProfilePage(profile: profile, name: profile.name, version: profile.version)
        page.organizations = try database.organizations(of: userId)
        page.pendingEmail = try database.pendingEmailChange(userId: userId)
        return page
    }

    static let staleMessage =
        "Your profile was changed in another tab or browser since this page was loaded. Your version is below: save again to keep it."
    static let names = FieldNames.of(AccountController.ProfileField.self)
    static let settingNames = FieldNames.of(ProfileSettingsController.Field.self)

    func fill(_ context: inout TemplateObject) {
        typealias Setting = ProfileSettingsController.Field
        context["names"] = Self.names
        context["settingNames"] = Self.settingNames
        context["version"] = String(version)
        context["action"] = Route.account(.updateProfile).path
        context["avatarAction"] = Route.account(.updateAvatar).path
        context["emailAction"] = Route.account(.changeEmail).path
        context["defaultAction"] = Route.account(.defaultOrganization).path
        context["deleteLink"] = Route.account(.deleteAccount(.show)).path
        context["email"] = profile.email
        context["initial"] = String(profile.name.first.map { String($0).uppercased() } ?? "?")
        if let file = profile.avatarFile { context["avatarURL"] = Route.account(.avatar(file)).path }
        context["avatarErrors"] = errors.fieldContext(Setting.avatar.rawValue)
        context["securityLink"] = Route.account(.security).path
        context["formErrors"] = errors.formContext
        context["errorItems"] = ErrorSummary.items(
            errors, ids: [Setting.removeAvatar.rawValue: "field-avatar", Setting.defaultOrg.rawValue: "field-default_org"])
        if let pendingEmail {
            context["pendingEmail"] = ["address": .text(pendingEmail.newEmail)] as TemplateObject
        }
        context["hasOrganizations"] = TemplateValue.flag(!organizations.isEmpty)
        context["defaultErrors"] = errors.fieldContext(Setting.defaultOrg.rawValue)
        let first: TemplateObject = ["key": "", "label": "The first of my organizations, by name", "selected": .flag(defaultOrg == nil)]
        context["organizations"] = TemplateValue.list(
            [.object(first)]
                + organizations.map { org in
                    .object([
                        "key": .text(org.key), "label": .text("\(org.displayName) (\(org.key))"), "selected": .flag(defaultOrg == org.key),
                    ])
                })
        context["fields"] =
            [
                "name": .object(
                    FieldView(
                        name: AccountController.ProfileField.name.rawValue, label: "Name", value: name, errors: errors,
                        hint: "How you appear to the people in your organizations, at most 100 characters.",
                        autocomplete: "name", required: true, maxLength: 100
                    ).context),
                "newEmail": .object(
                    FieldView(
                        name: Setting.newEmail.rawValue, label: "New email address", value: newEmail, type: "email", errors: errors,
                        hint: "We send a link to this address; nothing changes until it is opened.", autocomplete: "email",
                        required: true, maxLength: 254, spellcheck: false
                    ).context),
                "password": .object(
                    FieldView(
                        name: Setting.password.rawValue, label: "Your password", value: "", type: "password", errors: errors,
                        autocomplete: "current-password", required: true, spellcheck: false
                    ).context),
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
