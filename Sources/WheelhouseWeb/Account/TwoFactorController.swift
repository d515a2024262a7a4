import Foundation
import WheelhouseCore

/// Two-factor sign-in (TOTP) for the signed-in person.
///
/// - `GET /account/security/two-factor` — off: makes a secret (once; a reload shows the same) and
///   shows it as a QR code, as text and as its `otpauth://` URI, with a form for the first code.
///   On: since when, recovery codes left, the form that turns it off; right after turning it on,
///   the ten recovery codes, once.
/// - `POST /account/security/two-factor` — a code from the new secret turns it on.
/// - `POST /account/security/two-factor/disable` — the password and a code turn it off.
///
/// Personal, not a change of an organization: no audit entry; each change emails the person.
struct TwoFactorController {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable { case csrf = "_csrf", code, password }

    func respond(_ route: AccountRoute, _ visit: Visit) throws -> Response {
        let form = route.method == .post ? try visit.form() : nil
        guard let signedIn = visit.signedIn else {
            return .redirect(to: Route.login(.show).path(query: [("next", visit.request.path)]))
        }
        let user = signedIn.user
        guard let form else { return try show(visit, errors: nil) }
        var reader = FormReader<Field>(form)
        let code = reader.text(.code, label: "Code")
        // Turning it on or off both need the password: a session alone is not enough.
        let password = reader.text(.password, label: "Password")
        if code.trimmingCharacters(in: .whitespaces).isEmpty { reader.errors.add(Field.code.rawValue, "Enter the code from your app.") }
        if code.utf8.count > 40 { reader.errors.add(Field.code.rawValue, "That is longer than any code.") }
        if password.isEmpty { reader.errors.add(Field.password.rawValue, "Enter your password.") }
        if password.utf8.count > 1024 { reader.errors.add(Field.password.rawValue, "That is longer than any password here.") }
        guard reader.errors.isEmpty else { return try show(visit, errors: reader.errors) }
        do {
            if route == .disableTwoFactor {
                try database.disableTwoFactor(
                    userId: user.id!, email: user.email, password: password, code: code, address: visit.request.remoteAddress)
                return try shell.redirect(visit, to: Route.account(.twoFactor(.show)), flash: "Two-factor sign-in is off.")
            }
            try database.confirmTwoFactor(
                userId: user.id!, email: user.email, password: password, code: code, session: signedIn.session,
                address: visit.request.remoteAddress)
            return try shell.redirect(
                visit, to: Route.account(.twoFactor(.show)),
                flash: "Two-factor sign-in is on. Save your recovery codes now: they are shown only once.")
        } catch DomainError.invalid(let errors) {
            return try show(visit, errors: errors)
        }
    }

    private func show(_ visit: Visit, errors: FieldErrors?) throws -> Response {
        let user = visit.signedIn!.user
        var state = try database.twoFactorState(userId: user.id!, email: user.email)
        // Only a page with nothing refused makes a secret: a refused disable form shows "off" as is.
        if state == .off && errors == nil { state = try database.startTwoFactor(userId: user.id!, email: user.email) }
        var codes: [String]?
        if case .on = state { codes = try database.takeRecoveryCodes(userId: user.id!, session: visit.signedIn!.session) }
        let layout = try shell.layout(visit, title: "Two-factor sign-in")
        let page = TwoFactorPage(state: state, recoveryCodes: codes, errors: errors ?? FieldErrors())
        return shell.render(.accountTwoFactor, page, layout: layout, status: errors != nil ? 422 : 200)
    }
}

/// The two-factor page: enrolment (QR code, secret, URI, first code) or status and turning off.
struct TwoFactorPage: PageValues {
    let state: TwoFactorState
    let recoveryCodes: [String]?
    let errors: FieldErrors

    typealias Field = TwoFactorController.Field

    func fill(_ context: inout TemplateObject) {
        context["formErrors"] = errors.formContext
        context["sessionsLink"] = TemplateValue.text(Route.account(.sessions).path)
        let code = FieldView(
            name: Field.code.rawValue, label: "Code from your app", value: "", errors: errors,
            hint: "6 digits, or one of your recovery codes when turning it off.", autocomplete: "one-time-code",
            maxLength: 40, spellcheck: false)
        switch state {
        case .off:
            context["unavailable"] = TemplateValue.flag(true)
        case .pending(let enrolment):
            let password = FieldView(
                name: Field.password.rawValue, label: "Password", value: "", type: "password", errors: errors,
                autocomplete: "current-password")
            var codeField = code
            codeField.hint = "The 6 digits your app shows for Wheelhouse."
            var pending: TemplateObject = [
                "secret": .text(Base32.grouped(enrolment.base32)), "uri": .text(enrolment.uri),
                "action": .text(Route.account(.twoFactor(.submit)).path), "code": .object(codeField.context),
                "password": .object(password.context),
            ]
            if let qr = QRCode(enrolment.uri) { pending["qr"] = Self.qr(qr) }
            context["pending"] = TemplateValue.object(pending)
        case .on(let enabledAt, let left):
            let password = FieldView(
                name: Field.password.rawValue, label: "Password", value: "", type: "password", errors: errors,
                autocomplete: "current-password")
            var on: TemplateObject = [
                "since": .text(Dates.dayTime(enabledAt)), "sinceIso": .text(Dates.isoTime(enabledAt)),
                "left": .text(left == 1 ? "1 recovery code left." : "\(left) recovery codes left."),
                "action": .text(Route.account(.disableTwoFactor).path),
                "password": .object(password.context), "code": .object(code.context),
            ]
            if let recoveryCodes {
                on["recoveryCodes"] = TemplateValue.list(recoveryCodes.map(TemplateValue.text))
                on["hasRecoveryCodes"] = TemplateValue.flag(true)
            }
            context["on"] = TemplateValue.object(on)
        }
    }

    /// The QR matrix as SVG coordinates: a quiet zone of 4 modules, then one rect per run.
    static func qr(_ code: QRCode) -> TemplateValue {
        let margin = QRCode.quietZone
        return .object([
            "side": .number(code.size + 2 * margin),
            "runs": .list(
                code.runs.map { run in
                    .object(["x": .number(run.x + margin), "y": .number(run.y + margin), "w": .number(run.width)])
                }),
        ])
    }
}
