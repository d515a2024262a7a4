import WheelhouseCore

/// What a request's method and path name: a route, a route that takes other methods (405 with
/// `Allow`), or nothing (404). Below an organization the answer waits for the organization check
/// (`orgKey`), so an outsider learns nothing about the pages of an organization that is not theirs
/// and a signed-out visitor is sent to sign in first.
enum RouteMatch: Equatable {
    case found(Route)
    case methodNotAllowed(allowed: [HTTPMethod], orgKey: String?)
    case notFound(orgKey: String?)
}

/// The routes of a tab: its leaves and, once for the whole tab, the action a person needs to open
/// it. The same declaration hides the tab from the navigation and answers 403 before the tab's
/// controller runs (`SettingsTab.requiredAction`), so the two cannot disagree.
public protocol TabRoutes: RouteLeaves {
    static var requiredAction: Action { get }
}

extension SettingsTab {
    /// The action a person needs to open the tab, as its routes type declares it. In enterprise
    /// mode Billing is only the agreement notice, which everyone in the organization may read.
    public func requiredAction(in mode: DeploymentMode) -> Action {
        switch self {
        case .general: GeneralRoute.requiredAction
        case .members: MembersRoute.requiredAction
        case .teams: TeamsRoute.requiredAction
        case .workspaces: WorkspacesRoute.requiredAction
        case .secrets: SecretsRoute.requiredAction
        case .providers: ProvidersRoute.requiredAction
        case .apiKeys: APIKeysRoute.requiredAction
        case .chatModels: ChatModelsRoute.requiredAction
        case .usage: UsageRoute.requiredAction
        case .audit: AuditRoute.requiredAction
        case .privacy: PrivacyRoute.requiredAction
        case .compliance: ComplianceRoute.requiredAction
        case .integrations: IntegrationsRoute.requiredAction
        case .sso: SSORoute.requiredAction
        case .billing: mode == .saas ? BillingRoute.requiredAction : .viewOrganization
        }
    }

    /// Whether the navigation lists the tab for this person: those they may open, except Billing
    /// outside SaaS (its notice is reached from the plan limits it mentions, not from the tabs).
    public func isListed(for access: OrgAccess, in mode: DeploymentMode) -> Bool {
        access.allows(requiredAction(in: mode)) && (self != .billing || mode == .saas)
    }
}

extension Route {
    static func match(method: HTTPMethod?, path: String) -> RouteMatch {
        let segments = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .dropFirst().map { String(decoding: $0, as: UTF8.self) }
        // The request's own method first: one parse for every request that names a route.
        if let method, let found = route(method, segments) { return .found(found) }
        let allowed = HTTPMethod.allCases.filter { $0 != method && route($0, segments) != nil }
        let orgKey = segments.count >= 2 && segments[0] == "orgs" && !segments[1].isEmpty ? segments[1] : nil
        if !allowed.isEmpty { return .methodNotAllowed(allowed: allowed, orgKey: orgKey) }
        // A known tab with an unknown page below it is a 404 of that organization; anything else
        // under /orgs/{org}/ that is not a tab is a plain 404.
        if let orgKey, segments.count >= 4, segments[2] == "settings", SettingsTab(rawValue: segments[3]) != nil {
            return .notFound(orgKey: orgKey)
        }
        return .notFound(orgKey: nil)
    }

    private static func route(_ method: HTTPMethod, _ s: [String]) -> Route? {
        func token(_ t: String) -> Bool { !t.isEmpty && t.utf8.count <= maxTokenLength }
        switch s {
        case [""]: return method == .get ? .home : nil
        case ["login"]: return .login(FormStep(method))
        case ["login", "two-factor"]: return .loginCode(FormStep(method))
        case ["logout"]: return method == .post ? .logout : nil
        case let s where s.count == 2 && s[0] == "invitations" && token(s[1]): return .invitation(s[1], FormStep(method))
        case let s where s.count == 2 && s[0] == "confirm" && token(s[1]): return .confirmation(s[1], FormStep(method))
        case ["password", "forgot"]: return .passwordForgot(FormStep(method))
        case ["sso", "start"]: return .ssoStart(FormStep(method))
        case ["sso", "callback"]: return method == .get ? .ssoCallback : nil
        case ["sso", "continue"]: return method == .get ? .ssoContinue : nil
        case let s where s.count == 3 && s[0] == "password" && s[1] == "reset" && token(s[2]):
            return .passwordReset(s[2], FormStep(method))
        case let s where s.count == 3 && s[0] == "email" && s[1] == "confirm" && token(s[2]):
            return .emailChange(s[2], FormStep(method))
        case let s where s.count == 3 && s[0] == "test-gateway" && s[1] == "challenge" && token(s[2]):
            return .testGatewayChallenge(s[2], FormStep(method))
        // `/account` itself is the profile; `/account/` is no page.
        case let s where !s.isEmpty && s[0] == "account": return AccountRoute(method, s[1...]).map(Route.account)
        case let s where s.count >= 3 && s[0] == "api" && s[1] == "v1": return APIRoute(method, s[2...]).map(Route.api)
        case let s where s.count >= 2 && s[0] == "orgs" && !s[1].isEmpty:
            let rest = s[2...]
            if rest.isEmpty || rest.elementsEqual([""]) { return method == .get ? .org(s[1], .root) : nil }
            if rest.count == 2, rest.first == "logo", !rest.last!.isEmpty {
                return method == .get ? .org(s[1], .logo(file: rest.last!)) : nil
            }
            if rest.first == "overview" { return OverviewRoute(method, rest.dropFirst()).map { .org(s[1], .overview($0)) } }
            guard rest.count >= 2, rest.first == "settings", let tab = SettingsTab(rawValue: rest[rest.startIndex + 1]),
                let leaf = OrgRoute.leaf(tab, method, rest.dropFirst(2))
            else { return nil }
            return .org(s[1], leaf)
        default: return nil
        }
    }
}
