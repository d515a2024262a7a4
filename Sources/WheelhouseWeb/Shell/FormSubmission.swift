import WheelhouseCore

/// Where a form that succeeded sends the person, and the flash they see there.
struct FormSuccess {
    var path: String
    var flash: String

    init(_ route: Route, flash: String) { (path, self.flash) = (route.path, flash) }
    init(path: String, flash: String) { (self.path, self.flash) = (path, flash) }
}

/// Why a form came back: invalid values (422, each error beside its field) or a stale version
/// (409, the person's values kept, a message at the top).
enum FormRefusal {
    case invalid(FieldErrors)
    case stale(FieldErrors)

    var status: Int {
        switch self {
        case .invalid: 422
        case .stale: 409
        }
    }

    var errors: FieldErrors {
        switch self {
        case .invalid(let errors), .stale(let errors): errors
        }
    }
}

extension Shell {
    /// POST-redirect-GET: the flash is shown once on the page redirected to.
    func redirect(_ visit: Visit, to route: Route, flash message: String) throws -> Response {
        try redirect(visit, to: route.path, flash: message)
    }

    /// The same, to a path with a query (e.g. the Members list as it was shown).
    func redirect(_ visit: Visit, to path: String, flash message: String) throws -> Response {
        try database.setFlash(Flash(kind: "success", message: message), for: visit.signedIn!.session)
        return .redirect(to: path)
    }

    /// The pattern every state-changing form follows, in one place: run the change; on success
    /// POST-redirect-GET with a flash; when the domain refuses the values, the same form again
    /// with the person's values and an error beside each field (422); when the row changed
    /// meanwhile, the same form with `stale` at the top (409). `refused` renders the form.
    func submit(
        _ visit: Visit, stale: String, _ change: () throws -> FormSuccess,
        refused: (FormRefusal) throws -> Response
    ) throws -> Response {
        try submit(visit, stale: Optional(stale), change, refused: refused)
    }

    /// The same for a form that adds something, so has no version: only the 422 can happen (a
    /// stale version there would be a bug, answered by the 409 error page).
    func submit(
        _ visit: Visit, _ change: () throws -> FormSuccess,
        refused: (FormRefusal) throws -> Response
    ) throws -> Response {
        try submit(visit, stale: nil, change, refused: refused)
    }

    private func submit(
        _ visit: Visit, stale: String?, _ change: () throws -> FormSuccess,
        refused: (FormRefusal) throws -> Response
    ) throws -> Response {
        let success: FormSuccess
        do {
            success = try change()
        } catch DomainError.invalid(let errors) {
            return try refused(.invalid(errors))
        } catch DomainError.staleVersion where stale != nil {
            var errors = FieldErrors()
            errors.addForm(stale!)
            return try refused(.stale(errors))
        } catch DomainError.pendingDeletion(let purgeAt) {
            // The form comes back with what was typed: nothing is lost if the deletion is cancelled.
            return try refused(.stale(PendingDeletionWords.errors(purgeAt)))
        }
        return try redirect(visit, to: success.path, flash: success.flash)
    }
}
