import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb
import WheelhouseTestSupport

@Suite("Integrations tab, in process") struct IntegrationsWebTests {
    static let tab = "/orgs/acme/settings/integrations"

    /// The route matrix's and audit trail's world: an endpoint with one delivery, Slack, and an
    /// editor token of the Owner's.
    static func seed(_ t: TestApp) throws -> (webhook: Int64, delivery: Int64, token: Int64) {
        let owner = WheelhouseCore.Actor(user: t.owner, address: "test")
        let webhook = try t.database.createWebhookEndpoint(
            orgKey: "acme", EndpointForm(url: "https://hooks.example.com/w", events: ["member.joined"]), by: owner
        ).endpoint.id
        _ = try t.database.sendIntegrationTest(orgKey: "acme", id: webhook, by: owner)
        let delivery = try t.database.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM webhookDelivery")! }
        try t.database.saveSlack(
            orgKey: "acme", EndpointForm(url: "https://hooks.slack.com/services/T1/B1/abcd", events: ["member.joined"]),
            expectedVersion: 0, by: owner)
        let token = try t.database.createEditorToken(orgKey: "acme", name: "VS Code", by: owner).key.id
        return (webhook, delivery, token)
    }

    /// The value of the page's read-only secret field.
    static func shownSecret(_ page: TestResponse) -> String? {
        guard let range = page.html.range(of: #"id="integration-secret"[^>]* value="([^"]+)""#, options: .regularExpression) else {
            return nil
        }
        let match = String(page.html[range])
        return match.range(of: #"(whsec|whk)_[0-9A-Za-z]+"#, options: .regularExpression).map { String(match[$0]) }
    }

    @Test func anAdminAddsAnEndpointSeesTheSecretOnceAndATestEventInTheLog() throws {
        let t = try TestApp()
        let standIn = try HTTPStandIn()
        defer { standIn.stop() }
        let client = try t.client(signedInAs: "admin@acme.test")
        let page = client.get(Self.tab)
        #expect(page.status == 200 && page.contains("Add an endpoint") && page.contains("Your editor tokens"))
        let added = client.post(
            Self.tab + "/webhooks", [("_csrf", page.csrf), ("url", standIn.url), ("description", "Ops"), ("event_member.joined", "on")])
        #expect(added.status == 303)
        let shown = client.get(added.location!)
        let secret = try #require(Self.shownSecret(shown))
        #expect(secret.hasPrefix("whsec_"))
        #expect(!client.get(added.location!).contains(secret))
        let endpointPath = try #require(added.location?.replacingOccurrences(of: "/secret", with: ""))
        let endpoint = client.get(endpointPath)
        #expect(endpoint.contains("Nothing sent yet") && !endpoint.contains(secret))
        #expect(client.post(endpointPath + "/test", [("_csrf", page.csrf)]).status == 303)
        // The request queued the test; the worker (here, by hand) sends it.
        #expect(standIn.requests.isEmpty)
        #expect(try WebhookWorker(database: t.database, policy: TestApp.standInPolicy).runOne())
        let request = try #require(standIn.requests.first)
        #expect(
            WebhookSignature.verify(header: request.header("Wheelhouse-Signature") ?? "", body: request.body, secret: secret, now: Date()))
        let log = client.get(endpointPath)
        #expect(log.contains("<code>test</code>") && log.contains("status-delivered") && log.contains("HTTP 200"))
    }

    @Test func badInputComesBackWithEveryValueAndChangesNothing() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let csrf = client.get(Self.tab).csrf
        let rows: [(fields: [(String, String)], message: String)] = [
            ([("url", "not a url"), ("event_member.joined", "on")], "Enter a full address"),
            ([("url", "http://hooks.example.com/x"), ("event_member.joined", "on")], "Use an https:// address"),
            (
                [("url", "https://hooks.example.com/" + String(repeating: "a", count: 2_001)), ("event_member.joined", "on")],
                "at most 2000"
            ),
            ([("url", "https://hooks.example.com/a\u{1}b"), ("event_member.joined", "on")], "control characters"),
            ([("url", "https://hooks.example.com/x"), ("description", "line\u{7}")], "Choose at least one event"),
            ([("url", "https://hooks.example.com/x"), ("event_everything", "on")], "does not take"),
        ]
        for row in rows {
            let response = client.post(Self.tab + "/webhooks", [("_csrf", csrf)] + row.fields)
            #expect(response.status == 422, "\(row.fields)")
            #expect(response.contains(row.message), "\(row.message)")
        }
        let kept = client.post(
            Self.tab + "/webhooks", [("_csrf", csrf), ("url", "http://hooks.example.com/keep"), ("description", "Keep me")])
        #expect(kept.contains("value=\"http://hooks.example.com/keep\"") && kept.contains("value=\"Keep me\""))
        #expect(try t.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM integrationEndpoint")! } == 0)
        // A forged token changes nothing (403).
        let forged = client.post(
            Self.tab + "/webhooks", [("_csrf", "forged"), ("url", "https://hooks.example.com/x"), ("event_member.joined", "on")])
        #expect(forged.status == 403)
        #expect(try t.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM integrationEndpoint")! } == 0)
    }

    @Test func anotherOrganizationsIdsAre404AndAStaleSwitchIs409() throws {
        let t = try TestApp()
        let (webhook, delivery, _) = try Self.seed(t)
        let outsider = try t.client(signedInAs: "out@other.test")
        let csrf = outsider.get("/orgs/other/settings/integrations").csrf
        let other = "/orgs/other/settings/integrations/webhooks/\(webhook)"
        #expect(outsider.get(other).status == 404)
        #expect(outsider.post(other + "/delete", [("_csrf", csrf), ("version", "1")]).status == 404)
        #expect(outsider.post(other + "/deliveries/\(delivery)/redeliver", [("_csrf", csrf)]).status == 404)
        let owner = try t.client(signedInAs: "owner@acme.test")
        let page = owner.get(Self.tab + "/webhooks/\(webhook)")
        #expect(
            owner.post(Self.tab + "/webhooks/\(webhook)/switch", [("_csrf", page.csrf), ("version", "1"), ("enabled", "off")]).status == 303
        )
        let stale = owner.post(Self.tab + "/webhooks/\(webhook)/switch", [("_csrf", page.csrf), ("version", "1"), ("enabled", "on")])
        #expect(stale.status == 409 && stale.contains("changed after this page was opened"))
        #expect(try !t.database.integrationEndpoint(id: webhook, t.database.access(orgKey: "acme", userId: t.owner.id!)).enabled)
        // The Slack channel's id is not a webhook's page.
        let slack = try #require(try t.database.slackIntegration(t.database.access(orgKey: "acme", userId: t.owner.id!)))
        #expect(owner.get(Self.tab + "/webhooks/\(slack.id)").status == 404)
    }

    @Test func slackIsNeverShownBackAndAStaleSaveKeepsNoURL() throws {
        let t = try TestApp()
        _ = try Self.seed(t)
        let owner = try t.client(signedInAs: "owner@acme.test")
        let page = owner.get(Self.tab)
        #expect(page.contains("hooks.slack.com/…abcd") && !page.contains("/services/T1/B1"))
        let bad = owner.post(
            Self.tab + "/slack",
            [("_csrf", page.csrf), ("version", "1"), ("url", "https://evil.example.com/x"), ("event_member.joined", "on")])
        #expect(bad.status == 422 && bad.contains("hooks.slack.com/services/"))
        let stale = owner.post(
            Self.tab + "/slack",
            [("_csrf", page.csrf), ("version", "0"), ("url", "https://hooks.slack.com/services/T9/B9/zzzz"), ("event_member.joined", "on")])
        #expect(stale.status == 409 && !stale.contains("T9/B9"))
        #expect(owner.post(Self.tab + "/slack/test", [("_csrf", page.csrf)]).status == 303)
        #expect(
            try t.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM webhookDelivery WHERE eventType = 'test'")! } == 2)
    }

    /// PRODUCT.md's permission table: Integrations is the Owners' and Admins' (a Member gets 403);
    /// each of them makes their own editor tokens here.
    @Test func membersAreRefusedAndAnAdminMakesTheirOwnEditorToken() throws {
        let t = try TestApp()
        _ = try Self.seed(t)
        let member = try t.client(signedInAs: "member@acme.test")
        #expect(member.get(Self.tab).status == 403)
        let csrf = member.get("/orgs/acme/settings/general").csrf
        #expect(member.post(Self.tab + "/editor-tokens", [("_csrf", csrf), ("name", "My laptop")]).status == 403)
        let admin = try t.client(signedInAs: "admin@acme.test")
        let page = admin.get(Self.tab)
        let created = admin.post(Self.tab + "/editor-tokens", [("_csrf", page.csrf), ("name", "My laptop")])
        #expect(created.status == 303)
        let secret = try #require(Self.shownSecret(admin.get(created.location!)))
        #expect(try t.database.authenticateAPIKey(secret, address: "x").scopes == EditorTokenRules.scopes)
        let tooLong = admin.post(Self.tab + "/editor-tokens", [("_csrf", page.csrf), ("name", String(repeating: "x", count: 61))])
        #expect(tooLong.status == 422 && tooLong.contains("at most 60"))
        // The Owner sees everyone's tokens.
        let owner = try t.client(signedInAs: "owner@acme.test")
        #expect(owner.get(Self.tab).contains("My laptop"))
    }
}
