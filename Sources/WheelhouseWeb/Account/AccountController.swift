import Foundation
import WheelhouseCore

/// The signed-in person's own profile and password.
///
/// - `GET/POST /account` — the name (version-checked: a save over a change made in another tab
///   is a 409 with the typed name kept)
/// - `GET /account/security`, `POST /account/security/password` — Change password (the current
///   one required); every other session ends and a security email goes out
///
/// Personal, not a change of an organization: no audit entry (`AuditTrailTests.personalNotAudited`).
struct AccountController {
    let shell: Shell
    let database: AppDatabase
    let blocklist: PasswordBlocklist

    enum ProfileField: String, CaseIterable { case csrf = "_csrf", version, name }
    enum PasswordField: String, CaseIterable {
        case csrf = "_csrf", currentPassword = "current_password", newPassword = "new_password"
    }

    func respond(_ route: AccountRoute, _ visit: Visit) throws -> Response {
        // Posts are checked first: without a session the CSRF check refuses them (403).
        let form = route.method == .post ? try visit.form() : nil
        guard let signedIn = visit.signedIn else {
            return .redirect(to: Route.login(.show).path(query: [("next", visit.request.path)]))
        }
        let userId = signedIn.user.id!
        switch route {
        case .profile:
            let profile = try database.profile(userId: userId)
            return try profilePage(visit, ProfilePage(profile: profile, name: profile.name, version: profile.version))
        case .updateProfile: return try updateProfile(form!, visit, userId: userId)
        case .security: return try securityPage(visit, try SecurityPage(userId: userId, database: database))
        case .changePassword: return try changePassword(form!, visit, signedIn: signedIn)
        case .notifications, .markRead, .markAllRead, .sessions, .endSession, .endOtherSessions, .twoFactor, .disableTwoFactor,
            .preferences, .updatePreferences, .showTutorialAgain, .resetWidgets:
            throw WebError.notFound  // dispatched to their own controllers (WebApp)
        }
    }

    private func updateProfile(_ form: FormData, _ visit: Visit, userId: Int64) throws -> Response {
        var reader = FormReader<ProfileField>(form)
        let name = TextRules.trimmed(reader.text(.name, label: "Name"))
        let version = reader.version(.version)
        var page = ProfilePage(profile: try database.profile(userId: userId), name: name, version: version)
        return try shell.submit(
            visit, stale: ProfilePage.staleMessage,
            {
                // Every error at once: the name's rules (the domain's own) beside a malformed form's.
                var errors = reader.errors
                TextRules.checkSingleLine(name, field: "name", label: "Name", required: true, maxLength: 100, into: &errors)
                try errors.throwIfAny()
                let before = page.profile
                let saved = try database.updateName(userId: userId, name: name, expectedVersion: version)
                return FormSuccess(
                    .account(.profile), flash: saved == before ? "Nothing to save: your name is unchanged." : "Your name is saved.")
            },
            refused: { refusal in
                page.errors = refusal.errors
                // After a conflict the form carries the stored version, so saving again overwrites knowingly.
                // A form without a readable version gets the stored one, or it could never be saved.
                if case .stale = refusal { page.version = page.profile.version }
                if page.version < 0 { page.version = page.profile.version }
                return try profilePage(visit, page, status: refusal.status)
            })
    }

    private func changePassword(_ form: FormData, _ visit: Visit, signedIn: SignedIn) throws -> Response {
        var reader = FormReader<PasswordField>(form)
        let current = reader.text(.currentPassword, label: "Current password")
        let new = reader.text(.newPassword, label: "New password")
        let userId = signedIn.user.id!
        do {
            try reader.errors.throwIfAny()
            try database.changePassword(
                userId: userId, current: current, new: new, keepSession: signedIn.session.tokenHash,
                address: visit.request.remoteAddress, blocklist: blocklist)
        } catch DomainError.invalid(let errors) {
            var page = try SecurityPage(userId: userId, database: database)
            page.errors = errors
            page.noteNotKept(current: current, new: new)
            return try securityPage(visit, page, status: 422)
        } catch DomainError.throttled(let seconds) {
            var page = try SecurityPage(userId: userId, database: database)
            page.errors.addForm("Too many wrong passwords from here. Try again in \(Plural.wait(seconds)).")
            var response = try securityPage(visit, page, status: 429)
            response.headers.append(("Retry-After", String(seconds)))
            return response
        }
        return try shell.redirect(
            visit, to: .account(.security),
            flash: "Your password is changed. Every other browser signed in as you has been signed out.")
    }

    private func profilePage(_ visit: Visit, _ page: ProfilePage, status: Int = 200) throws -> Response {
        shell.render(.accountProfile, page, layout: try shell.layout(visit, title: "Profile"), status: status)
    }

    private func securityPage(_ visit: Visit, _ page: SecurityPage, status: Int = 200) throws -> Response {
        shell.render(.accountSecurity, page, layout: try shell.layout(visit, title: "Security"), status: status)
    }
}
