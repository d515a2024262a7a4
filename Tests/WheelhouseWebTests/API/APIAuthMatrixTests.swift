import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// Every API route × every way a key can be refused, and × every single scope. The routes come
/// from `APIRoute.examples`, so a new route fails here until this table says who may call it.
@Suite("JSON API, keys × routes") struct APIAuthMatrixTests {
    /// The single scopes that let a key call each route, written out rather than derived from
    /// `APIScope.implied`, so a change to the implication table is a change to this table too.
    static let allowedBy: [String: Set<APIScope>] = [
        "GET org": [.orgRead, .orgWrite],
        "GET entitlements": [.orgRead, .orgWrite],
        "GET members": [.orgRead, .orgWrite, .membersRead],
        "POST members/invitations": [.membersWrite],
        "GET workspaces": [.orgRead, .orgWrite, .workspacesRead],
        "GET workspaces/{key}": [.orgRead, .orgWrite, .workspacesRead],
        "POST workspaces": [.orgWrite, .workspacesWrite],
        "POST usage/events": [.orgWrite, .usageWrite],
        "GET usage/daily": [.orgRead, .orgWrite, .usageRead],
        "GET usage/summary": [.orgRead, .orgWrite, .usageRead],
        "GET audit/events": [.auditRead],
    ]

    static let allScopes = APIScope.allCases.map(\.rawValue)

    /// The routes that need a key (all but the OpenAPI document), with the name the table uses.
    static var keyedRoutes: [(name: String, route: APIRoute)] {
        APIRoute.examples.filter { $0.scope != nil }.map { ("\($0.method.rawValue) \($0.pattern)", $0) }
    }

    /// The matrix's world: enterprise mode, so the plan's workspace limit does not end the
    /// successful creations early; a shared workspace `example` in acme only.
    static func world() throws -> APIWorld {
        let w = try APIWorld(mode: .enterprise)
        try w.database.createWorkspace(orgId: w.t.org.id!, key: "example", name: "Example", shared: true)
        return w
    }

    /// Calls `route` with a body that succeeds when the key may call it; each call's body is new,
    /// so successes do not collide (a second invitation of one address would be refused).
    final class Caller {
        let w: APIWorld
        var n = 0
        var seen: [TestResponse] = []
        init(_ w: APIWorld) { self.w = w }

        func call(_ route: APIRoute, key: String?, headers: [String: String] = [:]) -> TestResponse {
            n += 1
            let body: String? =
                switch route {
                case .invite: #"{"emails": ["person\#(n)@new.test"]}"#
                case .createWorkspace: #"{"name": "Made \#(n)", "key": "made-\#(n)"}"#
                case .usageEvents: APIWorld.events([APIWorld.event("matrix-\(n)")])
                default: nil
                }
            let response = w.call(route.method.rawValue, Route.api(route).path, key: key, json: body, headers: headers)
            seen.append(response)
            return response
        }
    }

    static func successStatus(_ route: APIRoute) -> Int { route.method == .post && route != .usageEvents ? 201 : 200 }

    @Test func everyRouteHasARowAndNoRouteManagesKeys() {
        let names = Set(Self.keyedRoutes.map(\.name))
        #expect(names == Set(Self.allowedBy.keys), "a route without a row, or a row without a route")
        #expect(APIRoute.examples.filter { $0.scope == nil } == [.openAPI])
        // No literal segment of any route speaks of keys, tokens or secrets: the API cannot reach them.
        let words = ["key", "keys", "api-keys", "apikeys", "api_keys", "token", "tokens", "secret", "secrets", "credentials"]
        for route in APIRoute.examples {
            let literals = route.pattern.split(separator: "/").filter { !$0.hasPrefix("{") }.map { $0.lowercased() }
            #expect(!literals.contains { words.contains($0) }, "\(route.pattern)")
        }
        #expect(!APIScope.allCases.contains { $0.rawValue.hasPrefix("key") || $0.rawValue.contains("api") })
    }

    @Test func everyRefusalOfAKeyIsA401WithItsCode() throws {
        let w = try Self.world()
        let good = try w.key(Self.allScopes).secret
        let revoked = try w.key(Self.allScopes)
        try w.database.revokeAPIKey(
            orgKey: "acme", id: revoked.key.id, expectedVersion: revoked.key.version, by: Actor(user: w.t.owner, address: "t"))
        let expiring = try w.key(Self.allScopes, expiry: "7").secret
        let longLived = try w.key(Self.allScopes, expiry: "365").secret
        try w.database.setAPIKeyPolicy(orgKey: "acme", value: "90", expectedVersion: 0, by: Actor(user: w.t.owner, address: "t"))
        w.clock.advance(8 * 86_400)
        let typo = String(good.dropLast()) + (good.last == "a" ? "b" : "a")
        let cases: [(String, [String: String], String)] = [
            ("no key", [:], "key_missing"),
            ("Basic credentials", ["authorization": "Basic dXNlcjpwYXNz"], "key_missing"),
            ("a key without the Bearer scheme", ["authorization": good], "key_missing"),
            ("Bearer and nothing", ["authorization": "Bearer "], "key_missing"),
            ("another vendor's key", ["authorization": "Bearer sk-live-1234567890abcdef"], "key_malformed"),
            ("a truncated key", ["authorization": "Bearer " + good.prefix(20)], "key_malformed"),
            ("a typo", ["authorization": "Bearer " + typo], "key_checksum"),
            ("an unknown key", ["authorization": "Bearer " + APIKeyFormat.generate()], "key_unknown"),
            ("a revoked key", ["authorization": "Bearer " + revoked.secret], "key_revoked"),
            ("an expired key", ["authorization": "Bearer " + expiring], "key_expired"),
            ("a key the policy blocks", ["authorization": "Bearer " + longLived], "key_blocked_by_policy"),
        ]
        let caller = Caller(w)
        let before = try w.counts()
        for (name, route) in Self.keyedRoutes {
            for (label, headers, code) in cases {
                let response = caller.call(route, key: nil, headers: headers)
                #expect(response.status == 401, "\(name) with \(label)")
                #expect(APIWorld.code(response) == code, "\(name) with \(label): \(response.html)")
                #expect(response.raw.header("WWW-Authenticate")?.hasPrefix("Bearer realm=") == true, "\(name) with \(label)")
                #expect(response.raw.header("API-Scopes") == nil, "\(name) with \(label): a refused key's scopes are not told")
            }
        }
        #expect(try w.counts() == before, "a refused request changed nothing")
        // The same routes with a good key answer: the refusals above were the keys' alone.
        for (name, route) in Self.keyedRoutes {
            let accepted = caller.call(route, key: good)
            #expect(accepted.status == Self.successStatus(route), "\(name): \(accepted.html)")
        }
        // The scheme's name is case-insensitive (RFC 7235).
        #expect(caller.call(.org, key: nil, headers: ["authorization": "bearer \(good)"]).status == 200)
        Self.checkHeaders(caller.seen)
    }

    @Test func eachSingleScopeReachesExactlyItsRoutes() throws {
        let w = try Self.world()
        let caller = Caller(w)
        for scope in APIScope.allCases {
            let key = try w.key([scope.rawValue]).secret
            for (name, route) in Self.keyedRoutes {
                let allowed = Self.allowedBy[name] ?? []
                let response = caller.call(route, key: key)
                #expect(response.raw.header("API-Scopes") == scope.rawValue, "\(scope.rawValue) on \(name)")
                if allowed.contains(scope) {
                    #expect(response.status == Self.successStatus(route), "\(scope.rawValue) on \(name): \(response.html)")
                } else {
                    #expect(response.status == 403, "\(scope.rawValue) on \(name): \(response.html)")
                    #expect(APIWorld.code(response) == "scope_missing", "\(scope.rawValue) on \(name)")
                    let accepted = APIScope.allCases.filter(allowed.contains).map(\.rawValue).joined(separator: ", ")
                    #expect(response.raw.header("API-Accepted-Scopes") == accepted, "\(scope.rawValue) on \(name)")
                    #expect(response.html.contains(route.scope!.rawValue), "the problem names the scope needed")
                }
            }
        }
        // The document describing the API needs no key, and ignores one.
        #expect(caller.call(.openAPI, key: nil).status == 200)
        #expect(caller.call(.openAPI, key: "nonsense").status == 200)
        Self.checkHeaders(caller.seen)
    }

    @Test func anotherOrganizationsKeySeesNothingOfThisOne() throws {
        let w = try Self.world()
        let caller = Caller(w)
        let theirs = try w.key(Self.allScopes, org: "other").secret
        let ours = try w.key(Self.allScopes).secret
        for (name, route) in Self.keyedRoutes {
            let response = caller.call(route, key: theirs)
            let expected = route == .workspace("example") ? 404 : Self.successStatus(route)
            #expect(response.status == expected, "\(name) with other's key: \(response.html)")
        }
        // Acme's workspace is not found with other's key, as a workspace that exists nowhere.
        let missing = w.call("GET", "workspaces/example", key: theirs)
        #expect(APIWorld.code(missing) == "not_found")
        #expect(w.call("GET", "workspaces/example", key: ours).status == 200)
        #expect(APIWorld.json(w.call("GET", "org", key: theirs))["key"] as? String == "other")
        let members = w.call("GET", "members", key: theirs).html
        #expect(!members.contains("@acme.test") && members.contains("out@other.test"))
        let acmeEvents = Set(try w.database.auditEvents(orgId: w.t.org.id!).compactMap(\.id))
        let seen = (APIWorld.json(w.call("GET", "audit/events", key: theirs))["events"] as? [[String: Any]] ?? [])
            .compactMap { ($0["id"] as? NSNumber)?.int64Value }
        #expect(!seen.isEmpty && acmeEvents.isDisjoint(with: seen))
        // An event naming acme sent with other's key is refused, and acme's usage is untouched.
        let before = try w.counts()
        let sent = APIWorld.json(
            w.call("POST", "usage/events", key: theirs, json: APIWorld.events([APIWorld.event("x1", extra: #", "org": "acme""#)])))
        #expect((sent["results"] as? [[String: Any]])?.first?["status"] as? String == "rejected", "\(sent)")
        #expect(try w.counts() == before)
        Self.checkHeaders(caller.seen)
    }

    @Test func keyManagementIsNeverReachableThroughTheAPI() throws {
        let w = try Self.world()
        var keys = try APIScope.allCases.map { try w.key([$0.rawValue]) }
        keys.append(try w.key(Self.allScopes))
        let target = keys[0].key.id
        let paths = [
            "api-keys", "api-keys/\(target)", "api-keys/\(target)/rotate", "api-keys/\(target)/revoke", "keys", "keys/\(target)",
            "apikeys", "api_keys", "tokens", "org/api-keys", "org/keys", "org/api-key-policy", "org/settings/api-keys",
            "orgs/acme/settings/api-keys", "orgs/acme/settings/api-keys/\(target)/revoke", "orgs/acme/settings/api-keys/policy",
            "settings/api-keys", "members/api-keys", "usage/api-keys", "api-keys/policy",
        ]
        let before = try w.counts()
        let keysBefore = try w.database.read { db in try String.fetchAll(db, sql: "SELECT id || ':' || version FROM apiKey ORDER BY id") }
        var seen: [TestResponse] = []
        for issued in keys {
            for path in paths {
                for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
                    let response = w.call(
                        method, path, key: issued.secret, json: #"{"name": "x", "scopes": ["org:write"], "policy": "none"}"#)
                    #expect([404, 405].contains(response.status), "\(method) \(path) with \(issued.key.scopes): \(response.status)")
                    seen.append(response)
                }
            }
        }
        #expect(try w.counts() == before)
        #expect(
            try w.database.read { db in try String.fetchAll(db, sql: "SELECT id || ':' || version FROM apiKey ORDER BY id") } == keysBefore)
        Self.checkHeaders(seen)
    }

    @Test func aSignedInBrowserGetsNothingFromTheAPI() throws {
        let w = try Self.world()
        let browser = try w.t.client(signedInAs: "owner@acme.test")
        #expect(browser.cookies["wh_session"] != nil)
        for (name, route) in Self.keyedRoutes {
            let response = browser.send(
                route.method.rawValue, Route.api(route).path, contentType: "application/json", body: Array("{}".utf8),
                headers: ["origin": "https://evil.example", "x-csrf-token": browser.cookies["wh_session"] ?? ""])
            #expect(response.status == 401, "\(name)")
            #expect(APIWorld.code(response) == "key_missing", "\(name)")
            Self.checkHeaders([response])
        }
    }

    /// What every API answer carries, and what none does: no cookie (keys are for servers), no
    /// CORS header (a page in a browser has no business calling the API), and a request id.
    static func checkHeaders(_ responses: [TestResponse], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!responses.isEmpty, sourceLocation: sourceLocation)
        for response in responses {
            let names = response.raw.headers.map { $0.0.lowercased() }
            #expect(!names.contains("set-cookie"), "\(response)", sourceLocation: sourceLocation)
            #expect(!names.contains { $0.hasPrefix("access-control-") }, "\(response)", sourceLocation: sourceLocation)
            #expect(response.raw.header("X-Request-Id")?.isEmpty == false, "\(response)", sourceLocation: sourceLocation)
            let type = response.raw.header("Content-Type") ?? ""
            #expect(
                type == "application/json" || type == "application/problem+json", "\(response): \(type)", sourceLocation: sourceLocation)
        }
    }
}
