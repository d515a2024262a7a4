import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// The API's main paths in process: a key reads, writes and is refused as documented.
@Suite("JSON API, in process") struct APISmokeTests {
    static func key(_ app: TestApp, scopes: [String]) throws -> String {
        try app.database.createAPIKey(
            orgKey: app.org.key, NewAPIKey(name: "k\(UUID().uuidString.prefix(6))", scopes: scopes, expiry: "30"),
            by: Actor(user: app.owner, address: "127.0.0.1")
        ).secret
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.raw.body)) as? [String: Any])
    }

    @Test func readsWritesAndRefusals() throws {
        let app = try TestApp()
        let client = app.client()
        let read = try Self.key(app, scopes: ["org:read"])
        let write = try Self.key(app, scopes: ["org:write"])
        let auth = { (key: String) in ["authorization": "Bearer \(key)"] }

        let org = client.send("GET", "/api/v1/org", headers: auth(read))
        #expect(org.status == 200)
        #expect(try Self.json(org)["key"] as? String == app.org.key)
        #expect(org.raw.header("API-Scopes") == "org:read")

        let none = client.send("GET", "/api/v1/org")
        #expect(none.status == 401)
        #expect(none.raw.header("Content-Type") == "application/problem+json")
        #expect(try Self.json(none)["type"] as? String == "http://127.0.0.1:8080/problems/key_missing")

        let typo = client.send("GET", "/api/v1/org", headers: auth(String(read.dropLast()) + (read.last == "a" ? "b" : "a")))
        #expect(typo.status == 401)
        #expect(typo.html.contains("key_checksum"))

        let members = client.send("GET", "/api/v1/members?limit=2", headers: auth(read))
        #expect(members.status == 200)
        let list = try Self.json(members)
        #expect((list["members"] as? [Any])?.count == 2)
        #expect(list["nextCursor"] is String)

        let denied = client.send("GET", "/api/v1/audit/events", headers: auth(read))
        #expect(denied.status == 403)
        #expect(denied.raw.header("API-Accepted-Scopes") == "audit:read")

        let body = Array(#"{"name": "From the API", "key": "from-api"}"#.utf8)
        let made = client.send("POST", "/api/v1/workspaces", contentType: "application/json", body: body, headers: auth(write))
        #expect(made.status == 201, "\(made.html)")
        #expect(made.raw.header("Location") == "/api/v1/workspaces/from-api")
        #expect(client.send("GET", "/api/v1/workspaces/from-api", headers: auth(read)).status == 200)
        #expect(client.send("GET", "/api/v1/workspaces/nope", headers: auth(read)).status == 404)

        let events = Array(
            """
            {"events": [
              {"time": "2026-11-20T10:00:00Z", "workspace": "from-api", "kind": "model_call", "status": "success", "provider": "openai",
               "model": "gpt-4o", "input_tokens": 10, "output_tokens": 5, "cost_micros": 1200, "byok": false, "idempotency_key": "e1"},
              {"time": "2026-11-20T10:00:00Z", "workspace": "nowhere", "kind": "model_call", "status": "success", "provider": "openai",
               "model": "gpt-4o", "input_tokens": 10, "output_tokens": 5, "cost_micros": 1200, "byok": false, "idempotency_key": "e2"}
            ]}
            """.utf8)
        let first = client.send("POST", "/api/v1/usage/events", contentType: "application/json", body: events, headers: auth(write))
        #expect(first.status == 200, "\(first.html)")
        let again = try Self.json(
            client.send("POST", "/api/v1/usage/events", contentType: "application/json", body: events, headers: auth(write)))
        let statuses = (again["results"] as? [[String: Any]])?.map { $0["status"] as? String }
        #expect(statuses == ["duplicate", "rejected"], "\(again)")

        let wrongType = client.send("POST", "/api/v1/workspaces", contentType: "text/plain", body: body, headers: auth(write))
        #expect(wrongType.status == 415)
        let unknown = client.send(
            "POST", "/api/v1/workspaces", contentType: "application/json", body: Array(#"{"name": "x", "colour": 1}"#.utf8),
            headers: auth(write))
        #expect(unknown.status == 422)
        #expect(client.send("GET", "/api/v1/openapi.json").status == 200)
    }

    /// The per-key limit: the third request of a window is refused with 429, `Retry-After` and
    /// the draft's fields; another key is counted apart; a refused key is never counted.
    @Test func aKeyOverItsLimitGets429WithTheDraftsFields() throws {
        let app = try TestApp()
        var web = WebApp(
            config: app.app.config, database: app.database, templates: app.app.templates, logos: app.app.logos,
            exports: app.app.exports, logger: app.app.logger, apiRateLimiter: .inMemory(limit: 2))
        web.apiDocument = app.app.apiDocument
        let client = TestClient(app: web)
        let (first, second) = (try Self.key(app, scopes: ["org:read"]), try Self.key(app, scopes: ["org:read"]))
        let auth = { (key: String) in ["authorization": "Bearer \(key)"] }
        for _ in 0..<3 { #expect(client.send("GET", "/api/v1/org", headers: ["authorization": "Bearer whk_nonsense"]).status == 401) }
        let one = client.send("GET", "/api/v1/org", headers: auth(first))
        #expect(one.status == 200)
        #expect(one.raw.header("RateLimit-Policy") == "\"default\";q=2;w=60")
        #expect(one.raw.header("RateLimit")?.hasPrefix("\"default\";r=1;t=") == true)
        #expect(client.send("GET", "/api/v1/org", headers: auth(first)).status == 200)
        let refused = client.send("GET", "/api/v1/org", headers: auth(first))
        #expect(refused.status == 429)
        #expect(refused.raw.header("Content-Type") == "application/problem+json")
        #expect(refused.html.contains("rate_limited"))
        let wait = try #require(refused.raw.header("Retry-After").flatMap(Int.init))
        #expect((1...60).contains(wait))
        #expect(refused.raw.header("RateLimit")?.hasPrefix("\"default\";r=0;t=") == true)
        #expect(client.send("GET", "/api/v1/org", headers: auth(second)).status == 200)
    }
}

extension APISmokeTests {
    /// Sending usage is a write: a key whose maker lost the role may read, not send.
    @Test func aKeyWhoseMakerIsNowAMemberCannotSendUsage() throws {
        let app = try TestApp()
        let key = try app.database.createAPIKey(
            orgKey: app.org.key, NewAPIKey(name: "ingest", scopes: ["usage:write", "usage:read"], expiry: "30"),
            by: Actor(user: app.admin, address: "127.0.0.1")
        ).secret
        let version = try app.database.read { db in
            try Int.fetchOne(db, sql: "SELECT version FROM membership WHERE userId = ?", arguments: [app.admin.id!])
        }
        try app.database.changeRole(
            orgKey: app.org.key, userId: app.admin.id!, to: .member, expectedVersion: version ?? 1,
            by: Actor(user: app.owner, address: "127.0.0.1"))
        let client = app.client()
        let body = Array(#"{"events": []}"#.utf8)
        let refused = client.send(
            "POST", "/api/v1/usage/events", contentType: "application/json", body: body, headers: ["authorization": "Bearer \(key)"])
        #expect(refused.status == 403)
        #expect(refused.html.contains("maker_role"))
        #expect(client.send("GET", "/api/v1/usage/summary", headers: ["authorization": "Bearer \(key)"]).status == 200)
    }
}
