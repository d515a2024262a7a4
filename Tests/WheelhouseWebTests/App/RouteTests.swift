import Foundation
import Testing
@testable import WheelhouseWeb

/// The route tree parses what it prints, for every kind of route it has, and nothing else.
@Suite("Route tree") struct RouteTests {
    @Test(arguments: Route.examples)
    func everyRoutePrintsAPathThatParsesBackToIt(_ route: Route) {
        #expect(Route(method: route.method, path: route.path) == route, "\(route.method.rawValue) \(route.path)")
    }

    @Test func examplesCoverEveryPatternOfEveryTab() {
        let leaves = Route.examples.compactMap { route -> String? in
            guard case .org(_, let org) = route, let tab = org.tab else { return nil }
            return "\(tab.rawValue) \(org.method.rawValue) \(org.leaf!.segments.count)"
        }
        let patterns =
            GeneralRoute.patterns.count + MembersRoute.patterns.count + TeamsRoute.patterns.count
            + WorkspacesRoute.patterns.count + SecretsRoute.patterns.count + ProvidersRoute.patterns.count
            + APIKeysRoute.patterns.count
            + ChatModelsRoute.patterns.count + UsageRoute.patterns.count + BillingRoute.patterns.count
            + AuditRoute.patterns.count + PrivacyRoute.patterns.count + ComplianceRoute.patterns.count
            + IntegrationsRoute.patterns.count
            + SSORoute.patterns.count
        #expect(leaves.count == patterns)
        let account = Route.examples.filter { if case .account = $0 { true } else { false } }
        #expect(account.count == AccountRoute.patterns.count)
        #expect(
            account.map(\.kind) == [
                "GET /account", "POST /account", "GET /account/security", "POST /account/security/password",
                "GET /account/notifications", "POST /account/notifications/{id}/read", "POST /account/notifications/read-all",
                "GET /account/security/sessions", "POST /account/security/sessions/{key}/end",
                "POST /account/security/sessions/end-others", "GET /account/security/two-factor",
                "POST /account/security/two-factor", "POST /account/security/two-factor/disable",
                "POST /account/avatar", "GET /account/avatar/{key}", "POST /account/default-organization", "POST /account/email",
                "GET /account/delete", "POST /account/delete", "GET /account/organizations/new", "POST /account/organizations/new",
                "POST /account/notifications/preferences",
                "GET /account/preferences", "POST /account/preferences", "POST /account/preferences/tutorial",
                "POST /account/preferences/widgets/reset",
            ])
        let overview = Route.examples.compactMap { route -> String? in
            guard case .org(_, .overview) = route else { return nil }
            return route.kind
        }
        #expect(overview.count == OverviewRoute.patterns.count)
        #expect(overview.contains("POST /orgs/{org}/overview/widgets/{key}/up"))
        #expect(
            Set(Route.examples.map { "\($0.method.rawValue) \($0.path)" }).count == Route.examples.count,
            "two routes print the same method and path")
    }

    @Test func pathsThatAreNotRoutes() {
        for path in [
            "", "//", "/orgs", "/orgs/", "/orgs//settings/general", "/orgs/acme/settings", "/orgs/acme/settings/",
            "/orgs/acme/settings/unknown", "/orgs/acme/logo/", "/orgs/acme/settings/general/extra/",
            "/orgs/acme/settings/general//x", "/login/", "/orgs/acme/settings/teams/007", "/orgs/acme/settings/teams/-1",
            "/orgs/acme/settings/members/0/role", "/invitations/" + String(repeating: "a", count: 101),
            "/account/", "/account//", "/account/security/", "/account/security/password/x", "/password", "/password/",
            "/password/forgot/", "/password/reset", "/password/reset/", "/password/reset/" + String(repeating: "a", count: 101),
            "/password/reset/a/b", "/account/notifications/", "/account/notifications/0/read", "/account/notifications/-1/read",
            "/account/notifications/x/read", "/account/notifications/99999999999999999999/read", "/account/notifications/read-all/x",
            "/account/security/sessions/", "/account/security/sessions//end", "/test-gateway/challenge/", "/test-gateway/challenge/a/b",
            "/test-gateway", "/orgs/acme/settings/billing/invoices/0/pdf", "/orgs/acme/settings/billing/invoices/1/pdf/x",
            "/orgs/acme/settings/billing/credits/buy/x", "/orgs/acme/settings/billing/payments/abc", "/account/security/two-factor/x",
            "/login/two-factor/",
            "/orgs/acme/overview", "/orgs/acme/overview/", "/orgs/acme/overview/widgets/usage", "/orgs/acme/overview/widgets//up",
            "/orgs/acme/overview/widgets/usage/sideways", "/orgs/acme/overview/tutorial", "/account/preferences/",
            "/account/preferences/widgets", "/account/preferences/tutorial/x",
        ] {
            for method in HTTPMethod.allCases {
                #expect(Route(method: method, path: path) == nil, "\(method.rawValue) \(path)")
            }
        }
    }

    @Test func aPathOfAnotherMethodIsA405AndBelowAnOrganizationWaitsForTheOrgCheck() {
        #expect(
            Route.match(method: .post, path: "/orgs/acme/settings/members/export.csv")
                == .methodNotAllowed(allowed: [.get], orgKey: "acme"))
        #expect(Route.match(method: nil, path: "/login") == .methodNotAllowed(allowed: [.get, .post], orgKey: nil))
        #expect(Route.match(method: .get, path: "/orgs/acme/settings/members/nothing") == .notFound(orgKey: "acme"))
        #expect(Route.match(method: .get, path: "/orgs/acme/settings/nothing") == .notFound(orgKey: nil))
    }

    @Test func a405SaysWhichMethodsTheAddressTakes() throws {
        let client = try TestApp().client()
        let response = client.send("DELETE", "/login")
        #expect(response.status == 405)
        #expect(response.raw.header("Allow") == "GET, HEAD, POST")
        #expect(client.send("PUT", "/logout").raw.header("Allow") == "POST")
    }

    @Test func everyTabsPathIsItsSlug() {
        for tab in SettingsTab.allCases {
            #expect(tab.path == "/settings/\(tab.rawValue)")
            #expect(Route.org("acme", .home(tab)).path == "/orgs/acme/settings/\(tab.rawValue)")
        }
    }

    /// The hand-written encoder gives what Foundation's `addingPercentEncoding` gave before it.
    @Test(arguments: ["", "plain", "a b", "a&b=c", "é", "日本語", "x+y/z~_.-", "%41", "emoji 🙂", "ÀÉÎ", "tab\there", "١٢٣"])
    func percentEncodingMatchesFoundation(_ text: String) {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        #expect(URLEncodedForm.encode(text) == text.addingPercentEncoding(withAllowedCharacters: allowed))
    }

    @Test func queriesAreEncodedOnce() {
        let route = Route.org("acme", .members(.list))
        #expect(route.path(query: [("q", "a&b c"), ("page", "2")]) == "/orgs/acme/settings/members?q=a%26b%20c&page=2")
        #expect(route.path(query: []) == "/orgs/acme/settings/members")
    }
}
