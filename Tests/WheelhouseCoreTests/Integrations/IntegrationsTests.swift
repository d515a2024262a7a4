import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Endpoints, Slack and the event catalog: what the forms accept, what is stored, who may.
@Suite("Integrations") struct IntegrationsTests {
    @Test func everySubscribableEventComesFromANotificationKind() {
        for event in IntegrationEvent.subscribable {
            #expect(NotificationKind.allCases.contains { IntegrationEvent(notification: $0) == event }, "\(event)")
        }
        #expect(IntegrationEvent(notification: .passwordChanged) == nil)
    }

    @Test func raisersEmitOneEventEachNotOnePerRecipient() throws {
        let world = try IntegrationsWorld()
        let issued = try world.addEndpoint("https://hooks.example.com/w", events: [.memberJoined, .apiKeyExpiring])
        // Two admins are told that a member joined; the endpoint gets the event once.
        try world.memberJoined()
        // An API key expiring tomorrow: its maker is notified, and the event goes out.
        _ = try world.database.createAPIKey(
            orgKey: "acme", NewAPIKey(name: "CI", scopes: ["org:read"], expiry: "7"), by: world.owner)
        world.clock.advance(6 * 86_400 + 3_600)
        #expect(try world.database.sendAPIKeyExpiryNotices() == 1)
        let types = try world.deliveries(issued.endpoint.id).map(\.eventType)
        #expect(types == ["api_key.expiring", "member.joined"])
    }

    @Test func badEndpointsAreRefusedBesideTheirFields() throws {
        let world = try IntegrationsWorld()
        func errors(_ url: String, description: String = "", events: [String] = ["member.joined"]) -> FieldErrors? {
            IntegrationsWorld.fieldErrors {
                _ = try world.database.createWebhookEndpoint(
                    orgKey: "acme", EndpointForm(url: url, description: description, events: events), by: world.owner)
            }
        }
        #expect(errors("not a url")?.byField["url"] != nil)
        #expect(errors("http://hooks.example.com/x")?.byField["url"]?.first?.contains("https://") == true)
        #expect(errors("http://10.0.0.5/x")?.byField["url"] != nil)  // not in the allow-list
        #expect(errors("https://user:pw@hooks.example.com/x")?.byField["url"] != nil)
        #expect(errors("https://hooks.example.com/" + String(repeating: "a", count: 2000))?.byField["url"] != nil)
        #expect(errors("https://hooks.example.com/\u{7}")?.byField["url"] != nil)
        #expect(errors("https://hooks.example.com/x", description: "a\u{1}b")?.byField["description"] != nil)
        #expect(errors("https://hooks.example.com/x", events: ["member.joined", "everything"])?.byField["events"] != nil)
        #expect(errors("https://hooks.example.com/x", events: ["test"])?.byField["events"] != nil)
        #expect(errors("https://hooks.example.com/x", events: [])?.byField["events"] != nil)
        #expect(
            try world.database.integrationEndpoints(try world.database.access(orgKey: "acme", userId: world.f.owner.id!), kind: .webhook)
                .isEmpty)
        // http:// to the allow-list (the loopback stand-in) is fine.
        #expect(errors("http://127.0.0.1:9/hook") == nil)
    }

    @Test func atMostTenEndpoints() throws {
        let world = try IntegrationsWorld()
        for index in 0..<IntegrationRules.maxEndpoints { _ = try world.addEndpoint("https://hooks.example.com/\(index)") }
        let errors = IntegrationsWorld.fieldErrors { _ = try world.addEndpoint("https://hooks.example.com/eleven") }
        #expect(errors?.form.first?.contains("at most 10") == true)
    }

    @Test func theSecretIsSealedShownOnceAndRotated() throws {
        let world = try IntegrationsWorld()
        let (_, signedIn) = try world.database.signIn(email: "owner@acme.test", password: Fixture.password, address: "x", userAgent: "")
        let session = signedIn.session
        let issued = try world.database.createWebhookEndpoint(
            orgKey: "acme", EndpointForm(url: "https://hooks.example.com/w", events: ["member.joined"]), by: world.owner,
            revealTo: session)
        let stored = try world.database.read { db in try Data.fetchOne(db, sql: "SELECT sealed FROM integrationEndpoint")! }
        #expect(!String(decoding: stored, as: UTF8.self).contains(issued.secret))
        #expect(try world.database.takeWebhookSecret(endpointId: issued.endpoint.id, session: session) == issued.secret)
        #expect(try world.database.takeWebhookSecret(endpointId: issued.endpoint.id, session: session) == nil)
        let rotated = try world.database.rotateWebhookSecret(orgKey: "acme", id: issued.endpoint.id, expectedVersion: 1, by: world.owner)
        #expect(rotated.secret != issued.secret && rotated.endpoint.version == 2)
        #expect(throws: DomainError.staleVersion) {
            try world.database.rotateWebhookSecret(orgKey: "acme", id: issued.endpoint.id, expectedVersion: 1, by: world.owner)
        }
        #expect(
            try world.database.read { db in try world.database.openIntegrationSecret(db, endpointId: issued.endpoint.id) } == rotated.secret
        )
        // After a master key rotation the secret still opens, under the new key.
        let newKey = MasterKey.generate()
        _ = try world.database.rotateMasterKey(to: newKey)
        let reopened = try world.database.reopened(with: newKey)
        #expect(try reopened.read { db in try reopened.openIntegrationSecret(db, endpointId: issued.endpoint.id) } == rotated.secret)
        let actions = try world.database.auditEvents(orgId: world.f.org.id!).map(\.action)
        #expect(actions.contains(.webhookCreate) && actions.contains(.webhookRotateSecret))
        #expect(try !world.database.auditEvents(orgId: world.f.org.id!).contains { $0.summary.contains("whsec_") })
    }

    @Test func othersCannotSeeOrChangeTheEndpoints() throws {
        let world = try IntegrationsWorld()
        let issued = try world.addEndpoint("https://hooks.example.com/w")
        let member = Actor(user: world.f.member, address: "test")
        let outsider = Actor(user: world.f.outsider, address: "test")
        #expect(throws: DomainError.forbidden(.manageIntegrations)) {
            try world.database.deleteIntegration(orgKey: "acme", id: issued.endpoint.id, expectedVersion: 1, by: member)
        }
        #expect(throws: DomainError.notFound) {
            try world.database.deleteIntegration(orgKey: "acme", id: issued.endpoint.id, expectedVersion: 1, by: outsider)
        }
        // The outsider's own organization does not have this id.
        let other = Actor(user: world.f.outsider, address: "test")
        #expect(throws: DomainError.notFound) {
            try world.database.deleteIntegration(orgKey: "other", id: issued.endpoint.id, expectedVersion: 1, by: other)
        }
        try world.database.deleteIntegration(orgKey: "acme", id: issued.endpoint.id, expectedVersion: 1, by: world.owner)
        #expect(try world.database.auditEvents(orgId: world.f.org.id!).contains { $0.action == .webhookDelete })
    }

    @Test func slackIsValidatedSealedHintedAndPostsUnsignedText() throws {
        let world = try IntegrationsWorld()
        let url = "https://hooks.slack.com/services/T000/B000/abcdWXYZ"
        let bad = IntegrationsWorld.fieldErrors {
            try world.database.saveSlack(
                orgKey: "acme", EndpointForm(url: "https://example.com/x", events: ["credits.low"]), expectedVersion: 0, by: world.owner)
        }
        #expect(bad?.byField["url"]?.first?.contains("hooks.slack.com") == true)
        let slack = try world.database.saveSlack(
            orgKey: "acme", EndpointForm(url: url, events: ["member.joined"]), expectedVersion: 0, by: world.owner)
        #expect(slack.url == "hooks.slack.com/…WXYZ")
        let rows = try world.database.read { db in try Row.fetchOne(db, sql: "SELECT url, sealed FROM integrationEndpoint")! }
        #expect(!(rows["url"] as String).contains("B000") && !String(decoding: rows["sealed"] as Data, as: UTF8.self).contains("B000"))
        // Events change without the URL being typed again; a stale form changes nothing.
        let changed = try world.database.saveSlack(
            orgKey: "acme", EndpointForm(url: "", events: ["member.joined", "credits.low"]), expectedVersion: 1, by: world.owner)
        #expect(changed.events == [.memberJoined, .creditsLow] && changed.url == slack.url)
        #expect(throws: DomainError.staleVersion) {
            try world.database.saveSlack(
                orgKey: "acme", EndpointForm(url: "", events: ["credits.low"]), expectedVersion: 1, by: world.owner)
        }
        try world.memberJoined("<!channel> & co")
        let claimed = try #require(try world.database.claimDelivery())
        #expect(claimed.kind == .slack && claimed.secret == nil && claimed.url == url)
        let text = try #require(try JSONSerialization.jsonObject(with: Data(claimed.body)) as? [String: String])
        #expect(text == ["text": "*Acme* · Member joined: &lt;!channel&gt; &amp; co joined Acme as Member"])
    }
}
