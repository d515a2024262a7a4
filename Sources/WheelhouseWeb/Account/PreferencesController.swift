import Foundation
import WheelhouseCore

/// `/account/preferences`: theme, density and the default language of new work (one
/// version-checked form), and the two buttons that bring back the overview's tutorial and its
/// default widgets. Personal, not a change of an organization: no audit entry.
struct PreferencesController {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable { case csrf = "_csrf", version, theme, density, language }

    func respond(_ route: AccountRoute, _ visit: Visit) throws -> Response {
        // Posts are checked first: without a session the CSRF check refuses them (403).
        let form = route.method == .post ? try visit.form() : nil
        guard let signedIn = visit.signedIn else {
            return .redirect(to: Route.login(.show).path(query: [("next", visit.request.path)]))
        }
        let userId = signedIn.user.id!
        switch route {
        case .preferences:
            let stored = try database.preferences(userId: userId)
            return try page(
                visit,
                PreferencesPage(
                    stored: stored, theme: stored.theme.rawValue, density: stored.density.rawValue,
                    language: stored.language, version: stored.version))
        case .updatePreferences: return try update(form!, visit, userId: userId)
        case .showTutorialAgain:
            try database.showTutorialAgain(userId: userId)
            return try shell.redirect(
                visit, to: .account(.preferences), flash: "The tutorial shows again on the overview of organizations you own.")
        case .resetWidgets:
            try database.resetDashboards(userId: userId)
            return try shell.redirect(
                visit, to: .account(.preferences), flash: "Your dashboard widgets are back in their default order, none hidden.")
        default: throw WebError.notFound
        }
    }

    private func update(_ form: FormData, _ visit: Visit, userId: Int64) throws -> Response {
        var reader = FormReader<Field>(form)
        let theme = reader.text(.theme, label: "Theme")
        let density = reader.text(.density, label: "Density")
        let language = reader.text(.language, label: "Default language")
        let version = reader.version(.version)
        let stored = try database.preferences(userId: userId)
        var page = PreferencesPage(stored: stored, theme: theme, density: density, language: language, version: version)
        return try shell.submit(
            visit, stale: PreferencesPage.staleMessage,
            {
                try reader.errors.throwIfAny()
                let saved = try database.updatePreferences(
                    userId: userId, theme: theme, density: density, language: language, expectedVersion: version)
                return FormSuccess(
                    .account(.preferences),
                    flash: saved == stored ? "Nothing to save: your preferences are unchanged." : "Your preferences are saved.")
            },
            refused: { refusal in
                page.errors = refusal.errors
                // After a conflict the form carries the stored version, so saving again overwrites knowingly.
                if case .stale = refusal { page.version = stored.version }
                if page.version < 0 { page.version = stored.version }
                return try self.page(visit, page, status: refusal.status)
            })
    }

    private func page(_ visit: Visit, _ page: PreferencesPage, status: Int = 200) throws -> Response {
        shell.render(.accountPreferences, page, layout: try shell.layout(visit, title: "Preferences"), status: status)
    }
}

/// The Preferences page: what the form shows (stored, or what was sent back) and its choices.
struct PreferencesPage: PageValues {
    let stored: Preferences
    var theme: String
    var density: String
    var language: String
    var version: Int
    var errors = FieldErrors()

    static let staleMessage =
        "Your preferences were changed in another tab or browser since this page was loaded. Your choices are below: save again to keep them."
    static let names = FieldNames.of(PreferencesController.Field.self)

    func fill(_ context: inout TemplateObject) {
        context["names"] = Self.names
        context["version"] = String(version)
        context["action"] = Route.account(.updatePreferences).path
        context["tutorialAction"] = Route.account(.showTutorialAgain).path
        context["widgetsAction"] = Route.account(.resetWidgets).path
        context["formErrors"] = errors.formContext
        typealias Field = PreferencesController.Field
        context["theme"] =
            SelectField(
                name: Field.theme.rawValue, label: "Theme",
                hint: "Applied on every page you open while signed in, before anything is drawn.",
                options: Theme.allCases.map { ($0.rawValue, $0.label) }, chosen: theme, errors: errors
            ).context
        context["density"] =
            SelectField(
                name: Field.density.rawValue, label: "Density", hint: "Compact fits more rows on a screen.",
                options: Density.allCases.map { ($0.rawValue, $0.label) }, chosen: density, errors: errors
            ).context
        context["language"] =
            SelectField.language(
                name: Field.language.rawValue, label: "Default language for new work",
                hint: "Preselected when you create a workspace; each workspace keeps its own language.", chosen: language, errors: errors
            ).context
    }
}
