import Foundation
import WheelhouseCore

/// The profile page's other forms: picture, email address, default organization.
///
/// - `POST /account/avatar` — multipart; a new picture (checked like an org logo) or "remove"
/// - `GET /account/avatar/{file}` — the person's own picture, while it is theirs
/// - `POST /account/email` — a new address and the password: a link goes to the new address
/// - `POST /account/default-organization` — where `/` lands
///
/// Personal, not a change of an organization: no audit entry (`AuditTrailTests.personalNotAudited`).
/// Picture and default carry the profile's version: a save over a change made in another tab is a
/// 409 with the page as stored.
struct ProfileSettingsController {
    let shell: Shell
    let database: AppDatabase
    let avatars: LogoStore

    enum Field: String, CaseIterable {
        case csrf = "_csrf", version, avatar, removeAvatar = "remove_avatar", newEmail = "new_email", password
        case defaultOrg = "default_org"
    }

    func respond(_ route: AccountRoute, _ visit: Visit) throws -> Response {
        let form = route.method == .post ? try visit.form() : nil
        guard let signedIn = visit.signedIn else {
            guard case .avatar = route else { throw WebError.csrf }
            return .redirect(to: Route.login(.show).path(query: [("next", visit.request.path)]))
        }
        let userId = signedIn.user.id!
        if case .avatar(let file) = route { return try avatar(file, userId: userId) }
        guard let form else { throw WebError.notFound }
        var reader = FormReader<Field>(form)
        switch route {
        case .updateAvatar:
            var change: AvatarChange? = nil
            if let file = reader.file(.avatar) {
                if let image = LogoImage.validated(file.bytes, field: Field.avatar.rawValue, what: "picture", into: &reader.errors) {
                    change = .replace(image)
                }
            } else if reader.isOn(.removeAvatar) {
                change = .remove
            } else {
                reader.errors.add(Field.avatar.rawValue, "Choose a picture to upload, or tick “Remove my picture”.")
            }
            let version = reader.version(.version)
            return try save(visit, userId: userId, errors: reader.errors, flash: "Your picture is saved.") {
                guard let change else { return false }
                let before = try database.profile(userId: userId)
                return try database.updateAvatar(userId: userId, change, expectedVersion: version, avatars: avatars) != before
            }
        case .defaultOrganization:
            let key = TextRules.trimmed(reader.text(.defaultOrg, label: "Default organization"))
            let version = reader.version(.version)
            return try save(visit, userId: userId, errors: reader.errors, flash: "Your default organization is saved.") {
                let before = try database.profile(userId: userId)
                return try database.setDefaultOrganization(userId: userId, orgKey: key.isEmpty ? nil : key, expectedVersion: version)
                    != before
            }
        case .changeEmail:
            let newEmail = TextRules.trimmed(reader.text(.newEmail, label: "New email address"))
            let password = reader.text(.password, label: "Your password")
            do {
                try reader.errors.throwIfAny()
                try database.requestEmailChange(newEmail: newEmail, password: password, by: visit.actor)
            } catch DomainError.invalid(let errors) {
                var page = try ProfilePage.load(database, userId: userId)
                page.errors = errors
                page.newEmail = newEmail
                if errors.byField[Field.password.rawValue] == nil, !password.isEmpty {
                    page.errors.add(Field.password.rawValue, "For your safety passwords are not sent back to the browser: type it again.")
                }
                return try render(visit, page, status: 422)
            } catch DomainError.throttled(let seconds) {
                var page = try ProfilePage.load(database, userId: userId)
                page.newEmail = newEmail
                page.errors.addForm("Too many tries. Try again in \(Plural.wait(seconds)).")
                var response = try render(visit, page, status: 429)
                response.headers.append(("Retry-After", String(seconds)))
                return response
            }
            return try shell.redirect(
                visit, to: .account(.profile),
                flash:
                    "We sent a link to \(EmailRules.normalized(newEmail)). Your address changes when you open it; your current address was told."
            )
        default: throw WebError.notFound
        }
    }

    /// Runs a version-checked change: PRG with `flash` (or "nothing to save"), the page with its
    /// errors (422) or as stored (409, stale).
    private func save(_ visit: Visit, userId: Int64, errors: FieldErrors, flash: String, _ change: () throws -> Bool) throws -> Response {
        do {
            try errors.throwIfAny()
            let changed = try change()
            return try shell.redirect(visit, to: .account(.profile), flash: changed ? flash : "Nothing to save: nothing changed.")
        } catch DomainError.invalid(let found) {
            var page = try ProfilePage.load(database, userId: userId)
            page.errors = found
            return try render(visit, page, status: 422)
        } catch DomainError.staleVersion {
            var page = try ProfilePage.load(database, userId: userId)
            page.errors.addForm(ProfilePage.staleMessage)
            return try render(visit, page, status: 409)
        }
    }

    private func avatar(_ file: String, userId: Int64) throws -> Response {
        guard file == (try database.avatarFile(userId: userId)), let data = avatars.read(file) else { throw WebError.notFound }
        let type = file.hasSuffix(".png") ? "image/png" : file.hasSuffix(".gif") ? "image/gif" : "image/jpeg"
        return Response(
            status: 200, headers: [("Content-Type", type), ("Cache-Control", "private, max-age=31536000, immutable")], body: Array(data))
    }

    private func render(_ visit: Visit, _ page: ProfilePage, status: Int) throws -> Response {
        shell.render(.accountProfile, page, layout: try shell.layout(visit, title: "Profile"), status: status)
    }
}
