import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// `api/openapi.json` against the code: the same routes and scopes both ways, the same enums,
/// and every answer the API gives in process conforming to what the document says of it.
@Suite("OpenAPI document") struct OpenAPIDocumentTests {
    static func document(_ app: TestApp) throws -> OpenAPIConformance { try OpenAPIConformance(app.app.apiDocument) }

    @Test func pathsAndMethodsAreTheRouteTreesBothWays() throws {
        let spec = try Self.document(try TestApp())
        var documented = Set<String>()
        for (path, item) in spec.document["paths"]?.members ?? [:] {
            for method in (item.members ?? [:]).keys where HTTPMethod(rawValue: method.uppercased()) != nil {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        let routed = Set(APIRoute.patterns.map { "\($0.method.rawValue) /\($0.text)" })
        #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed))")
        #expect(routed.subtracting(documented).isEmpty, "routed but not documented: \(routed.subtracting(documented))")
        #expect(routed.count == APIRoute.patterns.count)
    }

    @Test func eachOperationNamesTheScopeItsRouteNeeds() throws {
        let spec = try Self.document(try TestApp())
        for pattern in APIRoute.patterns {
            let operation = try #require(spec.document["paths"]?["/\(pattern.text)"]?[pattern.method.rawValue.lowercased()])
            let route = pattern.example
            #expect(operation["x-required-scope"]?.text == route.scope?.rawValue, "\(pattern.name)")
            let security = operation["security"]?.list
            if let scope = route.scope {
                #expect(security == [.object(["bearerKey": .array([.string(scope.rawValue)])])], "\(pattern.name)")
                #expect(operation["description"]?.text?.contains("`\(scope.rawValue)`") == true, "\(pattern.name) says its scope")
            } else {
                #expect(security == [], "\(pattern.name) needs no key")
            }
        }
    }

    @Test func enumsAreTheCodesOwn() throws {
        let spec = try Self.document(try TestApp())
        let schemas = spec.document["components"]?["schemas"]
        #expect(schemas?["AuditAction"]?["enum"]?.list?.compactMap(\.text) == AuditAction.allCases.map(\.rawValue))
        #expect(schemas?["Scope"]?["enum"]?.list?.compactMap(\.text) == APIScope.allCases.map(\.rawValue))
        let languages = WorkLanguages.all.map(\.tag)
        #expect(schemas?["Workspace"]?["properties"]?["language"]?["enum"]?.list?.compactMap(\.text) == languages)
        #expect(schemas?["NewWorkspace"]?["properties"]?["language"]?["enum"]?.list?.compactMap(\.text) == languages)
        #expect(Set(schemas?["Entitlement"]?["properties"]?["code"]?["enum"]?.list?.compactMap(\.text) ?? []).count == 5)
    }

    /// The checker itself: it must catch what it is there to catch.
    @Test func theCheckerRefusesWhatBreaksASchema() throws {
        let spec = try Self.document(try TestApp())
        let workspace = JSONValue.object(["$ref": .string("#/components/schemas/Workspace")])
        let good = try JSONValue.parse(
            Array(#"{"key":"a1","name":"A","description":"","createdAt":"2026-11-20T10:00:00Z","archived":false,"language":"en"}"#.utf8))
        #expect(spec.checker.problems(good, workspace).isEmpty)
        let bad = try JSONValue.parse(Array(#"{"key":"a1","name":2,"createdAt":"yesterday","archived":0,"colour":"red"}"#.utf8))
        let found = spec.checker.problems(bad, workspace).joined(separator: "\n")
        for expected in [
            "lacks required member description", "$.name: 2 is not of type string", "not an RFC 3339 time",
            "$.archived: 0 is not of type boolean", "undocumented member colour",
        ] {
            #expect(found.contains(expected), "\(found)")
        }
    }

    /// Every operation, and the failures the API answers, through the in-process client: each
    /// status must be documented for its operation, with its media type, headers and body schema.
    @Test func everyAnswerConformsToTheDocument() throws {
        let app = try TestApp()
        let spec = try Self.document(app)
        let client = app.client()
        let key = { (scopes: [String]) in try APISmokeTests.key(app, scopes: scopes) }
        let (read, write, invite, audit, usage) = (
            try key(["org:read"]), try key(["org:write"]), try key(["members:write"]), try key(["audit:read"]), try key(["usage:write"])
        )
        var seen = Set<Int>()
        func check(_ method: String, _ target: String, _ key: String?, json body: String? = nil, type: String = "application/json")
            -> TestResponse
        {
            let headers = key.map { ["authorization": "Bearer \($0)"] } ?? [:]
            let response = client.send(
                method, "/api/v1" + target, contentType: body == nil ? nil : type, body: Array((body ?? "").utf8), headers: headers)
            let problems = spec.problems(method: method, target: "/api/v1" + target, response.raw)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(response.html.prefix(400))")
            seen.insert(response.status)
            return response
        }
        #expect(check("GET", "/openapi.json", nil).status == 200)
        for path in ["/org", "/entitlements", "/members?limit=1", "/workspaces", "/usage/daily?month=2026-11", "/usage/summary"] {
            #expect(check("GET", path, read).status == 200, "\(path)")
        }
        #expect(check("GET", "/org", nil).status == 401)
        #expect(check("GET", "/org", "whk_nope").status == 401)
        #expect(check("GET", "/audit/events", read).status == 403)
        let query = check("GET", "/members?limit=0&cursor=x", read)
        #expect(query.status == 400)
        #expect(try JSONValue.parse(query.raw.body)["errors"]?.list?.count == 2, "each bad parameter is named")
        #expect(check("GET", "/usage/daily?month=2026-13", read).status == 400)
        #expect(check("GET", "/audit/events?since=yesterday&actor=me&action=nope", audit).status == 400)
        #expect(check("GET", "/workspaces/nope", read).status == 404)
        #expect(check("DELETE", "/org", read).status == 405)
        #expect(check("GET", "/no-such-thing", read).status == 404)

        #expect(check("POST", "/workspaces", write, json: #"{"name": "Docs", "key": "docs"}"#).status == 201)
        #expect(check("GET", "/workspaces/docs", read).status == 200)
        #expect(check("POST", "/workspaces", write, json: #"{"name": "Docs", "key": "docs"}"#).status == 422)
        #expect(check("POST", "/workspaces", write, json: #"{"name": 1, "colour": "red"}"#).status == 422)
        #expect(check("POST", "/workspaces", write, json: "[1]").status == 400)
        #expect(check("POST", "/workspaces", write, json: "{}", type: "text/plain").status == 415)
        for n in 0..<10 where check("POST", "/workspaces", write, json: #"{"name": "W\#(n)", "key": "w\#(n)"}"#).status == 422 {
            break  // the plan's limit (422 plan_limit), checked like every other answer
        }
        #expect(try SchemaCheckHelpers.lastProblemCode(client, write) == "plan_limit")

        let event =
            #"{"time": "2026-11-20T10:00:00Z", "workspace": "docs", "kind": "model_call", "status": "success", "#
            + #""provider": "openai", "model": "gpt-4o", "input_tokens": 10, "idempotency_key": "k1"}"#
        #expect(check("POST", "/usage/events", usage, json: #"{"events": [\#(event), {"time": 1}]}"#).status == 200)
        #expect(check("POST", "/usage/events", usage, json: #"{"colour": 1}"#).status == 422)
        #expect(check("POST", "/usage/events", usage, json: #"{"events": [1]}"#).status == 422)  // a list, but not of events
        let many = "{\"events\": [" + Array(repeating: "{}", count: 5_001).joined(separator: ",") + "]}"
        #expect(check("POST", "/usage/events", usage, json: many).status == 422)
        let huge = "{\"events\": [\"" + String(repeating: "x", count: 4 * 1_048_576) + "\"]}"
        #expect(check("POST", "/usage/events", usage, json: huge).status == 413)
        #expect(check("GET", "/usage/summary?month=2026-11", read).status == 200)

        let invited = check("POST", "/members/invitations", invite, json: #"{"emails": ["New@Example.test ", " x "]}"#)
        #expect(invited.status == 201)
        let results = try JSONValue.parse(invited.raw.body)["results"]?.list ?? []
        #expect(results.map { $0["email"]?.text } == ["New@Example.test", "x"], "trimmed, as sent")
        #expect(results.map { $0["status"]?.text } == ["invited", "refused"])
        let refused = check("POST", "/members/invitations", invite, json: #"{"emails": ["new@example.test"], "role": "admin"}"#)
        #expect(refused.status == 200 && refused.html.contains("already_invited"), "\(refused.html)")
        #expect(check("POST", "/members/invitations", invite, json: #"{"emails": [], "role": "owner"}"#).status == 422)
        #expect(check("POST", "/members/invitations", read, json: #"{"emails": []}"#).status == 403)
        #expect(check("GET", "/audit/events?limit=1&action=workspace.create", audit).status == 200)
        #expect(check("GET", "/audit/events?actor=system&since=2000-01-01T00:00:00Z", audit).status == 200)

        // A change while the organization waits to be deleted: 409.
        _ = try app.database.scheduleDeletion(
            orgKey: app.org.key, confirmKey: app.org.key,
            expectedVersion: try app.database.access(orgKey: app.org.key, userId: app.owner.id!).org.version,
            by: Actor(user: app.owner, address: "127.0.0.1"))
        #expect(check("POST", "/workspaces", write, json: #"{"name": "Late", "key": "late"}"#).status == 409)
        #expect(check("GET", "/org", read).status == 200)
        #expect(seen == [200, 201, 400, 401, 403, 404, 405, 409, 413, 415, 422], "\(seen.sorted())")
    }
}

/// Writes act as the key's maker: one who lost the role, or left, leaves the key read-only.
@Suite("JSON API, the key's maker") struct APIKeyMakerTests {
    @Test func aKeyWhoseMakerLostTheRoleOrLeftCanOnlyRead() throws {
        let app = try TestApp()
        let spec = try OpenAPIDocumentTests.document(app)
        let byOwner = Actor(user: app.owner, address: "127.0.0.1")
        let key = try app.database.createAPIKey(
            orgKey: app.org.key, NewAPIKey(name: "Admin's", scopes: ["org:write"], expiry: "30"),
            by: Actor(user: app.admin, address: "127.0.0.1")
        ).secret
        let client = app.client()
        func create(_ name: String) throws -> (Int, String?) {
            let target = "/api/v1/workspaces"
            let response = client.send(
                "POST", target, contentType: "application/json", body: Array(#"{"name": "\#(name)", "key": "\#(name)"}"#.utf8),
                headers: ["authorization": "Bearer \(key)"])
            #expect(spec.problems(method: "POST", target: target, response.raw).isEmpty)
            return (response.status, try JSONValue.parse(response.raw.body)["type"]?.text?.split(separator: "/").last.map(String.init))
        }
        #expect(try create("first") == (201, nil))
        try app.database.changeRole(orgKey: app.org.key, userId: app.admin.id!, to: .member, expectedVersion: 1, by: byOwner)
        #expect(try create("second") == (403, "maker_role"))
        try app.database.removeMember(orgKey: app.org.key, userId: app.admin.id!, expectedVersion: 2, by: byOwner)
        #expect(try create("third") == (403, "maker_gone"), "was 404: the maker's membership was looked up as the resource")
        let read = client.send("GET", "/api/v1/workspaces/first", headers: ["authorization": "Bearer \(key)"])
        #expect(read.status == 200, "reads still work")
    }
}

enum SchemaCheckHelpers {
    /// The problem code (the end of `type`) of one more workspace past the plan's limit.
    static func lastProblemCode(_ client: TestClient, _ key: String) throws -> String? {
        let response = client.send(
            "POST", "/api/v1/workspaces", contentType: "application/json", body: Array(#"{"name": "Past", "key": "past"}"#.utf8),
            headers: ["authorization": "Bearer \(key)"])
        return try JSONValue.parse(response.raw.body)["type"]?.text?.split(separator: "/").last.map(String.init)
    }
}
