import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// Every state-changing request of the console, done once successfully by someone who may, writes
/// exactly one audit entry with its expected action (or none, for sign-in and sign-out). The table
/// is keyed by the route's pattern (`POST /orgs/{org}/settings/…`) so a check over the route tree
/// can demand an entry for every POST leaf; a route with several outcomes has one entry per outcome.
@Suite("Audit trail: one entry per change") struct AuditTrailTests {
    typealias World = RouteMatrixTests.World

    struct Case: CustomStringConvertible, Sendable {
        /// The route's pattern, e.g. `POST /orgs/{org}/settings/members/{id}/role`.
        let route: String
        /// Which outcome of the route, when it has more than one (e.g. `on` / `off`).
        let variant: String
        /// Nil: the request changes no organization data and writes no entry.
        let expected: AuditAction?
        let status: Int
        /// Brings the world into the state the request needs (its audit entries are not counted).
        let prepare: @Sendable (World) throws -> Void
        let perform: @Sendable (World) throws -> TestResponse
        var description: String { variant.isEmpty ? route : "\(route) (\(variant))" }
    }

    static let org = "/orgs/acme/settings"

    static func post(
        _ route: String, variant: String = "", _ expected: AuditAction?, status: Int = 303,
        as actor: RouteMatrixTests.Actor = .owner, prepare: @escaping @Sendable (World) throws -> Void = { _ in },
        charged: Bool = false,
        _ path: @escaping @Sendable (World) -> String, _ fields: @escaping @Sendable (World) -> [(String, String)]
    ) -> Case {
        Case(route: route, variant: variant, expected: expected, status: status, prepare: prepare) { w in
            let (client, csrf) = try w.client(actor)
            let response = client.post(path(w), [("_csrf", csrf)] + fields(w))
            // A charge is queued by the request and recorded, with its actor, by the payment worker.
            if charged { try BillingWebSupport.runPaymentWorker(w.t) }
            return response
        }
    }

    static let cases: [Case] =
        [
            // Sign-in and sign-out change no organization data.
            Case(route: "POST /login", variant: "", expected: nil, status: 303, prepare: { _ in }) { w in
                let client = w.t.client()
                return client.post(
                    "/login",
                    [
                        ("_csrf", client.get("/login").csrf), ("email", "member@acme.test"),
                        ("password", TestApp.password), ("next", ""),
                    ])
            },
            post("POST /logout", nil, { _ in "/logout" }, { _ in [] }),
            // The code after the password, for a person with two-factor on.
            Case(
                route: "POST /login/two-factor", variant: "", expected: nil, status: 303,
                prepare: { w in try w.t.database.turnOnTwoFactor(for: w.t.member) }
            ) { w in
                let client = w.t.client()
                let form = client.get("/login")
                _ = client.post(
                    "/login", [("_csrf", form.csrf), ("email", "member@acme.test"), ("password", TestApp.password), ("next", "")])
                let secret = try TwoFactorWebTests.secret(w.t, w.t.member)
                return client.post("/login/two-factor", [("_csrf", form.csrf), ("code", TwoFactorWebTests.nextCode(secret)), ("next", "")])
            },
            // Active sessions and two-factor: personal security, told by email, not audited.
            post(
                "POST /account/security/sessions/{key}/end", nil, { w in "/account/security/sessions/\(w.ownerSessionHandle)/end" },
                { _ in [] }),
            post("POST /account/security/sessions/end-others", nil, { _ in "/account/security/sessions/end-others" }, { _ in [] }),
            post(
                "POST /account/security/two-factor", nil,
                prepare: { w in _ = try w.t.database.startTwoFactor(userId: w.t.owner.id!, email: w.t.owner.email) },
                { _ in "/account/security/two-factor" },
                { w in
                    [
                        ("password", TestApp.password),
                        ("code", TwoFactorWebTests.currentCode(try! TwoFactorWebTests.secret(w.t, w.t.owner))),
                    ]
                }),
            // Signed in first: with two-factor on, the test client's password-only sign-in would stop at the code.
            Case(route: "POST /account/security/two-factor/disable", variant: "", expected: nil, status: 303, prepare: { _ in }) { w in
                let (client, csrf) = try w.client(.owner)
                let (secret, _) = try w.t.database.turnOnTwoFactor(for: w.t.owner)
                let fields = [("_csrf", csrf), ("password", TestApp.password), ("code", TwoFactorWebTests.nextCode(secret))]
                return client.post("/account/security/two-factor/disable", fields)
            },
            // Preferences and the overview's layout, reviews and tutorial: the viewer's own (`personalNotAudited`).
            post(
                "POST /account/preferences", nil, { _ in "/account/preferences" },
                { _ in [("version", "1"), ("theme", "dark"), ("density", "compact"), ("language", "de")] }),
            post("POST /account/preferences/tutorial", nil, { _ in "/account/preferences/tutorial" }, { _ in [] }),
            post("POST /account/preferences/widgets/reset", nil, { _ in "/account/preferences/widgets/reset" }, { _ in [] }),
            post("POST /orgs/{org}/overview/widgets/{key}/up", nil, { _ in "/orgs/acme/overview/widgets/members/up" }, { _ in [] }),
            post("POST /orgs/{org}/overview/widgets/{key}/down", nil, { _ in "/orgs/acme/overview/widgets/usage/down" }, { _ in [] }),
            post("POST /orgs/{org}/overview/widgets/{key}/hide", nil, { _ in "/orgs/acme/overview/widgets/audit/hide" }, { _ in [] }),
            post("POST /orgs/{org}/overview/widgets/{key}/show", nil, { _ in "/orgs/acme/overview/widgets/audit/show" }, { _ in [] }),
            post(
                "POST /orgs/{org}/overview/checklist/{key}/review", nil, { _ in "/orgs/acme/overview/checklist/sessions/review" },
                { _ in [] }),
            post("POST /orgs/{org}/overview/tutorial/dismiss", nil, { _ in "/orgs/acme/overview/tutorial/dismiss" }, { _ in [] }),
            // The inbox: a person's own notifications, not organization data (`personalNotAudited`).
            post("POST /account/notifications/{id}/read", nil, { w in "/account/notifications/\(w.notificationId)/read" }, { _ in [] }),
            post("POST /account/notifications/read-all", nil, { _ in "/account/notifications/read-all" }, { _ in [] }),
            post(
                "POST /account/notifications/preferences", nil, { _ in "/account/notifications/preferences" },
                { _ in [("version", "0"), ("kinds", "member.left"), ("email:member.left", "on")] }),
            // Profile, password and password reset: the person's own account, told by email instead.
            post("POST /account", nil, { _ in "/account" }, { _ in [("version", "1"), ("name", "Olga O.")] }),
            post(
                "POST /account/security/password", nil, { _ in "/account/security/password" },
                { _ in [("current_password", TestApp.password), ("new_password", "zebra violin quartz 9081")] }),
            Case(route: "POST /password/forgot", variant: "", expected: nil, status: 303, prepare: { _ in }) { w in
                let client = w.t.client()
                return client.post("/password/forgot", [("_csrf", client.get("/password/forgot").csrf), ("email", "member@acme.test")])
            },
            Case(route: "POST /password/reset/{token}", variant: "", expected: nil, status: 303, prepare: { _ in }) { w in
                let client = w.t.client()
                let link = try PasswordResetLinks.request(w.t, "member@acme.test")
                return client.post(link, [("_csrf", client.get(link).csrf), ("new_password", "zebra violin quartz 9081")])
            },
            // The profile's other forms: the person's own account, told by email where it matters.
            Case(route: "POST /account/avatar", variant: "", expected: nil, status: 303, prepare: { _ in }) { w in
                let (client, csrf) = try w.client(.member)
                return ProfileSettingsWebTests.upload(client, csrf, file: LogoFiles.png)
            },
            post(
                "POST /account/default-organization", nil, as: .member, { _ in "/account/default-organization" },
                { _ in [("version", "1"), ("default_org", "acme")] }),
            post(
                "POST /account/email", nil, as: .member, { _ in "/account/email" },
                { _ in [("new_email", "max@new.test"), ("password", TestApp.password)] }),
            Case(route: "POST /email/confirm/{token}", variant: "", expected: nil, status: 303, prepare: { _ in }) { w in
                try w.t.database.requestEmailChange(
                    newEmail: "max@new.test", password: TestApp.password, by: Actor(user: w.t.member, address: "127.0.0.1"))
                let client = w.t.client()
                let link = try #require(try ProfileSettingsWebTests.emailLink(w.t))
                return client.post(link, [("_csrf", client.get(link).csrf)])
            },
            // New organization: the first entry of the new organization's log. Delete my account:
            // an entry in each organization the person leaves.
            post(
                "POST /account/organizations/new", .organizationCreate, as: .member, { _ in "/account/organizations/new" },
                { _ in [("org_name", "Max Labs"), ("org_key", "max-labs")] }),
            post(
                "POST /account/delete", .memberAccountDelete, as: .member, { _ in "/account/delete" },
                { _ in [("password", TestApp.password)] }),
            // General (the logo travels in the same form)
            post(
                "POST /orgs/{org}/settings/general", variant: "fields", .organizationUpdate, { _ in org + "/general" },
                { _ in [("version", "1"), ("display_name", "Acme 2"), ("description", ""), ("member_limit", "30")] }),
            Case(route: "POST /orgs/{org}/settings/general", variant: "logo", expected: .organizationUpdate, status: 303, prepare: { _ in })
            {
                w in
                let (client, csrf) = try w.client(.owner)
                let fields = [("_csrf", csrf), ("version", "1"), ("display_name", "Acme"), ("description", ""), ("member_limit", "25")]
                return client.postMultipart(
                    org + "/general", fields.map { ($0.0, Array($0.1.utf8)) }, files: [("logo", "logo.png", LogoFiles.png)])
            },
            // Members and invitations
            post(
                "POST /orgs/{org}/settings/members/invite", .invitationCreate, { _ in org + "/members/invite" },
                { _ in [("emails", "x@acme.test"), ("role", "member")] }),
            post(
                "POST /orgs/{org}/settings/members/{id}/role", .memberRole, { w in org + "/members/\(w.t.member.id!)/role" },
                { _ in [("version", "1"), ("role", "admin")] }),
            post(
                "POST /orgs/{org}/settings/members/{id}/remove", .memberRemove, { w in org + "/members/\(w.t.member.id!)/remove" },
                { _ in [("version", "1")] }),
            post("POST /orgs/{org}/settings/members/leave", .memberLeave, as: .admin, { _ in org + "/members/leave" }, { _ in [] }),
            post(
                "POST /orgs/{org}/settings/members/transfer", .organizationTransfer, { _ in org + "/members/transfer" },
                { w in [("user", "\(w.t.admin.id!)"), ("confirm", "acme")] }),
            post(
                "POST /orgs/{org}/settings/members/invitations/{id}/resend", .invitationResend,
                { w in org + "/members/invitations/\(w.invitationId)/resend" }, { _ in [("version", "1")] }),
            post(
                "POST /orgs/{org}/settings/members/invitations/{id}/revoke", .invitationRevoke,
                { w in org + "/members/invitations/\(w.invitationId)/revoke" }, { _ in [("version", "1")] }),
            // API keys (the world's key is at version 2: made, then rotated with a day's grace)
            post(
                "POST /orgs/{org}/settings/api-keys", .apiKeyCreate, { _ in org + "/api-keys" },
                { _ in [("name", "New"), ("scope_org:read", "on"), ("expiry", "30"), ("expiry_date", "")] }),
            post(
                "POST /orgs/{org}/settings/api-keys/policy", .apiKeyPolicy, { _ in org + "/api-keys/policy" },
                { _ in [("version", "0"), ("policy", "90")] }),
            post(
                "POST /orgs/{org}/settings/api-keys/{id}/rotate", .apiKeyRotate, { w in org + "/api-keys/\(w.apiKeyId)/rotate" },
                { _ in [("version", "2"), ("grace", "3600")] }),
            post(
                "POST /orgs/{org}/settings/api-keys/{id}/revoke-previous", .apiKeyRevokePrevious,
                { w in org + "/api-keys/\(w.apiKeyId)/revoke-previous" }, { _ in [("version", "2")] }),
            post(
                "POST /orgs/{org}/settings/api-keys/{id}/revoke", .apiKeyRevoke, { w in org + "/api-keys/\(w.apiKeyId)/revoke" },
                { _ in [("version", "2")] }),
            post(
                "POST /orgs/{org}/settings/audit/retention", .auditRetention, { _ in org + "/audit/retention" },
                { _ in [("version", "0"), ("retention", "90")] }),
            post(
                "POST /orgs/{org}/settings/billing/credits/warning", .billingCreditWarning, { _ in org + "/billing/credits/warning" },
                { _ in [("version", "0"), ("threshold", "10")] }),
            // Privacy: the three forms share one version (0: never saved)
            post(
                "POST /orgs/{org}/settings/billing/plans/{key}/downgrade", .planDowngradeSchedule,
                { _ in org + "/billing/plans/free/downgrade" }, { _ in [] }),
            Case(
                route: "POST /orgs/{org}/settings/billing/plans/{key}/upgrade", variant: "", expected: .organizationPlan, status: 303,
                prepare: { w in try BillingWebSupport.prepare(w.t) }
            ) { w in
                let (client, _) = try w.client(.owner)
                let preview = client.get(org + "/billing/plans/business")
                let response = client.post(
                    org + "/billing/plans/business/upgrade", [("_csrf", preview.csrf), ("key", preview.inputValue("key") ?? "")])
                try BillingWebSupport.runPaymentWorker(w.t)
                return response
            },
            // A renewal declined once (the card fails every charge): the Owner asks for the retry now;
            // the request queues it and writes its entry, the worker charges later.
            post(
                "POST /orgs/{org}/settings/billing/renewal/retry", .billingRenewalRetry,
                prepare: { w in
                    try BillingWebSupport.prepare(w.t, card: "4000000000000341")
                    try BillingWebSupport.makePastDue(w.t)
                }, { _ in org + "/billing/renewal/retry" },
                { w in [("version", String((try? w.t.database.subscriptionState(orgId: w.t.org.id!)?.pastDue?.version) ?? 0))] }),
            post(
                "POST /orgs/{org}/settings/billing/plans/cancel-downgrade", .planDowngradeCancel,
                prepare: { w in _ = try w.t.database.scheduleDowngrade(orgKey: "acme", to: .starter, by: owner(w)) },
                { _ in org + "/billing/plans/cancel-downgrade" }, { _ in [("version", "1")] }),
            post(
                "POST /orgs/{org}/settings/privacy/retention", .privacyRetention, { _ in org + "/privacy/retention" },
                { _ in
                    [
                        ("version", "0"), ("usage_events", "365"), ("ended_sessions", "forever"), ("read_notifications", "forever"),
                        ("mail_bodies", "90"),
                    ]
                }),
            post(
                "POST /orgs/{org}/settings/privacy/masking", .privacyMasking, { _ in org + "/privacy/masking" },
                { _ in [("version", "0"), ("masking", "on")] }),
            post(
                "POST /orgs/{org}/settings/privacy/training", .privacyTraining, { _ in org + "/privacy/training" },
                { _ in [("version", "0"), ("training", "on")] }),
            post(
                "POST /orgs/{org}/settings/compliance/exports", .complianceExportRequest, { _ in org + "/compliance/exports" }, { _ in [] }),
            post(
                "POST /orgs/{org}/settings/compliance/deletion", .organizationDeletionSchedule, { _ in org + "/compliance/deletion" },
                { _ in [("version", "1"), ("confirm", "acme")] }),
            post(
                "POST /orgs/{org}/settings/compliance/deletion/cancel", .organizationDeletionCancel,
                prepare: { w in
                    try w.t.database.scheduleDeletion(
                        orgKey: "acme", confirmKey: "acme", expectedVersion: 1, by: Actor(user: w.t.owner, address: "t"))
                }, { _ in org + "/compliance/deletion/cancel" }, { _ in [("version", "2")] }),
            // Teams (Core is at version 2: created, then Max added)
            post(
                "POST /orgs/{org}/settings/teams", .teamCreate, { _ in org + "/teams" },
                { _ in [("name", "New team"), ("description", "")] }),
            post(
                "POST /orgs/{org}/settings/teams/{id}", .teamUpdate, { w in org + "/teams/\(w.teamId)" },
                { _ in [("version", "2"), ("name", "Core 2"), ("description", "")] }),
            post(
                "POST /orgs/{org}/settings/teams/{id}/delete", .teamDelete, { w in org + "/teams/\(w.teamId)/delete" },
                { _ in [("version", "2"), ("confirm", "Core")] }),
            post(
                "POST /orgs/{org}/settings/teams/{id}/members", .teamMemberAdd, { w in org + "/teams/\(w.teamId)/members" },
                { w in [("user", "\(w.t.admin.id!)")] }),
            post(
                "POST /orgs/{org}/settings/teams/{id}/members/{id}/remove", .teamMemberRemove,
                { w in org + "/teams/\(w.teamId)/members/\(w.t.member.id!)/remove" }, { _ in [] }),
            // Workspaces
            post(
                "POST /orgs/{org}/settings/workspaces", .workspaceCreate, { _ in org + "/workspaces" },
                { _ in [("name", "New"), ("key", "new-ws"), ("description", "")] }),
            post(
                "POST /orgs/{org}/settings/workspaces/{key}/access", .workspaceAccessGrant, { _ in org + "/workspaces/lab/access" },
                { w in [("subject", "user:\(w.t.member.id!)"), ("level", "read")] }),
            post(
                "POST /orgs/{org}/settings/workspaces/{key}/access/{id}", .workspaceAccessChange,
                { w in org + "/workspaces/lab/access/\(w.grantId)" }, { _ in [("version", "1"), ("level", "write")] }),
            post(
                "POST /orgs/{org}/settings/workspaces/{key}/access/{id}/revoke", .workspaceAccessRevoke,
                { w in org + "/workspaces/lab/access/\(w.grantId)/revoke" }, { _ in [("version", "1")] }),
            post(
                "POST /orgs/{org}/settings/workspaces/{key}/settings", .workspaceUpdate, { _ in org + "/workspaces/lab/settings" },
                { _ in [("version", "1"), ("name", "Lab 2"), ("description", "")] }),
            post(
                "POST /orgs/{org}/settings/workspaces/{key}/archive", .workspaceArchive, { _ in org + "/workspaces/lab/archive" },
                { _ in [("version", "1")] }),
            post(
                "POST /orgs/{org}/settings/workspaces/{key}/restore", .workspaceRestore,
                prepare: { w in
                    try w.t.database.setWorkspaceArchived(orgKey: "acme", key: "lab", true, expectedVersion: 1, by: owner(w))
                }, { _ in org + "/workspaces/lab/restore" }, { _ in [("version", "2")] }),
            post(
                "POST /orgs/{org}/settings/workspaces/{key}/delete", .workspaceDelete, { _ in org + "/workspaces/lab/delete" },
                { _ in [("version", "1"), ("confirm", "Lab")] }),
            // Secrets (the Owner's own)
            post(
                "POST /orgs/{org}/settings/secrets", .secretCreate, { _ in org + "/secrets" },
                { _ in [("name", "MY_TOKEN"), ("value", "a-value-of-mine")] }),
            post(
                "POST /orgs/{org}/settings/secrets/{key}/rotate", .secretRotate, { w in org + "/secrets/\(w.secretId)/rotate" },
                { _ in [("version", "1"), ("value", "a-brand-new-value-of-some-length")] }),
            post(
                "POST /orgs/{org}/settings/secrets/{key}/delete", .secretDelete, { w in org + "/secrets/\(w.secretId)/delete" },
                { _ in [("version", "1")] }),
            // Providers (the test itself is recorded later by the worker, as `providerTest`)
            post(
                "POST /orgs/{org}/settings/providers", .providerCreate, { _ in org + "/providers" },
                { _ in [("kind", "openai"), ("base_url", "https://api.openai.com/v1"), ("api_key", "sk-test-abcdefghijklmnop")] }),
            post(
                "POST /orgs/{org}/settings/providers/{key}/edit", .providerUpdate, { w in org + "/providers/\(w.providerId)/edit" },
                { _ in [("version", "1"), ("name", ""), ("base_url", "http://127.0.0.1:9/v1"), ("api_key", "mistral-key-0987654321")] }),
            post(
                "POST /orgs/{org}/settings/providers/{key}/test", .providerTestRequest, { w in org + "/providers/\(w.providerId)/test" },
                { _ in [("version", "1")] }),
            post(
                "POST /orgs/{org}/settings/providers/{key}/delete", .providerDelete, { w in org + "/providers/\(w.providerId)/delete" },
                { _ in [("version", "1")] }),
            // Chat models
            post(
                "POST /orgs/{org}/settings/chat-models", variant: "on", .chatModelEnable, { _ in org + "/chat-models" },
                { _ in [("model", "openai/gpt-4o"), ("enabled", "1")] }),
            post(
                "POST /orgs/{org}/settings/chat-models", variant: "off", .chatModelDisable,
                prepare: { w in
                    _ = try w.t.database.setChatModel(orgKey: "acme", modelId: "openai/gpt-4o", enabled: true, by: owner(w))
                }, { _ in org + "/chat-models" }, { _ in [("model", "openai/gpt-4o"), ("enabled", "0")] }),
            // Invitation links and the confirmation of an account made through one
            post(
                "POST /invitations/{token}", variant: "signed in", .invitationAccept, as: .outsider,
                prepare: { w in
                    _ = try w.t.database.invite(orgKey: "acme", addresses: ["out@other.test"], role: .member, by: owner(w))
                }, { w in "/invitations/\(linkToken(w, "out@other.test"))" }, { _ in [] }),
            Case(route: "POST /invitations/{token}", variant: "new account", expected: .invitationAccount, status: 200, prepare: { _ in }) {
                w in
                let client = w.t.client()
                let link = "/invitations/\(linkToken(w, "guest@acme.test"))"
                return client.post(link, [("_csrf", client.get(link).csrf), ("name", "Gus Guest"), ("password", "a long enough password")])
            },
            Case(route: "POST /confirm/{token}", variant: "confirm", expected: .invitationAccept, status: 303, prepare: createGuestAccount)
            {
                w in
                let (client, link) = (w.t.client(), try confirmationLink(w))
                return client.post(link, [("_csrf", client.get(link).csrf), ("password", "a long enough password"), ("action", "confirm")])
            },
            Case(
                route: "POST /confirm/{token}", variant: "discard", expected: .invitationAccountDiscard, status: 200,
                prepare: createGuestAccount
            ) { w in
                let (client, link) = (w.t.client(), try confirmationLink(w))
                return client.post(link, [("_csrf", client.get(link).csrf), ("action", "discard")])
            },
            // Billing's payments part: each money change audited in its transaction.
            post(
                "POST /orgs/{org}/settings/billing/payment-method/card", .billingCard, { _ in org + "/billing/payment-method/card" },
                { _ in
                    [
                        ("version", "0"), ("number", "4242424242424242"), ("expiry_month", "12"), ("expiry_year", "2040"), ("cvc", "123"),
                        ("holder", "Olga"), ("card_country", "DE"),
                    ]
                }),
            post(
                "POST /orgs/{org}/settings/billing/payment-method/details", .billingDetails,
                { _ in org + "/billing/payment-method/details" },
                { _ in
                    [
                        ("version", "0"), ("legal_name", "Acme"), ("address", "Street 1"), ("country", "DE"),
                        ("billing_email", "b@acme.test"),
                        ("vat_id", ""),
                    ]
                }),
            post(
                "POST /orgs/{org}/settings/billing/credits/buy", variant: "paid", .billingCreditsPurchase,
                prepare: { w in try BillingWebSupport.prepare(w.t) }, charged: true, { _ in org + "/billing/credits/buy" },
                { _ in [("amount", "1000"), ("key", "k0123456789abcdefghij")] }),
            post(
                "POST /orgs/{org}/settings/billing/credits/buy", variant: "declined", .billingPaymentFail,
                prepare: { w in try BillingWebSupport.prepare(w.t, card: "4000000000000341") }, charged: true,
                { _ in org + "/billing/credits/buy" },
                { _ in [("amount", "1000"), ("key", "k0123456789abcdefghij")] }),
            post(
                "POST /orgs/{org}/settings/billing/auto-refill", .billingAutoRefillUpdate, { _ in org + "/billing/auto-refill" },
                { _ in [("version", "0"), ("threshold", "10"), ("target", "50"), ("cap", "200")] }),
            // The test gateway answers the challenge; the payment's page then records the purchase.
            Case(
                route: "POST /test-gateway/challenge/{token}", variant: "", expected: nil, status: 303,
                prepare: { w in
                    try BillingWebSupport.prepare(w.t, card: "4000002500003155")
                    _ = try w.t.database.buyCreditsAndCharge(
                        orgKey: "acme", creditsMinor: 1_000, idempotencyKey: "k0123456789abcdefghij",
                        setup: BillingSetup(seller: .demo, currency: .eur, gateway: TestModeGateway(database: w.t.database)), by: owner(w))
                }
            ) { w in
                let (client, csrf) = try w.client(.owner)
                return client.post(
                    "/test-gateway/challenge/\(try BillingWebSupport.challengeId(w.t))", [("_csrf", csrf), ("action", "complete")])
            },
            // SSO
            post(
                "POST /orgs/{org}/settings/sso/config", .ssoConfigure, { _ in org + "/sso/config" },
                { _ in
                    [
                        ("version", "0"), ("issuer", "https://login.acme.test"), ("client_id", "wheelhouse"),
                        ("client_secret", "s3cret-value-123456789"), ("scopes", "openid email"), ("jit", "off"), ("default_role", "member"),
                    ]
                }),
            post(
                "POST /orgs/{org}/settings/sso/domains", .ssoDomainAdd, { _ in org + "/sso/domains" },
                { _ in [("domain", "corp.acme.test")] }),
            post(
                "POST /orgs/{org}/settings/sso/domains/{id}/verify", .ssoDomainVerifyRequest,
                { w in org + "/sso/domains/\(w.ssoDomainId)/verify" },
                { _ in [] }),
            post(
                "POST /orgs/{org}/settings/sso/domains/{id}/remove", .ssoDomainRemove,
                { w in org + "/sso/domains/\(w.ssoDomainId)/remove" },
                { _ in [] }),
            post("POST /orgs/{org}/settings/sso/test", nil, status: 422, { _ in org + "/sso/test" }, { _ in [] }),
            post(
                "POST /orgs/{org}/settings/sso/enforcement", .ssoEnforce,
                prepare: { w in
                    try w.t.database.saveSSOConfiguration(
                        orgKey: "acme", by: owner(w),
                        SSOConfigChange(
                            issuer: "https://login.acme.test", clientId: "wheelhouse", clientSecret: "s3cret-value-123456789",
                            scopes: "openid email", jit: "off", defaultRole: "member", expectedVersion: 0), policy: OutboundPolicy())
                }, { _ in org + "/sso/enforcement" },
                { _ in [("version", "1"), ("enforce", "off"), ("break_glass_1", ""), ("break_glass_2", "")] }),
            Case(route: "POST /sso/start", variant: "", expected: nil, status: 422, prepare: { _ in }) { w in
                let client = w.t.client()
                return client.post("/sso/start", [("_csrf", client.get("/login").csrf), ("who", "acme")])
            },
        ] + apiCases + integrationCases

    @Test(arguments: cases)
    func oneEntryPerChange(_ change: Case) throws {
        let world = try World()
        try change.prepare(world)
        let before = try Self.lastAuditId(world)
        let response = try change.perform(world)
        #expect(response.status == change.status, "\(change): \(response)")
        let written = try world.t.database.reader.read { db in
            try AuditAction.fetchAll(db, sql: "SELECT action FROM auditEvent WHERE id > ? ORDER BY id", arguments: [before])
        }
        #expect(written == (change.expected.map { [$0] } ?? []), "\(change)")
    }

    /// The table is checked against the route tree: every route that takes a POST has a row, so a
    /// new form without its audit expectation fails here.
    @Test func everyPostRouteHasARow() {
        let rows = Set(Self.cases.map(\.route))
        let missing = Route.examples.filter { $0.method == .post }.map(\.kind).filter { !rows.contains($0) }
        #expect(missing.isEmpty, "POST routes without an audit row: \(missing)")
    }

    /// The POST routes that change no organization's data, so write no entry: signing in and out,
    /// and a person marking their own notifications read. Anything else must be audited.
    static let personalNotAudited: Set<String> = [
        "POST /login", "POST /logout", "POST /account/notifications/{id}/read", "POST /account/notifications/read-all",
        "POST /account", "POST /account/security/password", "POST /password/forgot", "POST /password/reset/{token}",
        "POST /login/two-factor", "POST /account/security/sessions/{key}/end", "POST /account/security/sessions/end-others",
        "POST /account/security/two-factor", "POST /account/security/two-factor/disable", "POST /account/avatar",
        "POST /account/default-organization", "POST /account/email", "POST /email/confirm/{token}",
        "POST /account/notifications/preferences",
        "POST /account/preferences", "POST /account/preferences/tutorial", "POST /account/preferences/widgets/reset",
        "POST /orgs/{org}/overview/widgets/{key}/up", "POST /orgs/{org}/overview/widgets/{key}/down",
        "POST /orgs/{org}/overview/widgets/{key}/hide", "POST /orgs/{org}/overview/widgets/{key}/show",
        "POST /orgs/{org}/overview/checklist/{key}/review", "POST /orgs/{org}/overview/tutorial/dismiss",
    ]

    /// The test gateway's challenge answer is the gateway's (the bank's) page, not a change of the
    /// console: the payment's page it returns to writes the purchase or decline entry.
    static let gatewayNotAudited: Set<String> = ["POST /test-gateway/challenge/{token}"]

    /// Leaving for the SSO provider changes nothing: what happens is written when the browser
    /// comes back (`sso.test`, `sso.join`, by `GET /sso/continue`).
    static let ssoDepartureNotAudited: Set<String> = ["POST /sso/start", "POST /orgs/{org}/settings/sso/test"]

    /// A row expecting no entry is one of the routes declared personal above, so a new form
    /// cannot skip its audit entry by saying nil.
    @Test func onlyPersonalRoutesWriteNoEntry() {
        let silent = Set(Self.cases.filter { $0.expected == nil }.map(\.route))
        #expect(
            silent
                == Self.personalNotAudited.union(Self.ingestionNotAudited).union(Self.gatewayNotAudited).union(Self.ssoDepartureNotAudited))
    }

    /// Actions no POST writes: the CLI, start-up and the connection-test worker write these, and a
    /// data export's download (a GET, tested in ComplianceDownloadWebTests).
    static let writtenOutsideRequests: Set<AuditAction> = [
        .memberAdd, .providerTest, .providerBindKeys, .masterKeyRotate, .auditPrune,
        .privacyPrune, .organizationPurge,
        .complianceExportDownload,
        // The auto-refill job (or the usage path) charges and switches off; no request does.
        .billingAutoRefillCharge, .billingAutoRefillOff,
        // The renewal job charges renewals and records their failures; a retry asked for now is
        // charged by the payment worker, and its request writes `billingRenewalRetry`.
        .billingRenewal, .billingRenewalFail,
        // SSO's worker (discovery, TXT lookups), the return from the provider (GET /sso/continue)
        // and a break-glass Owner's password sign-in (POST /login); tested in the SSO suites.
        .ssoDiscovery, .ssoDomainVerify, .ssoJoin, .ssoTest, .ssoBreakGlass,
    ]

    /// A new action is either written by a route of the table or declared as written elsewhere.
    @Test func everyActionIsWrittenByARouteOrOutsideRequests() {
        let byRoutes = Set(Self.cases.compactMap(\.expected))
        #expect(byRoutes.isDisjoint(with: Self.writtenOutsideRequests))
        #expect(byRoutes.union(Self.writtenOutsideRequests) == Set(AuditAction.allCases))
    }

    /// Inviting several addresses at once is several changes: one entry per invitation.
    @Test func aBulkInviteWritesOneEntryPerAddress() throws {
        let world = try World()
        let (client, csrf) = try world.client(.admin)
        let before = try Self.lastAuditId(world)
        let response = client.post(
            Self.org + "/members/invite", [("_csrf", csrf), ("emails", "a@acme.test, b@acme.test, c@acme.test"), ("role", "member")])
        #expect(response.status == 303)
        let written = try world.t.database.reader.read { db in
            try AuditAction.fetchAll(db, sql: "SELECT action FROM auditEvent WHERE id > ?", arguments: [before])
        }
        #expect(written == [.invitationCreate, .invitationCreate, .invitationCreate])
    }

    // MARK: - Helpers

    static func owner(_ w: World) -> WheelhouseCore.Actor { WheelhouseCore.Actor(user: w.t.owner, address: "test") }

    static func lastAuditId(_ w: World) throws -> Int64 {
        try w.t.database.reader.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM auditEvent")! }
    }

    static func linkToken(_ w: World, _ email: String) -> String {
        let entries = (try? w.t.database.membersPage(orgId: w.t.org.id!, MembersQuery()).entries) ?? []
        return entries.first { $0.email == email }?.linkToken ?? "missing"
    }

    /// guest@acme.test (invited by the world) makes an account through the link; it awaits confirmation.
    static func createGuestAccount(_ w: World) throws {
        _ = try w.t.database.acceptInvitationAsNewUser(
            token: linkToken(w, "guest@acme.test"), name: "Gus Guest",
            password: "a long enough password", address: "test")
    }

    /// The path of the confirmation link mailed to the guest.
    static func confirmationLink(_ w: World) throws -> String {
        let mail = try #require(
            try w.t.database.claimDueMail(baseURL: "http://127.0.0.1:8080", limit: 10).first { $0.subject.contains("Confirm") })
        let line = try #require(mail.body.split(separator: "\n").first { $0.contains("/confirm/") })
        let start = try #require(line.range(of: "/confirm/")).lowerBound
        return String(line[start...]).trimmingCharacters(in: .whitespaces)
    }
}
