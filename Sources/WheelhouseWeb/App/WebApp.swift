import Foundation
import Logging
import Synchronization
import WheelhouseCore

public enum DeploymentMode: String, Sendable, CaseIterable {
    case saas, enterprise
}

/// What the web layer needs to know about its deployment.
public struct WebConfig: Sendable {
    public var mode: DeploymentMode
    /// The address people use, e.g. `http://127.0.0.1:8080`; cookies are `Secure` when it is https.
    public var baseURL: String
    /// The enterprise agreement's address for the Billing notice; nil: the notice has no link.
    public var enterpriseBillingURL: String?
    public var maxBodyBytes: Int
    /// Who sells, printed on invoices (`WHEELHOUSE_SELLER_*`).
    public var seller: Seller
    /// The deployment's one currency (`WHEELHOUSE_CURRENCY`).
    public var currency: Currency
    /// Which private addresses outbound calls may reach (`WHEELHOUSE_OUTBOUND_ALLOW`): an SSO
    /// issuer may be plain http only on one of them.
    public var outbound = OutboundPolicy()

    public init(
        mode: DeploymentMode = .saas, baseURL: String = "http://127.0.0.1:8080",
        enterpriseBillingURL: String? = nil,
        maxBodyBytes: Int = 4 * 1024 * 1024, seller: Seller = .demo, currency: Currency = .eur
    ) {
        self.seller = seller
        self.currency = currency
        self.mode = mode
        self.baseURL = baseURL
        self.enterpriseBillingURL = enterpriseBillingURL.flatMap { $0.isEmpty ? nil : $0 }
        self.maxBodyBytes = maxBodyBytes
    }

    var secureCookies: Bool { baseURL.lowercased().hasPrefix("https://") }
}

/// The whole web application as one value: `respond(to:)` turns a request into a response. The
/// FastCGI adapter calls it for real traffic and tests call it directly, with no transport.
public struct WebApp: Sendable {
    let config: WebConfig
    let database: AppDatabase
    let templates: Templates
    let logos: LogoStore
    /// People's pictures (`LogoStore.avatars`).
    let avatars: LogoStore
    /// Finished data exports and the key of their download links.
    let exports: DataExportStore
    let logger: Logger
    let shell: Shell
    /// `GET /api/v1/openapi.json`: the document in the repository's `api/` folder, read at start-up.
    var apiDocument: [UInt8] = []
    /// Common passwords no new password may be (`Resources/common-passwords.txt`, read at start-up).
    var passwordBlocklist = PasswordBlocklist(words: [])
    /// Requests per API key and window, counted across every responder process of the data directory.
    public let apiRateLimiter: APIRateLimiter
    /// The seller, the currency and the payment gateway (the test-mode one).
    let billing: BillingSetup

    public init(
        config: WebConfig, database: AppDatabase, templates: Templates, logos: LogoStore,
        exports: DataExportStore = .temporary(), logger: Logger = Logger(label: "wheelhouse.http"),
        apiRateLimiter: APIRateLimiter = .inMemory()
    ) {
        self.config = config
        self.database = database
        self.templates = templates
        self.logos = logos
        self.avatars = logos.avatars
        self.exports = exports
        self.logger = logger
        self.apiRateLimiter = apiRateLimiter
        self.billing = BillingSetup(seller: config.seller, currency: config.currency, gateway: TestModeGateway(database: database))
        self.shell = Shell(config: config, database: database, templates: templates, logger: logger)
    }

    public func respond(to request: Request) -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        let requestID = RequestIDs.next()
        // HEAD is answered for every GET page: the same status and headers, no body.
        let isHead = request.method == "HEAD"
        var routed = request
        if isHead { routed.method = "GET" }
        var visit = Visit(request: routed, id: requestID)
        var response: Response
        do {
            response = try dispatch(&visit)
        } catch {
            response = shell.errorResponse(error, visit: visit)
        }
        SecurityHeaders.apply(to: &response, https: config.secureCookies)
        response.headers.append(("X-Request-Id", requestID))
        if isHead {
            response.headers.append(("Content-Length", String(response.contentLength)))
            response.body = []
            response.file = nil
        }
        let micros = (DispatchTime.now().uptimeNanoseconds - started) / 1000
        // The path only: query strings and bodies may carry things that must not reach a log, and
        // an invitation's path carries its token.
        logger.info("\(request.method) \(Route.loggable(request.path)) \(response.status) \(micros)µs id=\(requestID)")
        return response
    }

    /// Finds the route of a request and hands it to its controller. Below an organization, the
    /// session and the organization are checked first, then the tab's required action, so the
    /// answer never says more than the visitor may know.
    func dispatch(_ visit: inout Visit) throws -> Response {
        let request = visit.request
        if request.bodyTooLarge || request.body.count > config.maxBodyBytes { throw WebError.payloadTooLarge }
        switch Route.match(method: HTTPMethod(rawValue: request.method), path: request.path) {
        case .found(.api(let route)):
            // No session: the API reads no cookie, only its bearer key.
            return try APIController(shell: shell, database: database, document: apiDocument, limiter: apiRateLimiter).respond(route, visit)
        case .found(.org(let key, let route)):
            guard let access = try enter(org: key, &visit) else { return signInFirst(request) }
            return try dispatch(route, access: access, visit: &visit)
        case .found(let route):
            try visit.loadSession(from: database)
            return try dispatch(route, visit: &visit)
        case .methodNotAllowed(let allowed, let orgKey?):
            guard try enter(org: orgKey, &visit) != nil else { return signInFirst(request) }
            throw WebError.methodNotAllowed(allowed: allowed)
        case .notFound(let orgKey?):
            guard try enter(org: orgKey, &visit) != nil else { return signInFirst(request) }
            throw WebError.notFound
        case .methodNotAllowed(let allowed, nil):
            try visit.loadSession(from: database)
            throw WebError.methodNotAllowed(allowed: allowed)
        case .notFound(nil):
            try visit.loadSession(from: database)
            throw WebError.notFound
        }
    }

    /// The routes outside organizations.
    private func dispatch(_ route: Route, visit: inout Visit) throws -> Response {
        let auth = AuthController(shell: shell, database: database)
        switch route {
        case .home: return try auth.home(visit)
        case .login(let step): return try auth.respond(step, &visit)
        case .loginCode(let step): return try SignInCodeController(shell: shell, database: database).respond(step, visit)
        case .logout: return try auth.signOut(visit)
        case .invitation(let token, let step):
            return try InvitationController(shell: shell, database: database).respond(step, token: token, &visit)
        case .confirmation(let token, let step):
            return try ConfirmationController(shell: shell, database: database).respond(step, token: token, &visit)
        case .passwordForgot(let step): return try passwordReset.forgot(step, visit)
        case .passwordReset(let token, let step): return try passwordReset.reset(step, token: token, visit)
        case .emailChange(let token, let step):
            return try EmailChangeController(shell: shell, database: database).respond(step, token: token, visit)
        case .testGatewayChallenge(let id, let step):
            return try TestGatewayController(shell: shell, gateway: TestModeGateway(database: database), billing: billing).respond(
                step, id: id, visit)
        case .account(let route):
            switch route {
            case .notifications, .markRead, .markAllRead, .savePreferences:
                return try NotificationsController(shell: shell, database: database).respond(route, visit)
            case .profile, .updateProfile, .security, .changePassword:
                return try AccountController(shell: shell, database: database, blocklist: passwordBlocklist).respond(route, visit)
            case .sessions, .endSession, .endOtherSessions:
                return try SessionsController(shell: shell, database: database).respond(route, visit)
            case .twoFactor, .disableTwoFactor:
                return try TwoFactorController(shell: shell, database: database).respond(route, visit)
            case .updateAvatar, .avatar, .defaultOrganization, .changeEmail:
                return try ProfileSettingsController(shell: shell, database: database, avatars: avatars).respond(route, visit)
            case .deleteAccount, .newOrganization:
                return try AccountLifecycleController(shell: shell, database: database, avatars: avatars).respond(route, visit)
            case .preferences, .updatePreferences, .showTutorialAgain, .resetWidgets:
                return try PreferencesController(shell: shell, database: database).respond(route, visit)
            }
        case .ssoStart(let step): return try SSOSignInController(shell: shell, database: database).start(step, visit)
        case .ssoCallback: return try SSOSignInController(shell: shell, database: database).callback(visit)
        case .ssoContinue: return try SSOSignInController(shell: shell, database: database).proceed(visit)
        case .api: throw WebError.notFound  // answered above, before any session is read
        case .org: throw WebError.notFound
        }
    }

    /// One line per tab: the tab's controller dispatches its own routes. The tab's required action
    /// is checked here, before any controller runs; the navigation shows the tab on the same rule.
    private func dispatch(_ route: OrgRoute, access: OrgAccess, visit: inout Visit) throws -> Response {
        if let tab = route.tab { try access.require(tab.requiredAction(in: config.mode)) }
        switch route {
        case .root: return try overview.show(visit, access: access)
        case .overview(let r): return try overview.respond(r, visit, access: access)
        case .logo(let file): return try general.logo(file, access: access)
        case .general(let r): return try general.respond(r, &visit, access: access)
        case .members(let r): return try MembersController(shell: shell, database: database).respond(r, &visit, access: access)
        case .teams(let r): return try TeamsController(shell: shell, database: database).respond(r, &visit, access: access)
        case .workspaces(let r): return try WorkspacesController(shell: shell, database: database).respond(r, &visit, access: access)
        case .secrets(let r): return try SecretsController(shell: shell, database: database).respond(r, visit, access: access)
        case .providers(let r): return try ProvidersController(shell: shell, database: database).respond(r, visit, access: access)
        case .apiKeys(let r): return try APIKeysController(shell: shell, database: database).respond(r, visit, access: access)
        case .chatModels(let r): return try ChatModelsController(shell: shell, database: database).respond(r, visit, access: access)
        case .usage(let r): return try UsageController(shell: shell, database: database).respond(r, visit, access: access)
        case .billing(let r):
            return try BillingController(shell: shell, database: database, billing: billing).respond(r, visit, access: access)
        case .audit(let r): return try AuditController(shell: shell, database: database).respond(r, visit, access: access)
        case .privacy(let r): return try PrivacyController(shell: shell, database: database).respond(r, visit, access: access)
        case .compliance(let r):
            return try ComplianceController(shell: shell, database: database, exports: exports).respond(r, visit, access: access)
        case .integrations(let r): return try IntegrationsController(shell: shell, database: database).respond(r, visit, access: access)
        case .sso(let r): return try SSOController(shell: shell, database: database).respond(r, visit, access: access)
        }
    }

    private var passwordReset: PasswordResetController {
        PasswordResetController(shell: shell, database: database, blocklist: passwordBlocklist)
    }

    private var overview: OverviewController { OverviewController(shell: shell, database: database) }

    private var general: GeneralSettingsController { GeneralSettingsController(shell: shell, database: database, logos: logos) }

    /// The session and the organization, read in one trip; nil when nobody is signed in. A post
    /// without a session is refused as an expired form.
    private func enter(org key: String, _ visit: inout Visit) throws -> OrgAccess? {
        guard let token = visit.token, let (signedIn, view) = try database.signedInOrgView(token: token, orgKey: key) else {
            guard visit.request.method == "GET" else { throw WebError.csrf }
            return nil
        }
        visit.signedIn = signedIn
        guard let view else { throw DomainError.notFound }
        visit.orgView = view
        return view.access
    }

    private func signInFirst(_ request: Request) -> Response {
        .redirect(to: Route.login(.show).path(query: [("next", request.path)]))
    }
}

/// Request ids: a random prefix per process and a counter, so ids never repeat within a
/// process and rarely across processes, without asking the CSPRNG on every request.
enum RequestIDs {
    private static let prefix = Crypto.randomBytes(4).hexString
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        let digits = String(n, radix: 16)
        return prefix + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}

/// Failures of the web layer itself; domain failures arrive as `DomainError`.
enum WebError: Error {
    case notFound
    /// With the methods the address takes, for the `Allow` header (HEAD wherever GET is).
    case methodNotAllowed(allowed: [HTTPMethod])
    case csrf
    case payloadTooLarge
    case unsupportedMediaType
    case malformedBody(String)
    case tooManyFields
}

/// Headers on every response: a strict CSP (no inline script), no framing, no sniffing.
enum SecurityHeaders {
    static let all: [(String, String)] = [
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        ),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
    ]

    static func apply(to response: inout Response, https: Bool = false) {
        response.headers.append(contentsOf: all)
        if https { response.headers.append(("Strict-Transport-Security", "max-age=31536000")) }
        if !response.headers.contains(where: { $0.0 == "Cache-Control" }) {
            response.headers.append(("Cache-Control", "no-store"))
        }
    }
}
