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
        /// An unread notification of the Owner's.
        let notificationId: Int64
        /// An API key of acme, rotated once (version 2, its old secret in a day's grace).
        let apiKeyId: Int64
        /// A session of the Owner's in another browser (its handle on Active sessions).
        let ownerSessionHandle: String
        /// A webhook endpoint of acme with one delivery (a test event), a Slack channel (version 1),
        /// and an editor token of the Owner's.
        let webhookId: Int64, deliveryId: Int64, ownerEditorTokenId: Int64
        /// A pending SSO domain of acme.
        let ssoDomainId: Int64

        init() throws {
            t = try TestApp()
            let owner = WheelhouseCore.Actor(user: t.owner, address: "test")
            workspaceAdmin = try t.database.createUser(email: "wsadmin@acme.test", name: "Wes Workspace", password: TestApp.password)
            try t.database.addMember(userId: workspaceAdmin.id!, orgId: t.org.id!, role: .member)
            teamId = try t.database.createTeam(orgKey: "acme", TeamChange(name: "Core", description: ""), by: owner).id!
            try t.database.addTeamMember(orgKey: "acme", teamId: teamId, userId: t.member.id!, by: owner)
            _ = try t.database.createWorkspace(
                orgKey: "acme", NewWorkspace(name: "Lab", key: "lab", description: ""), enforcePlan: false, by: owner)
            _ = try t.database.createWorkspace(
                orgKey: "acme", NewWorkspace(name: "Ops", key: "ops", description: ""), enforcePlan: false, by: owner)
            try t.database.grantAccess(orgKey: "acme", workspaceKey: "lab", to: .user(workspaceAdmin.id!), level: .admin, by: owner)
            try t.database.grantAccess(orgKey: "acme", workspaceKey: "lab", to: .team(teamId), level: .read, by: owner)
            grantId = try t.database.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM workspaceAccess WHERE teamId IS NOT NULL")! }
            _ = try t.database.invite(orgKey: "acme", addresses: ["guest@acme.test"], role: .member, by: owner)
            invitationId = try t.database.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM invitation")! }
            secretId = try t.database.addSecret(orgKey: "acme", by: owner, name: "OWNER_TOKEN", value: "owner-secret-value-123").id
            providerId = try t.database.addProvider(
                orgKey: "acme", by: owner,
                ProviderChange(
                    kind: .mistral, name: "", baseURL: "http://127.0.0.1:9/v1", apiKey: "mistral-key-1234567890")
            ).id
            try t.database.seedNotification(
                userId: t.owner.id!, orgId: t.org.id, kind: .dataExportReady, title: "Your export is ready",
                link: "/orgs/acme/settings/general", createdAt: Date())
            notificationId = try t.database.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM notification")! }
            apiKeyId = try t.database.createAPIKey(
                orgKey: "acme", NewAPIKey(name: "CI", scopes: ["org:read"], expiry: "30"), by: owner
            ).key.id
            _ = try t.database.rotateAPIKey(orgKey: "acme", id: apiKeyId, grace: "86400", expectedVersion: 1, by: owner)
            let elsewhere = try t.database.signIn(email: "owner@acme.test", password: TestApp.password, address: "192.0.2.8", userAgent: "")
            ownerSessionHandle = AppDatabase.handle(of: elsewhere.signedIn.session.tokenHash)
            (webhookId, deliveryId, ownerEditorTokenId) = try IntegrationsWebTests.seed(t)
            ssoDomainId = try t.database.seedSSODomain(orgKey: "acme", domain: "acme.test", verified: false).id
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

    /// One row of the matrix: a route of the tree (built from the world's ids), the fields a post
    /// sends, and the status each actor gets.
    struct Case: CustomStringConvertible, Sendable {
        let route: @Sendable (World) -> Route
        let query: [(String, String)]
        let fields: @Sendable (World) -> [(String, String)]
        let expected: [Actor: Int]
        let label: String
        var description: String { "\(label)" }
    }

    static let anyone: [Actor: Int] = [.owner: 200, .admin: 200, .member: 200, .workspaceAdmin: 200, .outsider: 404, .anonymous: 303]
    static func admins(_ ok: Int) -> [Actor: Int] {
        [.owner: ok, .admin: ok, .member: 403, .workspaceAdmin: 403, .outsider: 404, .anonymous: 403]
    }

    static func get(
        _ label: String, _ route: @escaping @Sendable (World) -> OrgRoute, query: [(String, String)] = [],
        _ expected: [Actor: Int]
    ) -> Case {
        Case(route: { .org("acme", route($0)) }, query: query, fields: { _ in [] }, expected: expected, label: "GET " + label)
    }

    static func post(
        _ label: String, _ route: @escaping @Sendable (World) -> OrgRoute,
        _ fields: @escaping @Sendable (World) -> [(String, String)], _ expected: [Actor: Int]
    ) -> Case {
        Case(route: { .org("acme", route($0)) }, query: [], fields: fields, expected: expected, label: "POST " + label)
    }

    /// A route of the Account area: each person's own, whatever their organizations.
    static func account(
        _ label: String, _ route: @escaping @Sendable (World) -> AccountRoute,
        fields: @escaping @Sendable (World) -> [(String, String)] = { _ in [] }, _ expected: [Actor: Int]
    ) -> Case {
        Case(
            route: { .account(route($0)) }, query: [], fields: fields, expected: expected,
            label: "account " + label)
    }

    /// A route outside organizations and the Account area (the password reset pages).
    static func outside(
        _ label: String, _ route: @escaping @Sendable (World) -> Route,
        fields: @escaping @Sendable (World) -> [(String, String)] = { _ in [] }, _ expected: [Actor: Int]
    ) -> Case {
        Case(route: route, query: [], fields: fields, expected: expected, label: label)
    }

    static let signedIn: [Actor: Int] = [.owner: 200, .admin: 200, .member: 200, .workspaceAdmin: 200, .outsider: 200, .anonymous: 303]

    static let signedInPost = signedIn.mapValues { _ in 303 }.merging([.anonymous: 403]) { $1 }
    /// A post below an organization that every member may send.
    static let orgPost: [Actor: Int] = [.owner: 303, .admin: 303, .member: 303, .workspaceAdmin: 303, .anonymous: 403]
    static let notMember: [Actor: Int] = [.member: 404, .workspaceAdmin: 404]

    static let signedIn422 = signedIn.mapValues { _ in 422 }.merging([.anonymous: 403]) { $1 }

    static let cases: [Case] = [
        // Profile and password: each person's own; the post's fields are valid for everyone.
        account("profile", { _ in .profile }, signedIn),
        account(
            "save profile", { _ in .updateProfile }, fields: { _ in [("version", "1"), ("name", "A New Name")] },
            signedIn.mapValues { _ in 303 }.merging([.anonymous: 403]) { $1 }),
        account("security", { _ in .security }, signedIn),
        account(
            "change password", { _ in .changePassword },
            fields: { _ in [("current_password", TestApp.password), ("new_password", "zebra violin quartz 9081")] },
            signedIn.mapValues { _ in 303 }.merging([.anonymous: 403]) { $1 }),
        // Forgot password: anyone, signed in or not, gets the same answer; an unknown link is a 404.
        outside("GET forgot", { _ in .passwordForgot(.show) }, signedIn.mapValues { _ in 200 }),
        outside(
            "POST forgot", { _ in .passwordForgot(.submit) }, fields: { _ in [("email", "member@acme.test")] },
            signedIn.mapValues { _ in 303 }),
        outside("GET reset", { _ in .passwordReset("unknown-token", .show) }, signedIn.mapValues { _ in 404 }),
        outside(
            "POST reset", { _ in .passwordReset("unknown-token", .submit) },
            fields: { _ in [("new_password", "zebra violin quartz 9081")] }, signedIn.mapValues { _ in 404 }),
        // Active sessions and two-factor: each person's own; another person's session is a 404. The
        // two-factor posts without a code are refused as forms (422) for everyone signed in.
        account("sessions", { _ in .sessions }, signedIn),
        account(
            "end session", { w in .endSession(w.ownerSessionHandle) },
            [.owner: 303, .admin: 404, .member: 404, .workspaceAdmin: 404, .outsider: 404, .anonymous: 403]),
        account("end other sessions", { _ in .endOtherSessions }, signedInPost),
        account("two-factor", { _ in .twoFactor(.show) }, signedIn),
        account("two-factor on", { _ in .twoFactor(.submit) }, signedIn.mapValues { _ in 422 }.merging([.anonymous: 403]) { $1 }),
        account("two-factor off", { _ in .disableTwoFactor }, signedIn.mapValues { _ in 422 }.merging([.anonymous: 403]) { $1 }),
        // The Account area: the inbox is everyone's own; another person's notification is a 404.
        account("notifications", { _ in .notifications }, signedIn),
        account("read all", { _ in .markAllRead }, signedIn.mapValues { _ in 303 }.merging([.anonymous: 403]) { $1 }),
        // The profile's other forms, New organization and Delete my account: each person's own. Posts
        // whose fields are refused for everyone show the route answers each person (422), never 404.
        account("avatar upload", { _ in .updateAvatar }, fields: { _ in [("version", "1")] }, signedIn422),
        account(
            "avatar", { _ in .avatar("0123456789abcdef0123456789abcdef.png") },
            signedIn.mapValues { _ in 404 }.merging([.anonymous: 303]) { $1 }),
        account(
            "default organization", { _ in .defaultOrganization }, fields: { _ in [("version", "1"), ("default_org", "nope")] }, signedIn422
        ),
        account(
            "email", { _ in .changeEmail }, fields: { _ in [("new_email", "new@elsewhere.test"), ("password", TestApp.password)] },
            signedInPost),
        account("delete page", { _ in .deleteAccount(.show) }, signedIn),
        account("delete", { _ in .deleteAccount(.submit) }, fields: { _ in [("password", "")] }, signedIn422),
        account("new organization page", { _ in .newOrganization(.show) }, signedIn),
        account(
            "new organization", { _ in .newOrganization(.submit) }, fields: { _ in [("org_name", "X"), ("org_key", "not a key")] },
            signedIn422),
        outside("GET email change", { _ in .emailChange("unknown-token", .show) }, signedIn.mapValues { _ in 404 }),
        outside("POST email change", { _ in .emailChange("unknown-token", .submit) }, signedIn.mapValues { _ in 404 }),
        account(
            "read one", { w in .markRead(w.notificationId) },
            [.owner: 303, .admin: 404, .member: 404, .workspaceAdmin: 404, .outsider: 404, .anonymous: 403]),
        // The notification settings: each person's own grid, at its own version.
        account(
            "save notification settings", { _ in .savePreferences },
            fields: { _ in [("version", "0"), ("kinds", "member.joined"), ("email:member.joined", "on")] }, signedInPost),
        // Preferences: each person's own. An unknown theme is refused as a form (422).
        account("preferences", { _ in .preferences }, signedIn),
        account(
            "save preferences", { _ in .updatePreferences },
            fields: { _ in [("version", "1"), ("theme", "dark"), ("density", "compact"), ("language", "fr")] }, signedInPost),
        account("show tutorial again", { _ in .showTutorialAgain }, signedInPost),
        account("reset widgets", { _ in .resetWidgets }, signedInPost),
        // The overview: every member; a widget or checklist item the role may not see is a 404, and
        // the tutorial is the Owners' only.
        get("root", { _ in .root }, anyone),
        post("widget down", { _ in .overview(.widget("members", .down)) }, { _ in [] }, anyone.merging(orgPost) { $1 }),
        post("widget up", { _ in .overview(.widget("members", .up)) }, { _ in [] }, anyone.merging(orgPost) { $1 }),
        post("widget hide", { _ in .overview(.widget("members", .hide)) }, { _ in [] }, anyone.merging(orgPost) { $1 }),
        post("widget show", { _ in .overview(.widget("members", .show)) }, { _ in [] }, anyone.merging(orgPost) { $1 }),
        post(
            "audit widget hide", { _ in .overview(.widget("audit", .hide)) }, { _ in [] },
            admins(303).merging([.member: 404, .workspaceAdmin: 404]) { $1 }),
        post("unknown widget", { _ in .overview(.widget("weather", .hide)) }, { _ in [] }, admins(404).merging(notMember) { $1 }),
        post("review sessions", { _ in .overview(.review("sessions")) }, { _ in [] }, anyone.merging(orgPost) { $1 }),
        post(
            "review tokens", { _ in .overview(.review("tokens")) }, { _ in [] },
            admins(303).merging([.member: 404, .workspaceAdmin: 404]) { $1 }),
        post(
            "dismiss tutorial", { _ in .overview(.dismissTutorial) }, { _ in [] },
            admins(404).merging([.owner: 303, .member: 404, .workspaceAdmin: 404]) { $1 }),
        get("general", { _ in .general(.show) }, anyone),
        post(
            "general", { _ in .general(.update) },
            { _ in [("version", "1"), ("display_name", "Acme 2"), ("description", ""), ("member_limit", "30")] }, admins(303)),
        // The fixture organization has no logo: its address is a 404 for those who may see it.
        get(
            "logo", { _ in .logo(file: "logo.png") }, anyone.merging([.owner: 404, .admin: 404, .member: 404, .workspaceAdmin: 404]) { $1 }),
        get("billing", { _ in .billing(.show) }, admins(200).merging([.anonymous: 303]) { $1 }),
        // The plan's change previews: Owner and Admin read; only the Owner schedules (the Admin's post is 403).
        get("plan preview", { _ in .billing(.planChange("free")) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post("schedule downgrade", { _ in .billing(.scheduleDowngrade("free")) }, { _ in [] }, admins(303).merging([.admin: 403]) { $1 }),
        // No card in the fixture: the Owner's upgrade comes back on the preview (422).
        post(
            "upgrade", { _ in .billing(.upgrade("business")) }, { _ in [("key", "k0123456789abcdefghij")] },
            admins(422).merging([.admin: 403]) { $1 }),
        // Nothing is scheduled in the fixture: the Owner's cancel finds nothing (404).
        post(
            "cancel downgrade", { _ in .billing(.cancelDowngrade) }, { _ in [("version", "1")] },
            admins(404).merging([.admin: 403]) { $1 }),
        get("billing credits", { _ in .billing(.credits) }, admins(200).merging([.anonymous: 303]) { $1 }),
        // Nothing is past due in the fixture: the Owner's retry is sent back with a flash (303).
        post(
            "retry renewal", { _ in .billing(.retryRenewal) }, { _ in [("version", "1")] }, admins(303).merging([.admin: 403]) { $1 }),
        // Owner edits; an Admin reads the page but a POST is 403.
        post(
            "billing credit warning", { _ in .billing(.creditWarning) }, { _ in [("version", "0"), ("threshold", "10")] },
            [.owner: 303, .admin: 403, .member: 403, .workspaceAdmin: 403, .outsider: 404, .anonymous: 403]),
        get("billing transactions", { _ in .billing(.transactions) }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("billing transactions csv", { _ in .billing(.transactionsCSV) }, admins(200).merging([.anonymous: 303]) { $1 }),
        // Billing's payments part: Owners change, Admins read; no card in the world, so a purchase is refused (422).
        get("payment method", { _ in .billing(.paymentMethod) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "save card", { _ in .billing(.saveCard) },
            { _ in
                [
                    ("version", "0"), ("number", "4242424242424242"), ("expiry_month", "12"), ("expiry_year", "2040"), ("cvc", "123"),
                    ("holder", "Olga"), ("card_country", "DE"),
                ]
            }, admins(303).merging([.admin: 403]) { $1 }),
        post(
            "save billing details", { _ in .billing(.saveDetails) },
            { _ in
                [
                    ("version", "0"), ("legal_name", "Acme"), ("address", "Street 1"), ("country", "DE"), ("billing_email", "b@acme.test"),
                    ("vat_id", ""),
                ]
            }, admins(303).merging([.admin: 403]) { $1 }),
        get("buy credits", { _ in .billing(.buyCredits) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "confirm purchase", { _ in .billing(.confirmPurchase) }, { _ in [("amount", "1000"), ("key", "k0123456789abcdefghij")] },
            admins(422).merging([.admin: 403]) { $1 }),
        get("payment", { _ in .billing(.payment(7)) }, admins(404).merging([.anonymous: 303]) { $1 }),
        get("invoices", { _ in .billing(.invoices) }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("invoice", { _ in .billing(.invoice(7)) }, admins(404).merging([.anonymous: 303]) { $1 }),
        get("invoice pdf", { _ in .billing(.invoicePDF(7)) }, admins(404).merging([.anonymous: 303]) { $1 }),
        get("auto-refill", { _ in .billing(.autoRefill) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "save auto-refill", { _ in .billing(.saveAutoRefill) },
            { _ in [("version", "0"), ("threshold", "10"), ("target", "50"), ("cap", "200")] }, admins(303).merging([.admin: 403]) { $1 }),
        // The test gateway's challenge page: signed in, an unknown id is a 404.
        outside(
            "GET challenge", { _ in .testGatewayChallenge("unknown-id", .show) },
            signedIn.mapValues { _ in 404 }.merging([.anonymous: 303]) { $1 }),
        outside(
            "POST challenge", { _ in .testGatewayChallenge("unknown-id", .submit) }, fields: { _ in [("action", "complete")] },
            signedIn.mapValues { _ in 404 }.merging([.anonymous: 403]) { $1 }),
        get("members", { _ in .members(.list) }, anyone),
        post("invite", { _ in .members(.invite) }, { _ in [("emails", "x@acme.test"), ("role", "member")] }, admins(303)),
        post("role", { w in .members(.role(w.t.member.id!)) }, { _ in [("version", "1"), ("role", "admin")] }, admins(303)),
        post("remove", { w in .members(.remove(w.t.member.id!)) }, { _ in [("version", "1")] }, admins(303)),
        post(
            "leave", { _ in .members(.leave) }, { _ in [] },
            [.owner: 422, .admin: 303, .member: 303, .workspaceAdmin: 303, .outsider: 404, .anonymous: 403]),
        post(
            "transfer", { _ in .members(.transfer) }, { w in [("user", "\(w.t.admin.id!)"), ("confirm", "acme")] },
            [.owner: 303, .admin: 403, .member: 403, .workspaceAdmin: 403, .outsider: 404, .anonymous: 403]),
        post("resend", { w in .members(.resend(w.invitationId)) }, { _ in [("version", "1")] }, admins(303)),
        post("revoke", { w in .members(.revoke(w.invitationId)) }, { _ in [("version", "1")] }, admins(303)),
        get("members csv", { _ in .members(.export) }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("teams", { _ in .teams(.list) }, anyone),
        post("teams", { _ in .teams(.create) }, { _ in [("name", "New team"), ("description", "")] }, admins(303)),
        get("team", { w in .teams(.team(w.teamId)) }, anyone),
        post(
            "team", { w in .teams(.update(w.teamId)) }, { _ in [("version", "2"), ("name", "Core 2"), ("description", "")] }, admins(303)),
        post("team delete", { w in .teams(.delete(w.teamId)) }, { _ in [("version", "2"), ("confirm", "Core")] }, admins(303)),
        post("team add", { w in .teams(.addMember(w.teamId)) }, { w in [("user", "\(w.t.admin.id!)")] }, admins(303)),
        post("team remove", { w in .teams(.removeMember(w.teamId, w.t.member.id!)) }, { _ in [] }, admins(303)),
        get("workspaces", { _ in .workspaces(.list) }, anyone),
        post("workspaces", { _ in .workspaces(.create) }, { _ in [("name", "New"), ("key", "new-ws"), ("description", "")] }, admins(303)),
        // The Member reaches Lab through team Core (read): they see it but may not manage it.
        get("workspace lab", { _ in .workspaces(.workspace("lab")) }, anyone),
        get("workspace ops", { _ in .workspaces(.workspace("ops")) }, anyone.merging([.member: 404, .workspaceAdmin: 404]) { $1 }),
        get(
            "own default workspace", { w in .workspaces(.workspace("personal-\(w.t.member.id!)")) },
            [.owner: 404, .admin: 404, .member: 200, .workspaceAdmin: 404, .outsider: 404, .anonymous: 303]),
        post(
            "grant lab", { _ in .workspaces(.grant("lab")) }, { w in [("subject", "user:\(w.t.member.id!)"), ("level", "read")] },
            admins(303).merging([.workspaceAdmin: 303]) { $1 }),
        post(
            "change grant", { w in .workspaces(.change("lab", w.grantId)) }, { _ in [("version", "1"), ("level", "write")] },
            admins(303).merging([.workspaceAdmin: 303]) { $1 }),
        post(
            "revoke grant", { w in .workspaces(.revoke("lab", w.grantId)) }, { _ in [("version", "1")] },
            admins(303).merging([.workspaceAdmin: 303]) { $1 }),
        post(
            "grant ops", { _ in .workspaces(.grant("ops")) }, { w in [("subject", "user:\(w.t.member.id!)"), ("level", "read")] },
            admins(303).merging([.workspaceAdmin: 404, .member: 404]) { $1 }),
        post(
            "rename lab", { _ in .workspaces(.update("lab")) }, { _ in [("version", "1"), ("name", "Lab 2"), ("description", "")] },
            admins(303)),
        post("archive lab", { _ in .workspaces(.archive("lab")) }, { _ in [("version", "1")] }, admins(303)),
        post("restore lab", { _ in .workspaces(.restore("lab")) }, { _ in [("version", "1")] }, admins(303)),
        post("delete lab", { _ in .workspaces(.delete("lab")) }, { _ in [("version", "1"), ("confirm", "Lab")] }, admins(303)),
        post(
            "delete ops", { _ in .workspaces(.delete("ops")) }, { _ in [("version", "1"), ("confirm", "Ops")] },
            admins(303).merging([.workspaceAdmin: 404, .member: 404]) { $1 }),
        post(
            "delete own default workspace", { w in .workspaces(.delete("personal-\(w.t.member.id!)")) },
            { w in [("version", "1"), ("confirm", "x")] },
            [.owner: 404, .admin: 404, .member: 403, .workspaceAdmin: 404, .outsider: 404, .anonymous: 403]),
        // Credentials: Secrets and Chat models belong to each person; Providers to Owners and Admins.
        get("secrets", { _ in .secrets(.list) }, anyone),
        post(
            "add secret", { _ in .secrets(.add) }, { _ in [("name", "MY_TOKEN"), ("value", "a-value-of-mine")] },
            anyone.merging([.owner: 303, .admin: 303, .member: 303, .workspaceAdmin: 303, .anonymous: 403]) { $1 }),
        get(
            "rotate own secret", { w in .secrets(.rotate(w.secretId, .show)) },
            [.owner: 200, .admin: 404, .member: 404, .workspaceAdmin: 404, .outsider: 404, .anonymous: 303]),
        post(
            "rotate own secret", { w in .secrets(.rotate(w.secretId, .submit)) },
            { _ in [("version", "1"), ("value", "a-new-value-4567")] },
            [.owner: 303, .admin: 404, .member: 404, .workspaceAdmin: 404, .outsider: 404, .anonymous: 403]),
        get(
            "delete own secret", { w in .secrets(.delete(w.secretId, .show)) },
            [.owner: 200, .admin: 404, .member: 404, .workspaceAdmin: 404, .outsider: 404, .anonymous: 303]),
        post(
            "delete own secret", { w in .secrets(.delete(w.secretId, .submit)) }, { _ in [("version", "1")] },
            [.owner: 303, .admin: 404, .member: 404, .workspaceAdmin: 404, .outsider: 404, .anonymous: 403]),
        get("providers", { _ in .providers(.list) }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("new provider", { _ in .providers(.new) }, query: [("kind", "openai")], admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "add provider", { _ in .providers(.add) },
            { _ in [("kind", "openai"), ("base_url", "https://api.openai.com/v1"), ("api_key", "sk-test-abcdefghijklmnop")] }, admins(303)),
        get("provider statuses", { _ in .providers(.status) }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("edit provider", { w in .providers(.edit(w.providerId, .show)) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "edit provider", { w in .providers(.edit(w.providerId, .submit)) },
            { _ in [("version", "1"), ("base_url", "http://127.0.0.1:9/v1"), ("api_key", "")] }, admins(303)),
        get("delete provider", { w in .providers(.delete(w.providerId, .show)) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post("test provider", { w in .providers(.test(w.providerId)) }, { _ in [("version", "1")] }, admins(303)),
        post("delete provider", { w in .providers(.delete(w.providerId, .submit)) }, { _ in [("version", "1")] }, admins(303)),
        get("api keys", { _ in .apiKeys(.list) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "create api key", { _ in .apiKeys(.create) },
            { _ in [("name", "New"), ("scope_org:read", "on"), ("expiry", "30"), ("expiry_date", "")] }, admins(303)),
        post("api key policy", { _ in .apiKeys(.policy) }, { _ in [("version", "0"), ("policy", "90")] }, admins(303)),
        get("api key secret", { w in .apiKeys(.secret(w.apiKeyId)) }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("rotate api key", { w in .apiKeys(.rotate(w.apiKeyId, .show)) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "rotate api key", { w in .apiKeys(.rotate(w.apiKeyId, .submit)) }, { _ in [("version", "2"), ("grace", "3600")] },
            admins(303)),
        get(
            "revoke old api key secret", { w in .apiKeys(.revokePrevious(w.apiKeyId, .show)) },
            admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "revoke old api key secret", { w in .apiKeys(.revokePrevious(w.apiKeyId, .submit)) }, { _ in [("version", "2")] }, admins(303)),
        get("revoke api key", { w in .apiKeys(.revoke(w.apiKeyId, .show)) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post("revoke api key", { w in .apiKeys(.revoke(w.apiKeyId, .submit)) }, { _ in [("version", "2")] }, admins(303)),
        get("chat models", { _ in .chatModels(.show) }, anyone),
        post(
            "chat model on", { _ in .chatModels(.update) }, { _ in [("model", "openai/gpt-4o"), ("enabled", "1")] },
            anyone.merging([.owner: 303, .admin: 303, .member: 303, .workspaceAdmin: 303, .anonymous: 403]) { $1 }),
        get("usage", { _ in .usage(.show) }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("usage csv", { _ in .usage(.export) }, query: [("month", "2026-11")], admins(200).merging([.anonymous: 303]) { $1 }),
        get("audit", { _ in .audit(.show) }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("audit csv", { _ in .audit(.exportCSV) }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("audit jsonl", { _ in .audit(.exportJSONLines) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "audit retention", { _ in .audit(.retention) }, { _ in [("version", "0"), ("retention", "90")] },
            admins(303).merging([.admin: 403]) { $1 }),
        get("privacy", { _ in .privacy(.show) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "privacy retention", { _ in .privacy(.retention) },
            { _ in
                [
                    ("version", "0"), ("usage_events", "30"), ("ended_sessions", "90"), ("read_notifications", "365"),
                    ("mail_bodies", "forever"),
                ]
            }, admins(303).merging([.admin: 403]) { $1 }),
        post(
            "privacy masking", { _ in .privacy(.masking) }, { _ in [("version", "0"), ("masking", "on")] },
            admins(303).merging([.admin: 403]) { $1 }),
        post(
            "privacy training", { _ in .privacy(.training) }, { _ in [("version", "0"), ("training", "on")] },
            admins(303).merging([.admin: 403]) { $1 }),
        get("compliance", { _ in .compliance(.show) }, admins(200).merging([.admin: 403, .anonymous: 303]) { $1 }),
        post("compliance export", { _ in .compliance(.requestExport) }, { _ in [] }, admins(303).merging([.admin: 403]) { $1 }),
        // No export 1 exists and no link is signed: a 404 for the Owner, never a file.
        get(
            "compliance download", { _ in .compliance(.download(1)) }, query: [("expires", "1"), ("sig", "x")],
            admins(404).merging([.admin: 403, .anonymous: 303]) { $1 }),
        post(
            "schedule deletion", { _ in .compliance(.scheduleDeletion) }, { _ in [("version", "1"), ("confirm", "acme")] },
            admins(303).merging([.admin: 403]) { $1 }),
        // Nothing is scheduled in the fixture: the Owner is told so (422).
        post(
            "cancel deletion", { _ in .compliance(.cancelDeletion) }, { _ in [("version", "1")] },
            admins(422).merging([.admin: 403]) { $1 }),
        // Integrations: Owners and Admins (PRODUCT.md's permission table), editor tokens included.
        get("integrations", { _ in .integrations(.show) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "add webhook", { _ in .integrations(.addWebhook) },
            { _ in [("url", "https://hooks.example.com/new"), ("event_credits.low", "on")] }, admins(303)),
        get("webhook", { w in .integrations(.webhook(w.webhookId)) }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("webhook secret", { w in .integrations(.webhookSecret(w.webhookId)) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "switch webhook", { w in .integrations(.switchWebhook(w.webhookId)) }, { _ in [("version", "1"), ("enabled", "off")] },
            admins(303)),
        post("rotate webhook secret", { w in .integrations(.rotateWebhook(w.webhookId)) }, { _ in [("version", "1")] }, admins(303)),
        post("delete webhook", { w in .integrations(.deleteWebhook(w.webhookId)) }, { _ in [("version", "1")] }, admins(303)),
        post("test webhook", { w in .integrations(.testWebhook(w.webhookId)) }, { _ in [] }, admins(303)),
        post("redeliver", { w in .integrations(.redeliver(w.webhookId, w.deliveryId)) }, { _ in [] }, admins(303)),
        post("save slack", { _ in .integrations(.saveSlack) }, { _ in [("version", "1"), ("event_credits.low", "on")] }, admins(303)),
        post("test slack", { _ in .integrations(.testSlack) }, { _ in [] }, admins(303)),
        post("delete slack", { _ in .integrations(.deleteSlack) }, { _ in [("version", "1")] }, admins(303)),
        post(
            "add editor token", { _ in .integrations(.addEditorToken) }, { _ in [("name", "VS Code laptop")] }, admins(303)),
        get(
            "editor token secret", { w in .integrations(.editorTokenSecret(w.ownerEditorTokenId)) },
            admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "revoke editor token", { w in .integrations(.revokeEditorToken(w.ownerEditorTokenId)) }, { _ in [("version", "1")] },
            admins(303)),
        // SSO: Owner and Admin.
        get("sso", { _ in .sso(.show) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "sso config", { _ in .sso(.configure) },
            { _ in
                [
                    ("version", "0"), ("issuer", "https://login.acme.test"), ("client_id", "wheelhouse"),
                    ("client_secret", "s3cret-value-123456789"), ("scopes", "openid email"), ("jit", "off"), ("default_role", "member"),
                ]
            }, admins(303)),
        post("sso add domain", { _ in .sso(.addDomain) }, { _ in [("domain", "corp.acme.test")] }, admins(303)),
        post("sso verify domain", { w in .sso(.verifyDomain(w.ssoDomainId)) }, { _ in [] }, admins(303)),
        post("sso remove domain", { w in .sso(.removeDomain(w.ssoDomainId)) }, { _ in [] }, admins(303)),
        // Nothing is configured in the fixture: the page says so (422).
        post("sso test", { _ in .sso(.test) }, { _ in [] }, admins(422)),
        post(
            "sso enforcement", { _ in .sso(.enforcement) },
            { _ in [("version", "0"), ("enforce", "on"), ("break_glass_1", ""), ("break_glass_2", "")] }, admins(422)),
    ]

    /// Requests that name no route of the tree: a method the route does not take, a page that
    /// does not exist below a tab. Below an organization they are answered after the same checks.
    static let offRoute: [(method: String, path: String, expected: [Actor: Int])] = [
        ("POST", "/orgs/acme/settings/members/export.csv", admins(405).merging([.member: 405, .workspaceAdmin: 405]) { $1 }),
        (
            "GET", "/orgs/acme/settings/members/nothing",
            anyone.merging([.owner: 404, .admin: 404, .member: 404, .workspaceAdmin: 404]) { $1 }
        ),
        ("DELETE", "/orgs/acme/settings/general", admins(405).merging([.member: 405, .workspaceAdmin: 405]) { $1 }),
        // The Account area: no organization check, the same answer for everyone.
        ("GET", "/account/notifications/read-all", signedIn.mapValues { _ in 405 }),
        ("POST", "/account/notifications/abc/read", signedIn.mapValues { _ in 404 }),
        ("POST", "/account/notifications/-1/read", signedIn.mapValues { _ in 404 }),
        ("GET", "/account/nothing", signedIn.mapValues { _ in 404 }),
        ("GET", "/account/", signedIn.mapValues { _ in 404 }),
        ("GET", "/account/security/password", signedIn.mapValues { _ in 405 }),
        ("DELETE", "/password/forgot", signedIn.mapValues { _ in 405 }),
    ]

    @Test(arguments: cases, Actor.allCases)
    func statusFor(_ row: Case, _ actor: Actor) throws {
        let world = try World()
        let (client, csrf) = try world.client(actor)
        let route = row.route(world)
        let path = route.path(query: row.query)
        let response = route.method == .get ? client.get(path) : client.post(path, [("_csrf", csrf)] + row.fields(world))
        #expect(response.status == row.expected[actor], "\(row) (\(path)) as \(actor): \(response)")
        if actor == .anonymous && route.method == .get && response.status == 303 {
            #expect(response.location?.hasPrefix("/login?next=") == true)
        }
    }

    @Test(arguments: Actor.allCases)
    func requestsOffTheTree(_ actor: Actor) throws {
        for (method, path, expected) in Self.offRoute {
            let world = try World()
            let (client, csrf) = try world.client(actor)
            let response =
                method == "GET"
                ? client.get(path)
                : client.send(method, path, contentType: "application/x-www-form-urlencoded", body: Array("_csrf=\(csrf)".utf8))
            #expect(response.status == expected[actor], "\(method) \(path) as \(actor): \(response)")
        }
    }

    /// The matrix is checked against the route tree: a route added to a tab without a row here
    /// fails this test instead of going untested.
    @Test func everyRouteOfAnOrganizationAndTheAccountAreaHasARow() throws {
        let world = try World()
        let covered = Set(Self.cases.map { $0.route(world).kind })
        let orgRoutes = Route.examples.filter {
            switch $0 {
            case .org, .account, .passwordForgot, .passwordReset, .emailChange, .testGatewayChallenge: true
            default: false
            }
        }
        let missing = orgRoutes.map(\.kind).filter { !covered.contains($0) }
        #expect(missing.isEmpty, "routes without a row in the matrix: \(missing)")
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
