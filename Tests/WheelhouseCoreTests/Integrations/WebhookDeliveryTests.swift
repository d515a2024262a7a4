import Foundation
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Deliveries against a real HTTP stand-in on loopback: the signature as the README tells
/// receivers to check it, retries with back-off, redelivery, the refusal of private addresses.
@Suite("Webhook deliveries") struct WebhookDeliveryTests {
    /// The README's recipe, written out here as a receiver would: split the header, HMAC-SHA256
    /// over "<t>.<body>" with the secret, compare in constant time, refuse timestamps over 5 min old.
    static func receiverAccepts(_ header: String, body: [UInt8], secret: String, now: Date) -> Bool {
        let parts = Dictionary(
            header.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }.filter { $0.count == 2 }
                .map { ($0[0], $0[1]) }, uniquingKeysWith: { a, _ in a })
        guard let t = parts["t"], let timestamp = Double(t), let v1 = parts["v1"] else { return false }
        guard abs(now.timeIntervalSince1970 - timestamp) <= 300 else { return false }
        let expected = Crypto.hmacSHA256(key: Array(secret.utf8), data: Array("\(t).".utf8) + body).map { String(format: "%02x", $0) }
            .joined()
        return Crypto.constantTimeEquals(Array(expected.utf8), Array(v1.utf8))
    }

    @Test func aDeliveryIsSignedAsTheRecipeSays() throws {
        let world = try IntegrationsWorld()
        let standIn = try HTTPStandIn()
        defer { standIn.stop() }
        let issued = try world.addEndpoint(standIn.url)
        #expect(issued.secret.hasPrefix("whsec_"))
        try world.memberJoined()
        let worker = WebhookWorker(database: world.database, policy: IntegrationsWorld.loopback)
        #expect(try worker.runOne())
        #expect(try !worker.runOne())

        let request = try #require(standIn.requests.first)
        #expect(standIn.requests.count == 1)
        #expect(request.requestLine.hasPrefix("POST /hook "))
        #expect(request.header("Content-Type") == "application/json")
        let signature = try #require(request.header("Wheelhouse-Signature"))
        #expect(Self.receiverAccepts(signature, body: request.body, secret: issued.secret, now: world.clock.now))
        #expect(WebhookSignature.verify(header: signature, body: request.body, secret: issued.secret, now: world.clock.now))
        // A changed body, another secret, or the same delivery replayed 6 minutes later: refused.
        #expect(!Self.receiverAccepts(signature, body: request.body + [32], secret: issued.secret, now: world.clock.now))
        #expect(!Self.receiverAccepts(signature, body: request.body, secret: "whsec_other", now: world.clock.now))
        #expect(!Self.receiverAccepts(signature, body: request.body, secret: issued.secret, now: world.clock.now + 360))

        let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        #expect(json["type"] as? String == "member.joined")
        #expect((json["id"] as? String)?.hasPrefix("evt_") == true)
        #expect(request.header("Wheelhouse-Event-Id") == json["id"] as? String)
        #expect(json["created"] as? Int == Int(world.clock.now.timeIntervalSince1970))
        #expect((json["organization"] as? [String: String]) == ["key": "acme", "name": "Acme"])
        #expect((json["data"] as? [String: String])?["summary"] == "Nina New joined Acme as Member")

        let delivery = try #require(try world.deliveries(issued.endpoint.id).first)
        #expect(delivery.status == .delivered && delivery.responseCode == 200 && delivery.attempts == 1)
        #expect(delivery.responseExcerpt == "thanks")
    }

    @Test func aFailureIsRetriedAfterTheBackOffThenDelivered() throws {
        let world = try IntegrationsWorld()
        let standIn = try HTTPStandIn(statuses: [500, 200])
        defer { standIn.stop() }
        let issued = try world.addEndpoint(standIn.url)
        try world.memberJoined()
        let worker = WebhookWorker(database: world.database, policy: IntegrationsWorld.loopback)
        #expect(try worker.runOne())
        var delivery = try #require(try world.deliveries(issued.endpoint.id).first)
        #expect(delivery.status == .pending && delivery.responseCode == 500 && delivery.attempts == 1)
        #expect(delivery.nextAttemptAt == world.clock.now.addingTimeInterval(60))
        #expect(delivery.lastError == "the endpoint answered HTTP 500" && delivery.responseExcerpt == "broken")
        // Not due yet: nothing is sent.
        world.clock.advance(59)
        #expect(try !worker.runOne())
        world.clock.advance(1)
        #expect(try worker.runOne())
        delivery = try #require(try world.deliveries(issued.endpoint.id).first)
        #expect(delivery.status == .delivered && delivery.responseCode == 200 && delivery.attempts == 2)
        #expect(standIn.requests.count == 2)
        // Both attempts carry the same event id and the same body (receivers de-duplicate by it).
        #expect(Set(standIn.requests.map { $0.header("Wheelhouse-Event-Id") ?? "" }) == [delivery.eventId])
        #expect(standIn.requests[0].body == standIn.requests[1].body)
    }

    @Test func sixFailuresGiveUpAndRedeliverSendsTheSameEventAgain() throws {
        let world = try IntegrationsWorld()
        let standIn = try HTTPStandIn(statuses: [503, 503, 503, 503, 503, 503, 204])
        defer { standIn.stop() }
        let issued = try world.addEndpoint(standIn.url)
        try world.memberJoined()
        let worker = WebhookWorker(database: world.database, policy: IntegrationsWorld.loopback)
        for attempt in 1...IntegrationRules.maxAttempts {
            #expect(try worker.runOne())
            if attempt < IntegrationRules.maxAttempts { world.clock.advance(IntegrationRules.wait(afterAttempt: attempt)) }
        }
        var delivery = try #require(try world.deliveries(issued.endpoint.id).first)
        #expect(delivery.status == .failed && delivery.attempts == 6 && delivery.nextAttemptAt == nil)
        world.clock.advance(86_400)
        #expect(try !worker.runOne())

        try world.database.redeliver(orgKey: "acme", endpointId: issued.endpoint.id, deliveryId: delivery.id, by: world.owner)
        #expect(try worker.runOne())
        delivery = try #require(try world.deliveries(issued.endpoint.id).first)
        #expect(delivery.status == .delivered && delivery.responseCode == 204 && delivery.attempts == 1)
        #expect(standIn.requests.count == 7)
        #expect(Set(standIn.requests.map { $0.header("Wheelhouse-Event-Id") ?? "" }).count == 1)
        #expect(try world.database.auditEvents(orgId: world.f.org.id!).contains { $0.action == .webhookRedeliver })
    }

    @Test func finishedDeliveriesLeaveTheLogAfterThirtyDays() throws {
        let world = try IntegrationsWorld()
        let standIn = try HTTPStandIn()
        defer { standIn.stop() }
        let issued = try world.addEndpoint(standIn.url)
        try world.memberJoined()
        #expect(try WebhookWorker(database: world.database, policy: IntegrationsWorld.loopback).runOne())
        world.clock.advance(30 * 86_400)
        try world.memberJoined("Paul Pending")  // not sent: stays whatever its age
        #expect(try world.database.pruneDeliveries() == 0)
        world.clock.advance(1)
        #expect(try world.database.pruneDeliveries() == 1)
        #expect(try world.deliveries(issued.endpoint.id).map(\.status) == [.pending])
    }

    @Test func aPrivateAddressIsRefusedUnderTheDefaultPolicyAndLogged() throws {
        let world = try IntegrationsWorld()
        let standIn = try HTTPStandIn()
        defer { standIn.stop() }
        let issued = try world.addEndpoint(standIn.url)
        try world.memberJoined()
        // The operator's allow-list is empty here: loopback is refused before any connection.
        let worker = WebhookWorker(database: world.database, policy: OutboundPolicy())
        #expect(try worker.runOne())
        let delivery = try #require(try world.deliveries(issued.endpoint.id).first)
        #expect(delivery.status == .pending && delivery.responseCode == nil)
        #expect(delivery.lastError?.hasPrefix("blocked") == true)
        #expect(standIn.requests.isEmpty)
    }

    @Test func aDisabledEndpointGetsNothingUntilSwitchedOnAndTestEventsGoToOneEndpoint() throws {
        let world = try IntegrationsWorld()
        let standIn = try HTTPStandIn()
        defer { standIn.stop() }
        let first = try world.addEndpoint(standIn.url)
        let second = try world.addEndpoint(standIn.url + "/two", events: [.creditsLow])
        try world.database.setIntegrationEnabled(orgKey: "acme", id: first.endpoint.id, enabled: false, expectedVersion: 1, by: world.owner)
        try world.memberJoined()
        #expect(try world.deliveries(first.endpoint.id).isEmpty)
        #expect(try world.deliveries(second.endpoint.id).isEmpty)  // not subscribed to member.joined
        let eventId = try world.database.sendIntegrationTest(orgKey: "acme", id: second.endpoint.id, by: world.owner)
        let worker = WebhookWorker(database: world.database, policy: IntegrationsWorld.loopback)
        #expect(try worker.runOne())
        #expect(standIn.requests.map { $0.header("Wheelhouse-Event-Id") } == [eventId])
        #expect(standIn.requests.first?.requestLine.hasPrefix("POST /hook/two ") == true)
    }
}
