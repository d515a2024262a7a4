import Foundation
import Synchronization
import WheelhouseCore
@testable import WheelhouseWeb

/// The API's POST routes in the audit trail's table: the changes a key makes are audited as the
/// console's are, in the name of the key's maker.
extension AuditTrailTests {
    /// Usage events are data sent in, not a change of settings: like `wheelhouse usage import`,
    /// a batch writes rollups and no audit entry (a busy platform sends thousands a minute).
    static let ingestionNotAudited: Set<String> = ["POST /api/v1/usage/events"]

    /// A key made while the world is prepared (its own audit entry is not counted), read by the request.
    final class KeyBox: Sendable {
        let secret = Mutex("")
    }

    static func api(
        _ route: String, _ expected: AuditAction?, status: Int, scopes: [String], path: String, body: String
    ) -> Case {
        let box = KeyBox()
        return Case(
            route: route, variant: "", expected: expected, status: status,
            prepare: { w in
                let issued = try w.t.database.createAPIKey(
                    orgKey: "acme", NewAPIKey(name: "Audit trail", scopes: scopes, expiry: "30"),
                    by: Actor(user: w.t.owner, address: "t"))
                box.secret.withLock { $0 = issued.secret }
            }
        ) { w in
            w.t.client().send(
                "POST", path, contentType: "application/json", body: Array(body.utf8),
                headers: ["authorization": "Bearer " + box.secret.withLock { $0 }])
        }
    }

    static let apiCases: [Case] = [
        api(
            "POST /api/v1/members/invitations", .invitationCreate, status: 201, scopes: ["members:write"],
            path: "/api/v1/members/invitations", body: #"{"emails": ["trail@x.test"]}"#),
        api(
            "POST /api/v1/workspaces", .workspaceCreate, status: 201, scopes: ["workspaces:write"], path: "/api/v1/workspaces",
            body: #"{"name": "Trail", "key": "trail"}"#),
        api(
            "POST /api/v1/usage/events", nil, status: 200, scopes: ["usage:write"], path: "/api/v1/usage/events",
            body: #"{"events": [{"time": "2026-09-20T10:00:00Z", "workspace": "research", "kind": "model_call", "idempotency_key": "t1"}]}"#
        ),
    ]
}
