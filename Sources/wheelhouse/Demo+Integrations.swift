import Foundation
import WheelhouseCore

extension Demo {
    /// Integrations of the demo organization: one webhook endpoint with a few logged deliveries
    /// (two delivered, one that failed with 500 then went through, one waiting for its retry),
    /// written as rows so seeding calls nothing outside; a Slack channel; and an editor token of
    /// the Owner's. Seeded after everything that raises events, so nothing else is queued.
    /// (`hooks.example.com` does not resolve, so a retry `serve` makes later goes nowhere.)
    static func seedIntegrations(_ database: AppDatabase, owner: User, orgKey: String) throws {
        let actor = Actor(user: owner, address: "demo")
        let endpoint = try database.createWebhookEndpoint(
            orgKey: orgKey,
            EndpointForm(
                url: "https://hooks.example.com/wheelhouse", description: "Ops alerts",
                events: ["member.joined", "credits.low", "payment.failed", "provider.failed"]), by: actor
        ).endpoint
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        func ago(_ seconds: TimeInterval) -> Date { now.addingTimeInterval(-seconds) }
        let deliveries = [
            SeededDelivery(
                event: .test, summary: "A test event sent by Olivia Owner from Wheelhouse.", status: .delivered, attempts: 1,
                responseCode: 200, excerpt: "ok", createdAt: ago(3 * 86_400)),
            SeededDelivery(
                event: .memberJoined, summary: "Dana Developer joined Demo Robotics as Member", status: .delivered, attempts: 2,
                responseCode: 200, excerpt: "{\"received\":true}", createdAt: ago(3 * 3_600)),
            SeededDelivery(
                event: .providerFailed, summary: "The provider “Mistral AI” of Demo Robotics failed its connection test",
                status: .pending, attempts: 2, responseCode: 500, excerpt: "Internal Server Error",
                error: "the endpoint answered HTTP 500", createdAt: ago(20 * 60), nextAttemptAt: now.addingTimeInterval(25 * 60)),
        ]
        for delivery in deliveries { try database.seedDelivery(endpointId: endpoint.id, delivery) }
        try database.saveSlack(
            orgKey: orgKey,
            EndpointForm(
                url: "https://hooks.slack.com/services/T0DEMO000/B0DEMO000/demoDemoDemoDemo1234", events: ["credits.low", "payment.failed"]),
            expectedVersion: 0, by: actor)
        _ = try database.createEditorToken(orgKey: orgKey, name: "VS Code on Olivia’s laptop", by: actor)
    }
}
