/// Every page and form of the console, down to the leaf: `Route(method:path:)` parses a request,
/// `path` prints a route back, so a link can only point at a route that exists and no controller
/// or template assembles a URL. `WebApp.dispatch` switches over all cases, so a new route does not
/// compile until it is handled.
///
/// Each settings tab owns its routes type in its folder (`Settings/<Tab>/<Tab>Routes.swift`);
/// `account` and `api` are the branches for the Account area and the JSON API.
public enum Route: Equatable, Sendable {
    case home
    case login(FormStep)
    /// `/login/two-factor`: the code asked for after the password when two-factor is on.
    case loginCode(FormStep)
    case logout
    /// `/invitations/{token}`: the page an invitation email links to.
    case invitation(String, FormStep)
    /// `/confirm/{token}`: the link that confirms the email of an account created through an invitation.
    case confirmation(String, FormStep)
    /// `/password/forgot`: asks for a reset link by email (signed out, like the sign-in page).
    case passwordForgot(FormStep)
    /// `/password/reset/{token}`: the link a reset email carries; sets a new password.
    case passwordReset(String, FormStep)
    /// `/email/confirm/{token}`: the link mailed to a new address; moves the account to it.
    case emailChange(String, FormStep)
    /// `/test-gateway/challenge/{id}`: the test gateway's authentication page (Complete / Fail).
    case testGatewayChallenge(String, FormStep)
    /// `/sso/start`: sign in with SSO by work email or organization key (GET the form, POST leaves for the provider).
    case ssoStart(FormStep)
    /// `/sso/callback`: where the provider sends the browser back with `code` and `state`.
    case ssoCallback
    /// `/sso/continue`: the page that waits, without script, for the worker's code exchange.
    case ssoContinue
    case org(String, OrgRoute)
    case account(AccountRoute)
    case api(APIRoute)

    /// A page with one form posted back to its own address: `show` (GET) and `submit` (POST).
    public enum FormStep: Equatable, Sendable, CaseIterable {
        case show, submit
        var method: HTTPMethod { self == .show ? .get : .post }
        init(_ method: HTTPMethod) { self = method == .get ? .show : .submit }
    }

    /// The longest token a link may carry; longer ones are not links of ours.
    static let maxTokenLength = 100

    public init?(method: HTTPMethod, path: String) {
        guard case .found(let route) = Self.match(method: method, path: path) else { return nil }
        self = route
    }

    public var method: HTTPMethod {
        switch self {
        case .home: .get
        case .login(let step), .loginCode(let step), .invitation(_, let step), .confirmation(_, let step),
            .passwordForgot(let step), .passwordReset(_, let step),
            .emailChange(_, let step), .testGatewayChallenge(_, let step), .ssoStart(let step):
            step.method
        case .ssoCallback, .ssoContinue: .get
        case .logout: .post
        case .org(_, let route): route.method
        case .account(let route): route.method
        case .api(let route): route.method
        }
    }

    public var path: String {
        switch self {
        case .home: "/"
        case .login: "/login"
        case .loginCode: "/login/two-factor"
        case .logout: "/logout"
        case .invitation(let token, _): "/invitations/\(token)"
        case .confirmation(let token, _): "/confirm/\(token)"
        case .passwordForgot: "/password/forgot"
        case .passwordReset(let token, _): "/password/reset/\(token)"
        case .emailChange(let token, _): "/email/confirm/\(token)"
        case .testGatewayChallenge(let id, _): "/test-gateway/challenge/\(id)"
        case .ssoStart: "/sso/start"
        case .ssoCallback: "/sso/callback"
        case .ssoContinue: "/sso/continue"
        case .org(let key, let route): route.path(below: key)
        case .account(let route): "/account" + Self.joined(route.segments)
        case .api(let route): "/api/v1" + Self.joined(route.segments)
        }
    }

    /// The path with a query string; the names and values are percent-encoded here, once.
    public func path(query items: [(String, String)]) -> String {
        path(query: Query(items))
    }

    /// The path with a query encoded beforehand, for many links that share one (a list's rows).
    public func path(query: Query) -> String {
        query.encoded.isEmpty ? path : path + "?" + query.encoded
    }

    /// A query string, encoded once.
    public struct Query: Sendable {
        let encoded: String

        public init(_ items: [(String, String)]) {
            encoded = items.map { "\($0.0)=\(URLEncodedForm.encode($0.1))" }.joined(separator: "&")
        }
    }

    static func joined(_ segments: [String]) -> String {
        var out = ""
        append(segments, to: &out)
        return out
    }

    /// `/a/b/c` appended in place, with room made once.
    static func append(_ segments: [String], to out: inout String) {
        var length = out.utf8.count
        for segment in segments { length += 1 + segment.utf8.count }
        out.reserveCapacity(length)
        for segment in segments {
            out += "/"
            out += segment
        }
    }

    /// The route's kind: its method and path with the keys, ids and tokens left as placeholders,
    /// e.g. `POST /orgs/{org}/settings/members/{id}/role`. Tests that must cover every route
    /// compare kinds.
    public var kind: String {
        let path: String =
            switch self {
            case .home: "/"
            case .login: "/login"
            case .loginCode: "/login/two-factor"
            case .logout: "/logout"
            case .invitation: "/invitations/{token}"
            case .confirmation: "/confirm/{token}"
            case .passwordForgot: "/password/forgot"
            case .passwordReset: "/password/reset/{token}"
            case .emailChange: "/email/confirm/{token}"
            case .testGatewayChallenge: "/test-gateway/challenge/{token}"
            case .ssoStart: "/sso/start"
            case .ssoCallback: "/sso/callback"
            case .ssoContinue: "/sso/continue"
            case .org(_, .root): "/orgs/{org}"
            case .org(_, .logo): "/orgs/{org}/logo/{file}"
            case .org(_, .overview(let route)): "/orgs/{org}/overview/" + route.pattern
            case .org(_, let route):
                "/orgs/{org}/settings/\(route.tab!.rawValue)" + (route.leaf!.pattern.isEmpty ? "" : "/" + route.leaf!.pattern)
            case .account(let route): route.pattern.isEmpty ? "/account" : "/account/" + route.pattern
            case .api(let route): "/api/v1/" + route.pattern
            }
        return "\(method.rawValue) \(path)"
    }

    /// A request path as the log may show it: an invitation, confirmation or reset link's token is replaced.
    public static func loggable(_ path: String) -> String {
        for prefix in ["/invitations/", "/confirm/", "/password/reset/", "/email/confirm/", "/test-gateway/challenge/"]
        where path.hasPrefix(prefix) {
            return prefix + "…"
        }
        return path
    }

    /// Every kind of route, with example keys, ids and tokens: what the tests that must cover
    /// every route walk.
    public static var examples: [Route] {
        [.home] + FormStep.allCases.map { .login($0) } + FormStep.allCases.map { .loginCode($0) } + [.logout]
            + FormStep.allCases.map { .invitation("example-token", $0) }
            + FormStep.allCases.map { .confirmation("example-token", $0) }
            + FormStep.allCases.map { .passwordForgot($0) } + FormStep.allCases.map { .passwordReset("example-token", $0) }
            + FormStep.allCases.map { .emailChange("example-token", $0) }
            + FormStep.allCases.map { .testGatewayChallenge("example-token", $0) }
            + OrgRoute.examples.map { .org("example", $0) }
            + AccountRoute.examples.map(Route.account) + APIRoute.examples.map(Route.api)
            + FormStep.allCases.map { .ssoStart($0) } + [.ssoCallback, .ssoContinue]
    }
}

/// Pages under `/orgs/{org}/`: one case per settings tab, carrying the tab's own routes.
public enum OrgRoute: Equatable, Sendable {
    /// `/orgs/{org}`: the overview (widgets, readiness checklist, tutorial).
    case root
    /// `/orgs/{org}/logo/{file}`: the organization's logo.
    case logo(file: String)
    case general(GeneralRoute)
    case members(MembersRoute)
    case teams(TeamsRoute)
    case workspaces(WorkspacesRoute)
    case secrets(SecretsRoute)
    case providers(ProvidersRoute)
    case apiKeys(APIKeysRoute)
    case chatModels(ChatModelsRoute)
    case usage(UsageRoute)
    case billing(BillingRoute)
    case audit(AuditRoute)
    case privacy(PrivacyRoute)
    case compliance(ComplianceRoute)
    case integrations(IntegrationsRoute)
    case sso(SSORoute)
    /// `/orgs/{org}/overview/…`: the overview's posts.
    case overview(OverviewRoute)

    /// The page a tab opens on: the navigation's link.
    public static func home(_ tab: SettingsTab) -> OrgRoute {
        switch tab {
        case .general: .general(.show)
        case .members: .members(.list)
        case .teams: .teams(.list)
        case .workspaces: .workspaces(.list)
        case .secrets: .secrets(.list)
        case .providers: .providers(.list)
        case .apiKeys: .apiKeys(.list)
        case .chatModels: .chatModels(.show)
        case .usage: .usage(.show)
        case .billing: .billing(.show)
        case .audit: .audit(.show)
        case .privacy: .privacy(.show)
        case .compliance: .compliance(.show)
        case .integrations: .integrations(.show)
        case .sso: .sso(.show)
        }
    }

    /// The tab this route belongs to; nil for the root and the logo.
    public var tab: SettingsTab? {
        switch self {
        case .root, .logo, .overview: nil
        case .general: .general
        case .members: .members
        case .teams: .teams
        case .workspaces: .workspaces
        case .secrets: .secrets
        case .providers: .providers
        case .apiKeys: .apiKeys
        case .chatModels: .chatModels
        case .usage: .usage
        case .billing: .billing
        case .audit: .audit
        case .privacy: .privacy
        case .compliance: .compliance
        case .integrations: .integrations
        case .sso: .sso
        }
    }

    /// The leaf below the tab, as the tab's own routes type sees it.
    var leaf: (any RouteLeaves)? {
        switch self {
        case .root, .logo: nil
        case .overview(let r): r
        case .general(let r): r
        case .members(let r): r
        case .teams(let r): r
        case .workspaces(let r): r
        case .secrets(let r): r
        case .providers(let r): r
        case .apiKeys(let r): r
        case .chatModels(let r): r
        case .usage(let r): r
        case .billing(let r): r
        case .audit(let r): r
        case .privacy(let r): r
        case .compliance(let r): r
        case .integrations(let r): r
        case .sso(let r): r
        }
    }

    public var method: HTTPMethod { leaf?.method ?? .get }

    /// `/orgs/{key}` and the rest, built in one string: every link of every page goes through here.
    func path(below key: String) -> String {
        var out = "/orgs/"
        out.reserveCapacity(64)
        out += key
        switch self {
        case .root: break
        case .logo(let file): out += "/logo/"; out += file
        case .overview(let r):
            out += "/overview"
            Route.append(r.segments, to: &out)
        case .general(let r): Self.append(.general, r.segments, to: &out)
        case .members(let r): Self.append(.members, r.segments, to: &out)
        case .teams(let r): Self.append(.teams, r.segments, to: &out)
        case .workspaces(let r): Self.append(.workspaces, r.segments, to: &out)
        case .secrets(let r): Self.append(.secrets, r.segments, to: &out)
        case .providers(let r): Self.append(.providers, r.segments, to: &out)
        case .apiKeys(let r): Self.append(.apiKeys, r.segments, to: &out)
        case .chatModels(let r): Self.append(.chatModels, r.segments, to: &out)
        case .usage(let r): Self.append(.usage, r.segments, to: &out)
        case .billing(let r): Self.append(.billing, r.segments, to: &out)
        case .audit(let r): Self.append(.audit, r.segments, to: &out)
        case .privacy(let r): Self.append(.privacy, r.segments, to: &out)
        case .compliance(let r): Self.append(.compliance, r.segments, to: &out)
        case .integrations(let r): Self.append(.integrations, r.segments, to: &out)
        case .sso(let r): Self.append(.sso, r.segments, to: &out)
        }
        return out
    }

    private static func append(_ tab: SettingsTab, _ segments: [String], to out: inout String) {
        out += tab.path
        Route.append(segments, to: &out)
    }

    /// The tab's leaf for a method and the segments below `/settings/{tab}`.
    static func leaf(_ tab: SettingsTab, _ method: HTTPMethod, _ rest: ArraySlice<String>) -> OrgRoute? {
        switch tab {
        case .general: GeneralRoute(method, rest).map(OrgRoute.general)
        case .members: MembersRoute(method, rest).map(OrgRoute.members)
        case .teams: TeamsRoute(method, rest).map(OrgRoute.teams)
        case .workspaces: WorkspacesRoute(method, rest).map(OrgRoute.workspaces)
        case .secrets: SecretsRoute(method, rest).map(OrgRoute.secrets)
        case .providers: ProvidersRoute(method, rest).map(OrgRoute.providers)
        case .apiKeys: APIKeysRoute(method, rest).map(OrgRoute.apiKeys)
        case .chatModels: ChatModelsRoute(method, rest).map(OrgRoute.chatModels)
        case .usage: UsageRoute(method, rest).map(OrgRoute.usage)
        case .billing: BillingRoute(method, rest).map(OrgRoute.billing)
        case .audit: AuditRoute(method, rest).map(OrgRoute.audit)
        case .privacy: PrivacyRoute(method, rest).map(OrgRoute.privacy)
        case .compliance: ComplianceRoute(method, rest).map(OrgRoute.compliance)
        case .integrations: IntegrationsRoute(method, rest).map(OrgRoute.integrations)
        case .sso: SSORoute(method, rest).map(OrgRoute.sso)
        }
    }

    static var examples: [OrgRoute] {
        [.root, .logo(file: "example.png")]
            + GeneralRoute.examples.map(OrgRoute.general) + MembersRoute.examples.map(OrgRoute.members)
            + TeamsRoute.examples.map(OrgRoute.teams) + WorkspacesRoute.examples.map(OrgRoute.workspaces)
            + SecretsRoute.examples.map(OrgRoute.secrets) + ProvidersRoute.examples.map(OrgRoute.providers)
            + APIKeysRoute.examples.map(OrgRoute.apiKeys)
            + ChatModelsRoute.examples.map(OrgRoute.chatModels) + UsageRoute.examples.map(OrgRoute.usage)
            + BillingRoute.examples.map(OrgRoute.billing) + AuditRoute.examples.map(OrgRoute.audit)
            + PrivacyRoute.examples.map(OrgRoute.privacy)
            + ComplianceRoute.examples.map(OrgRoute.compliance) + OverviewRoute.examples.map(OrgRoute.overview)
            + IntegrationsRoute.examples.map(OrgRoute.integrations)
            + SSORoute.examples.map(OrgRoute.sso)
    }
}
