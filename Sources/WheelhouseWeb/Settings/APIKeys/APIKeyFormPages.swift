import Foundation
import WheelhouseCore

/// `{id}/secret`: the new secret in a read-only, pre-selected field (copy it with the keyboard,
/// or with the button `app.js` adds), or, on any later visit, a note that it is never shown again.
struct APIKeySecretPage: PageValues {
    let orgKey: String
    let key: APIKeySummary
    /// nil: already shown (or never held for this session).
    let secret: String?
    let now: Date

    func fill(_ context: inout TemplateObject) {
        context["key"] = APIKeysPage.row(key, orgKey: orgKey, now: now)
        context["secret"] = secret
        context["backPath"] = Route.org(orgKey, .apiKeys(.list)).path
        context["rotatePath"] = Route.org(orgKey, .apiKeys(.rotate(key.id, .show))).path
    }
}

/// `{id}/rotate`: when the old secret stops working, with the key as it is now.
struct APIKeyRotatePage: PageValues {
    let orgKey: String
    let key: APIKeySummary
    let grace: String
    /// After a 409: the successor's secret still waits to be shown to this session (the first
    /// answer was lost), so the page links to it.
    let secretWaiting: Bool
    let errors: FieldErrors
    let now: Date

    typealias Field = APIKeysController.RotateField

    func fill(_ context: inout TemplateObject) {
        context["key"] = APIKeysPage.row(key, orgKey: orgKey, now: now)
        context["version"] = key.version
        context["names"] = FieldNames.of(Field.self)
        context["formErrors"] = errors.formContext
        context["graceError"] = errors.fieldContext("grace")
        context["errorItems"] = ErrorSummary.items(errors)
        context["graces"] = TemplateValue.list(
            APIKeyGrace.allCases.map { choice in
                .object([
                    "value": .text(choice.formValue), "title": .text(choice.title), "checked": .flag(choice.formValue == grace),
                    "id": .text("grace-\(choice.rawValue)"),
                ])
            })
        if secretWaiting { context["secretPath"] = Route.org(orgKey, .apiKeys(.secret(key.id))).path }
        context["backPath"] = Route.org(orgKey, .apiKeys(.list)).path
    }
}

/// `{id}/revoke` and `{id}/revoke-previous`: what happens, and the button.
struct APIKeyConfirmPage: PageValues {
    let orgKey: String
    let key: APIKeySummary
    /// True for revoking the key; false for ending the old secret's grace.
    let revokesKey: Bool
    let errors: FieldErrors
    let now: Date

    typealias Field = APIKeysController.ConfirmField

    func fill(_ context: inout TemplateObject) {
        context["key"] = APIKeysPage.row(key, orgKey: orgKey, now: now)
        context["version"] = key.version
        context["names"] = FieldNames.of(Field.self)
        context["formErrors"] = errors.formContext
        context["revokesKey"] = revokesKey
        context["backPath"] = Route.org(orgKey, .apiKeys(.list)).path
    }
}
