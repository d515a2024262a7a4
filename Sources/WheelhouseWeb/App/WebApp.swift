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

    public init(mode: DeploymentMode = .saas, baseURL: String = "http://127.0.0.1:8080",
                enterpriseBillingURL: String? = nil,
                maxBodyBytes: Int = 4 * 1024 * 1024) {
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
    let logger: Logger

    public init(config: WebConfig, database: AppDatabase, templates: Templates, logos: LogoStore,
                logger: Logger = Logger(label: "wheelhouse.http")) {
        self.config = config
        self.database = database
        self.templates = templates
        self.logos = logos
        self.logger = logger
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
            response = errorResponse(error, visit: visit)
        }
        SecurityHeaders.apply(to: &response, https: config.secureCookies)
        response.headers.append(("X-Request-Id", requestID))
        if isHead {
            response.headers.append(("Content-Length", String(response.body.count)))
            response.body = []
        }
        let micros = (DispatchTime.now().uptimeNanoseconds - started) / 1000
        // The path only: query strings and bodies may carry things that must not reach a log, and
        // an invitation's path carries its token.
        logger.info("\(request.method) \(Route.loggable(request.path)) \(response.status) \(micros)µs id=\(requestID)")
        return response
    }

    /// Routes a request to its controller. Exhaustive over `Route`.
    func dispatch(_ visit: inout Visit) throws -> Response {
        let request = visit.request
        if request.bodyTooLarge || request.body.count > config.maxBodyBytes { throw WebError.payloadTooLarge }
        guard let route = Route(path: request.path) else {
            try visit.loadSession(from: database)
            throw WebError.notFound
        }
        // Organization pages read the session together with the organization, in one trip.
        if case .org = route {} else { try visit.loadSession(from: database) }
        let auth = AuthController(app: self)
        switch (route, request.method) {
        case (.login, "GET"): return try auth.show(visit)
        case (.login, "POST"): return try auth.signIn(&visit)
        case (.logout, "POST"): return try auth.signOut(visit)
        case (.home, "GET"): return try auth.home(visit)
        case (.invitation(let token), "GET"): return try InvitationController(app: self).show(visit, token: token)
        case (.invitation(let token), "POST"): return try InvitationController(app: self).accept(&visit, token: token)
        case (.confirmation(let token), "GET"): return try ConfirmationController(app: self).show(visit, token: token)
        case (.confirmation(let token), "POST"): return try ConfirmationController(app: self).confirm(&visit, token: token)
        case (.org(let key, let orgRoute), _):
            guard let token = visit.token, let (signedIn, view) = try database.signedInOrgView(token: token, orgKey: key) else {
                guard request.method == "GET" else { throw WebError.csrf }
                return .redirect(to: Route.login.path + "?next=" + URLEncodedForm.encode(request.path))
            }
            visit.signedIn = signedIn
            guard let view else { throw DomainError.notFound }
            visit.orgView = view
            return try dispatchOrg(orgRoute, access: view.access, visit: &visit)
        case (.login, _), (.logout, _), (.home, _), (.invitation, _), (.confirmation, _):
            throw WebError.methodNotAllowed
        }
    }

    private func dispatchOrg(_ route: Route.OrgRoute, access: OrgAccess, visit: inout Visit) throws -> Response {
        let method = visit.request.method
        switch (route, method) {
        case (.root, "GET"):
            return .redirect(to: Route.org(access.org.key, .settings(.general)).path)
        case (.settings(.general), "GET"):
            return try GeneralSettingsController(app: self).show(visit, access: access)
        case (.settings(.general), "POST"):
            return try GeneralSettingsController(app: self).update(&visit, access: access)
        case (.settings(.billing), "GET"):
            return try BillingController(app: self).show(visit, access: access)
        case (.logo(let file), "GET"):
            return try GeneralSettingsController(app: self).logo(file, access: access)
        case (.settings(.members), "GET"):
            return try MembersController(app: self).show(visit, access: access)
        case (.settingsPage(.members, let rest), let method):
            guard let page = MembersController.Page(rest) else { throw WebError.notFound }
            if page == .export, method == "GET" { return try MembersExport(app: self).export(visit, access: access) }
            guard method == "POST", page != .export else { throw WebError.methodNotAllowed }
            if page == .invite { return try MembersController(app: self).invite(&visit, access: access) }
            return try MemberActions(app: self).perform(page, &visit, access: access)
        case (.settings(.teams), "GET"):
            return try TeamsController(app: self).list(visit, access: access)
        case (.settings(.teams), "POST"):
            return try TeamsController(app: self).create(&visit, access: access)
        case (.settingsPage(.teams, let rest), let method):
            guard let page = TeamsController.Page(rest) else { throw WebError.notFound }
            if case .team(let id) = page, method == "GET" { return try TeamsController(app: self).show(visit, access: access, teamId: id) }
            guard method == "POST" else { throw WebError.methodNotAllowed }
            return try TeamsController(app: self).perform(page, &visit, access: access)
        case (.settings(.workspaces), "GET"):
            return try WorkspacesController(app: self).list(visit, access: access)
        case (.settings(.workspaces), "POST"):
            return try WorkspacesController(app: self).create(&visit, access: access)
        case (.settingsPage(.workspaces, let rest), let method):
            guard let page = WorkspacesController.Page(rest) else { throw WebError.notFound }
            if case .workspace(let key) = page, method == "GET" { return try WorkspacesController(app: self).show(visit, access: access, key: key) }
            guard method == "POST" else { throw WebError.methodNotAllowed }
            return try WorkspacesController(app: self).perform(page, &visit, access: access)
        case (.settings(.secrets), "GET"):
            return try SecretsController(app: self).show(visit, access: access)
        case (.settings(.secrets), "POST"):
            return try SecretsController(app: self).add(visit, access: access)
        case (.settingsPage(.secrets, let rest), _):
            return try SecretsController(app: self).page(rest, visit, access: access)
        case (.settings(.providers), "GET"):
            return try ProvidersController(app: self).show(visit, access: access)
        case (.settings(.providers), "POST"):
            return try ProvidersController(app: self).add(visit, access: access)
        case (.settingsPage(.providers, let rest), _):
            return try ProvidersController(app: self).page(rest, visit, access: access)
        case (.settings(.chatModels), "GET"):
            return try ChatModelsController(app: self).show(visit, access: access)
        case (.settings(.chatModels), "POST"):
            return try ChatModelsController(app: self).update(visit, access: access)
        case (.settings(.usage), "GET"):
            return try UsageController(app: self).show(visit, access: access)
        case (.settingsPage(.usage, let rest), "GET"):
            return try UsageController(app: self).page(rest, visit: visit, access: access)
        case (.settingsPage, _):
            throw WebError.notFound
        case (.root, _), (.settings, _), (.logo, _):
            throw WebError.methodNotAllowed
        }
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
    case methodNotAllowed
    case csrf
    case payloadTooLarge
    case unsupportedMediaType
    case malformedBody(String)
    case tooManyFields
}

/// Headers on every response: a strict CSP (no inline script), no framing, no sniffing.
enum SecurityHeaders {
    static let all: [(String, String)] = [
        ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
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
