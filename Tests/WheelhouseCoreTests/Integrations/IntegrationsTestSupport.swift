import Foundation
@testable import WheelhouseCore
import WheelhouseTestSupport

/// An `acme` whose outbound policy lets webhooks reach a stand-in on loopback, on a test clock.
struct IntegrationsWorld {
    let f: Fixture
    let clock: TestClock
    static let loopback = try! OutboundPolicy(parsing: "127.0.0.1/32")

    init() throws {
        let clock = TestClock()
        var database = try AppDatabase.inMemory(now: { clock.now })
        database.outboundPolicy = Self.loopback
        (f, self.clock) = (try Fixture(database: database), clock)
    }

    var owner: Actor { Actor(user: f.owner, address: "test") }
    var database: AppDatabase { f.database }

    func addEndpoint(_ url: String, events: [IntegrationEvent] = [.memberJoined]) throws -> IssuedWebhookSecret {
        try database.createWebhookEndpoint(
            orgKey: "acme", EndpointForm(url: url, description: "tests", events: events.map(\.rawValue)), by: owner)
    }

    /// A member joined: raised the way the app raises it (`notifyAdmins`), in one transaction.
    func memberJoined(_ name: String = "Nina New") throws {
        try database.writer.write { db in
            try AppDatabase.notifyAdmins(
                db, orgId: f.org.id!, except: [], kind: .memberJoined, title: "\(name) joined Acme as Member",
                link: "/orgs/acme/settings/members", now: clock.now)
        }
    }

    func deliveries(_ endpointId: Int64) throws -> [WebhookDelivery] {
        try database.integrationDeliveries(endpointId: endpointId, try database.access(orgKey: "acme", userId: f.owner.id!))
    }

    static func fieldErrors(_ body: () throws -> Void) -> FieldErrors? {
        do { try body() } catch DomainError.invalid(let errors) { return errors } catch { return nil }
        return nil
    }
}
