import Foundation
import WheelhouseCore

/// One request and the person behind it, if signed in.
struct Visit {
    static let sessionCookie = "wh_session"
    static let loginCSRFCookie = "wh_login"
    /// Between the password and the two-factor code: the sign-in challenge's token (5 minutes).
    static let challengeCookie = "wh_signin"
    /// The browser's own random value, kept across sign-ins and people (`DeviceRules`): how a
    /// sign-in from a browser not seen before is told apart.
    static let deviceCookie = "wh_device"

    let request: Request
    let id: String
    var token: String?
    var signedIn: SignedIn?
    /// For pages under `/orgs/{org}/`: read once by the router, used by the layout and the page.
    var orgView: OrgView?

    /// The signed-in person as the author of a change (org pages are only reached signed in).
    var actor: Actor { Actor(user: signedIn!.user, address: request.remoteAddress, userAgent: request.header("user-agent") ?? "") }

    init(request: Request, id: String) {
        self.request = request
        self.id = id
        token = request.cookies[Self.sessionCookie]
    }

    /// The browser's device value: its cookie's, or a new one when it has none (or a malformed one).
    /// Set it on the response with `Response.rememberDevice` once the sign-in succeeds.
    func deviceToken() -> String {
        if let sent = request.cookies[Self.deviceCookie], DeviceRules.isWellFormed(sent) { return sent }
        return Crypto.randomToken()
    }

    /// The session for pages outside an organization; org pages read it together with the
    /// organization (`AppDatabase.signedInOrgView`).
    mutating func loadSession(from database: AppDatabase) throws {
        guard let token else { return }
        signedIn = try database.session(token: token)
    }

    /// Refuses a post whose `_csrf` field does not match the session's token (or, for the sign-in
    /// form, the login cookie). Called before anything is read from the form or written anywhere.
    func checkCSRF(_ form: FormData, loginForm: Bool) throws {
        let sent = form.fields[CSRF.field] ?? []
        let expected = loginForm ? request.cookies[Self.loginCSRFCookie] : signedIn?.session.csrfToken
        guard let expected, !expected.isEmpty, Crypto.constantTimeEquals(sent, Array(expected.utf8)) else {
            throw WebError.csrf
        }
    }

    /// The CSRF token for a form posted without a session (sign-in, accepting an invitation as a
    /// new person): the login cookie's, or a new one the page then sets as that cookie.
    var loginCSRFToken: String {
        request.cookies[Self.loginCSRFCookie].flatMap { $0.isEmpty ? nil : $0 } ?? Crypto.randomToken()
    }

    /// Decodes the body as a form and checks its CSRF token.
    func form(loginForm: Bool = false) throws -> FormData {
        let form: FormData
        do {
            form = try FormData(request: request)
        } catch FormData.Failure.unsupportedMediaType {
            throw WebError.unsupportedMediaType
        } catch FormData.Failure.malformed(let reason) {
            throw WebError.malformedBody(reason)
        } catch FormData.Failure.tooManyFields {
            throw WebError.tooManyFields
        }
        try checkCSRF(form, loginForm: loginForm)
        return form
    }
}

enum CSRF {
    static let field = "_csrf"
}

extension Response {
    /// The device cookie after a completed sign-in: long-lived, HttpOnly, SameSite=Lax, Secure
    /// over https, refreshed at each sign-in.
    mutating func rememberDevice(_ device: String, secure: Bool) {
        setCookie(Visit.deviceCookie, device, secure: secure, maxAge: DeviceRules.cookieLifetime)
    }
}
