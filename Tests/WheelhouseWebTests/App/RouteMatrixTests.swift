import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// Every route of the app × every actor, each on a fresh world, asserting the status
/// (PRODUCT.md §3, §10). An outsider gets 404 on every org route, never 403.
@Suite("Routes × actors") struct RouteMatrixTests {
    enum Actor: String, CaseIterable, CustomStringConvertible {
        case owner, admin, member, workspaceAdmin, outsider, anonymous
        var description: String { rawValue }
    }

    /// The acme fixture plus a workspace admin, a team, two shared workspaces and an invitation.
    struct World {
        let t: TestApp
        let workspaceAdmin: User
        let teamId: Int64, invitationId: Int64, grantId: Int64
        /// The Owner's own secret, and a provider of the org.
        let secretId: String, providerId: String

        init() throws {
            t = try TestApp()
            let owner = WheelhouseCore.Actor(user: t.owner, address: "test")
            workspaceAdmin = try t.database.createUser(email: "wsadmin@acme.test", name: "Wes Workspace", password: TestApp.password)
            try t.database.addMember(userId: workspaceAdmin.id!, orgId: t.org.id!, role: .member)
            teamId = try t.database.createTeam(orgKey: "acme", TeamChange(name: "Core", description: ""), by: owner).id!
            try t.database.addTeamMember(orgKey: "acme", teamId: teamId, userId: t.member.id!, by: owner)
            _ = try t.database.createWorkspace(orgKey: "acme", NewWorkspace(name: "Lab", key: "lab", description: ""), enforcePlan: false, by: owner)
            _ = try t.database.createWorkspace(orgKey: "acme", NewWorkspace(name: "Ops", key: "ops", description: ""), enforcePlan: false, by: owner)
            try t.database.grantAccess(orgKey: "acme", workspaceKey: "lab", to: .user(workspaceAdmin.id!), level: .admin, by: owner)
            try t.database.grantAccess(orgKey: "acme", workspaceKey: "lab", to: .team(teamId), level: .read, by: owner)
            grantId = try t.database.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM workspaceAccess WHERE teamId IS NOT NULL")! }
            _ = try t.database.invite(orgKey: "acme", addresses: ["guest@acme.test"], role: .member, by: owner)
            invitationId = try t.database.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM invitation")! }
            secretId = try t.database.addSecret(orgKey: "acme", by: owner, name: "OWNER_TOKEN", value: "owner-secret-value-123").id
            providerId = try t.database.addProvider(orgKey: "acme", by: owner, ProviderChange(
                kind: .mistral, name: "", baseURL: "http://127.0.0.1:9/v1", apiKey: "mistral-key-1234567890")).id
        }

        func client(_ actor: Actor) throws -> (TestClient, String) {
            switch actor {
            case .anonymous:
                let client = t.client()
                return (client, client.get("/login").csrf)
            case .outsider:
                let client = try t.client(signedInAs: "out@other.test")
                return (client, client.get("/orgs/other/settings/general").csrf)
            default:
                let email = actor == .workspaceAdmin ? "wsadmin@acme.test" : "\(actor.rawValue)@acme.test"
                let client = try t.client(signedInAs: email)
                return (client, client.get("/orgs/acme/settings/general").csrf)
            }
        }
    }

    struct Case: CustomStringConvertible, Sendable {
        let method: String
        let path: @Sendable (World) -> String
        let fields: @Sendable (World) -> [(String, String)]
        let expected: [Actor: Int]
        let label: String
        var description: String { "\(method) \(label)" }
    }

    static let org = "/orgs/acme/settings"
    static let anyone: [Actor: Int] = [.owner: 200, .admin: 200, .member: 200, .workspaceAdmin: 200, .outsider: 404, .anonymous: 303]
    static func admins(_ ok: Int) -> [Actor: Int] {
        [.owner: ok, .admin: ok, .member: 403, .workspaceAdmin: 403, .outsider: 404, .anonymous: 403]
    }

    static func get(_ label: String, _ path: @escaping @Sendable (World) -> String, _ expected: [Actor: Int]) -> Case {
        Case(method: "GET", path: path, fields: { _ in [] }, expected: expected, label: label)
    }

    static func post(_ label: String, _ path: @escaping @Sendable (World) -> String,
                     _ fields: @escaping @Sendable (World) -> [(String, String)], _ expected: [Actor: Int]) -> Case {
        Case(method: "POST", path: path, fields: fields, expected: expected, label: label)
    }

    static let cases: [Case] = [
        get("root", { _ in "/orgs/acme" }, anyone.merging([.owner: 303, .admin: 303, .member: 303, .workspaceAdmin: 303]) { $1 }),
        get("general", { _ in org + "/general" }, anyone),
        post("general", { _ in org + "/general" }, { _ in [("version", "1"), ("display_name", "Acme 2"), ("description", ""), ("member_limit", "30")] }, admins(303)),
        get("billing", { _ in org + "/billing" }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("members", { _ in org + "/members" }, anyone),
        post("invite", { _ in org + "/members/invite" }, { _ in [("emails", "x@acme.test"), ("role", "member")] }, admins(303)),
        post("role", { w in org + "/members/\(w.t.member.id!)/role" }, { _ in [("version", "1"), ("role", "admin")] }, admins(303)),
        post("remove", { w in org + "/members/\(w.t.member.id!)/remove" }, { _ in [("version", "1")] }, admins(303)),
        post("leave", { _ in org + "/members/leave" }, { _ in [] },
             [.owner: 422, .admin: 303, .member: 303, .workspaceAdmin: 303, .outsider: 404, .anonymous: 403]),
        post("transfer", { _ in org + "/members/transfer" }, { w in [("user", "\(w.t.admin.id!)"), ("confirm", "acme")] },
             [.owner: 303, .admin: 403, .member: 403, .workspaceAdmin: 403, .outsider: 404, .anonymous: 403]),
        post("resend", { w in org + "/members/invitations/\(w.invitationId)/resend" }, { _ in [("version", "1")] }, admins(303)),
        post("revoke", { w in org + "/members/invitations/\(w.invitationId)/revoke" }, { _ in [("version", "1")] }, admins(303)),
        get("members csv", { _ in org + "/members/export.csv" }, admins(200).merging([.anonymous: 303]) { $1 }),
        post("members csv", { _ in org + "/members/export.csv" }, { _ in [] }, admins(405).merging([.member: 405, .workspaceAdmin: 405]) { $1 }),
        get("teams", { _ in org + "/teams" }, anyone),
        post("teams", { _ in org + "/teams" }, { _ in [("name", "New team"), ("description", "")] }, admins(303)),
        get("team", { w in org + "/teams/\(w.teamId)" }, anyone),
        post("team", { w in org + "/teams/\(w.teamId)" }, { _ in [("version", "2"), ("name", "Core 2"), ("description", "")] }, admins(303)),
        post("team delete", { w in org + "/teams/\(w.teamId)/delete" }, { _ in [("version", "2"), ("confirm", "Core")] }, admins(303)),
        post("team add", { w in org + "/teams/\(w.teamId)/members" }, { w in [("user", "\(w.t.admin.id!)")] }, admins(303)),
        post("team remove", { w in org + "/teams/\(w.teamId)/members/\(w.t.member.id!)/remove" }, { _ in [] }, admins(303)),
        get("workspaces", { _ in org + "/workspaces" }, anyone),
        post("workspaces", { _ in org + "/workspaces" }, { _ in [("name", "New"), ("key", "new-ws"), ("description", "")] }, admins(303)),
        // The Member reaches Lab through team Core (read): they see it but may not manage it.
        get("workspace lab", { _ in org + "/workspaces/lab" }, anyone),
        get("workspace ops", { _ in org + "/workspaces/ops" }, anyone.merging([.member: 404, .workspaceAdmin: 404]) { $1 }),
        get("own default workspace", { w in org + "/workspaces/personal-\(w.t.member.id!)" },
            [.owner: 404, .admin: 404, .member: 200, .workspaceAdmin: 404, .outsider: 404, .anonymous: 303]),
        post("grant lab", { _ in org + "/workspaces/lab/access" }, { w in [("subject", "user:\(w.t.member.id!)"), ("level", "read")] },
             admins(303).merging([.workspaceAdmin: 303]) { $1 }),
        post("change grant", { w in org + "/workspaces/lab/access/\(w.grantId)" }, { _ in [("version", "1"), ("level", "write")] },
             admins(303).merging([.workspaceAdmin: 303]) { $1 }),
        post("revoke grant", { w in org + "/workspaces/lab/access/\(w.grantId)/revoke" }, { _ in [("version", "1")] },
             admins(303).merging([.workspaceAdmin: 303]) { $1 }),
        post("grant ops", { _ in org + "/workspaces/ops/access" }, { w in [("subject", "user:\(w.t.member.id!)"), ("level", "read")] },
             admins(303).merging([.workspaceAdmin: 404, .member: 404]) { $1 }),
        post("rename lab", { _ in org + "/workspaces/lab/settings" }, { _ in [("version", "1"), ("name", "Lab 2"), ("description", "")] }, admins(303)),
        post("archive lab", { _ in org + "/workspaces/lab/archive" }, { _ in [("version", "1")] }, admins(303)),
        post("restore lab", { _ in org + "/workspaces/lab/restore" }, { _ in [("version", "1")] }, admins(303)),
        post("delete lab", { _ in org + "/workspaces/lab/delete" }, { _ in [("version", "1"), ("confirm", "Lab")] }, admins(303)),
        post("delete ops", { _ in org + "/workspaces/ops/delete" }, { _ in [("version", "1"), ("confirm", "Ops")] },
             admins(303).merging([.workspaceAdmin: 404, .member: 404]) { $1 }),
        post("delete own default workspace", { w in org + "/workspaces/personal-\(w.t.member.id!)/delete" }, { w in [("version", "1"), ("confirm", "x")] },
             [.owner: 404, .admin: 404, .member: 403, .workspaceAdmin: 404, .outsider: 404, .anonymous: 403]),
        // Credentials: Secrets and Chat models belong to each person; Providers to Owners and Admins.
        get("secrets", { _ in org + "/secrets" }, anyone),
        post("add secret", { _ in org + "/secrets" }, { _ in [("name", "MY_TOKEN"), ("value", "a-value-of-mine")] },
             anyone.merging([.owner: 303, .admin: 303, .member: 303, .workspaceAdmin: 303, .anonymous: 403]) { $1 }),
        get("rotate own secret", { w in org + "/secrets/\(w.secretId)/rotate" },
            [.owner: 200, .admin: 404, .member: 404, .workspaceAdmin: 404, .outsider: 404, .anonymous: 303]),
        post("delete own secret", { w in org + "/secrets/\(w.secretId)/delete" }, { _ in [("version", "1")] },
             [.owner: 303, .admin: 404, .member: 404, .workspaceAdmin: 404, .outsider: 404, .anonymous: 403]),
        get("providers", { _ in org + "/providers" }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("new provider", { _ in org + "/providers/new?kind=openai" }, admins(200).merging([.anonymous: 303]) { $1 }),
        post("add provider", { _ in org + "/providers" },
             { _ in [("kind", "openai"), ("base_url", "https://api.openai.com/v1"), ("api_key", "sk-test-abcdefghijklmnop")] }, admins(303)),
        get("provider statuses", { _ in org + "/providers/status" }, admins(200).merging([.anonymous: 303]) { $1 }),
        post("test provider", { w in org + "/providers/\(w.providerId)/test" }, { _ in [("version", "1")] }, admins(303)),
        post("delete provider", { w in org + "/providers/\(w.providerId)/delete" }, { _ in [("version", "1")] }, admins(303)),
        get("chat models", { _ in org + "/chat-models" }, anyone),
        post("chat model on", { _ in org + "/chat-models" }, { _ in [("model", "openai/gpt-4o"), ("enabled", "1")] },
             anyone.merging([.owner: 303, .admin: 303, .member: 303, .workspaceAdmin: 303, .anonymous: 403]) { $1 }),
        get("usage", { _ in org + "/usage" }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("usage csv", { _ in org + "/usage/export.csv?month=2026-11" }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("unknown page below a tab", { _ in org + "/members/nothing" }, anyone.merging([.owner: 404, .admin: 404, .member: 404, .workspaceAdmin: 404]) { $1 }),
    ]

    @Test(arguments: cases, Actor.allCases)
    func statusFor(_ route: Case, _ actor: Actor) throws {
        let world = try World()
        let (client, csrf) = try world.client(actor)
        let path = route.path(world)
        let response = route.method == "GET" ? client.get(path) : client.post(path, [("_csrf", csrf)] + route.fields(world))
        #expect(response.status == route.expected[actor], "\(route) as \(actor): \(response)")
        if actor == .anonymous && route.method == "GET" && response.status == 303 {
            #expect(response.location?.hasPrefix("/login?next=") == true)
        }
    }

    @Test func routesOutsideOrganizations() throws {
        let world = try World()
        let anonymous = world.t.client()
        #expect(anonymous.get("/").status == 303)
        #expect(anonymous.get("/login").status == 200)
        #expect(anonymous.get("/invitations/unknown-token").status == 404)
        #expect(anonymous.get("/confirm/unknown-token").status == 404)
        #expect(anonymous.post("/confirm/unknown-token", [("_csrf", "nope"), ("password", "x")]).status == 403)
        #expect(anonymous.send("DELETE", "/confirm/unknown-token").status == 405)
        #expect(anonymous.send("DELETE", "/login").status == 405)
        #expect(anonymous.get("/orgs/nope/settings/general").status == 303)
        let outsider = try world.t.client(signedInAs: "out@other.test")
        #expect(outsider.get("/orgs/nope/settings/general").status == 404)
        #expect(outsider.get("/").status == 303)
    }
}
