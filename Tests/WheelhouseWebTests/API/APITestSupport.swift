import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb
import WheelhouseTestSupport

/// The `Fixture` organizations served in process on a clock the API tests move (keys expire),
/// with helpers to make keys and call the API as a server would: a bearer key, JSON bodies.
struct APIWorld {
    let t: TestApp
    let clock: TestClock
    let client: TestClient

    init(mode: DeploymentMode = .saas) throws {
        let clock = TestClock()
        self.clock = clock
        t = try TestApp(mode: mode, database: AppDatabase.inMemory(now: { clock.now }))
        client = t.client()
    }

    var database: AppDatabase { t.database }

    /// A key of `org` with `scopes`, made by that organization's Owner.
    func key(_ scopes: [String], org: String = "acme", expiry: String = "30", name: String? = nil) throws -> IssuedAPIKey {
        try database.createAPIKey(
            orgKey: org, NewAPIKey(name: name ?? "k-\(UUID().uuidString.prefix(8))", scopes: scopes, expiry: expiry),
            by: Actor(user: org == "acme" ? t.owner : t.outsider, address: "127.0.0.1"))
    }

    /// One API call; `key` nil sends no `Authorization` header.
    @discardableResult
    func call(
        _ method: String, _ path: String, key: String?, json body: String? = nil, bytes: [UInt8]? = nil,
        contentType: String? = nil, headers: [String: String] = [:]
    ) -> TestResponse {
        var headers = headers
        if let key { headers["authorization"] = "Bearer \(key)" }
        let payload = bytes ?? body.map { Array($0.utf8) } ?? []
        // "" sends no Content-Type at all.
        let type = contentType.map { $0.isEmpty ? nil : $0 } ?? (payload.isEmpty ? nil : "application/json")
        return client.send(method, path.hasPrefix("/") ? path : "/api/v1/" + path, contentType: type, body: payload, headers: headers)
    }

    /// The response body as a JSON object (an empty one when it is not).
    static func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.raw.body))) as? [String: Any] ?? [:]
    }

    /// The problem's code: the last segment of its `type` URL.
    static func code(_ response: TestResponse) -> String? {
        guard response.raw.header("Content-Type") == "application/problem+json" else { return nil }
        return (json(response)["type"] as? String)?.split(separator: "/").last.map(String.init)
    }

    /// The fields a 422 problem names.
    static func fields(_ response: TestResponse) -> [String] {
        ((json(response)["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
    }

    /// What a refused request must leave untouched: every table a POST of the API writes, and
    /// the audit log.
    struct Counts: Equatable, CustomStringConvertible {
        var rows: [String: Int]
        var description: String { rows.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
    }

    func counts() throws -> Counts {
        let tables = [
            "auditEvent", "invitation", "outbox", "workspace", "membership", "usageEvent", "usageDaily", "apiKey", "user",
        ]
        return Counts(
            rows: try database.read { db in
                var rows: [String: Int] = [:]
                for table in tables { rows[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
                // Sums too: a rollup that was updated in place changes no count.
                rows["usageDaily.events"] = try Int.fetchOne(db, sql: "SELECT coalesce(sum(events), 0) FROM usageDaily") ?? 0
                return rows
            })
    }

    /// A usage event in the `usage import` format.
    static func event(
        _ id: String, workspace: String = "example", time: String = "2026-09-20T10:00:00Z", tokens: Int = 10, cost: Int = 1_200,
        extra: String = ""
    ) -> String {
        """
        {"time": "\(time)", "workspace": "\(workspace)", "kind": "model_call", "status": "success", "provider": "openai", \
        "model": "gpt-4o", "input_tokens": \(tokens), "output_tokens": 5, "cost_micros": \(cost), "byok": false, \
        "idempotency_key": "\(id)"\(extra)}
        """
    }

    static func events(_ items: [String]) -> String { #"{"events": ["# + items.joined(separator: ",") + "]}" }
}
