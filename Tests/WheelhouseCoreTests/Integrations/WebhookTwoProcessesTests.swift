import Foundation
import GRDB
import Synchronization
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Two responder processes on one database file, each with its own `AppDatabase` (its own
/// connections, as separate processes have) and its own workers, claiming at the same time:
/// every event still reaches the endpoint exactly once.
@Suite("Webhook deliveries across two processes") struct WebhookTwoProcessesTests {
    @Test func eachEventIsDeliveredOncePerEndpoint() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("webhooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("wheelhouse.sqlite").path
        let key = MasterKey.generate()
        var first = try AppDatabase.open(path: path, hasher: .fastForTests, readers: 2, masterKey: .key(key))
        first.outboundPolicy = IntegrationsWorld.loopback
        let second = try AppDatabase.open(path: path, hasher: .fastForTests, readers: 2, masterKey: .key(key))
        let f = try Fixture(database: first)
        let standIn = try HTTPStandIn()
        defer { standIn.stop() }
        let owner = Actor(user: f.owner, address: "test")
        let endpoints = try (0..<2).map { index in
            try first.createWebhookEndpoint(
                orgKey: "acme", EndpointForm(url: standIn.url + "/\(index)", events: ["member.joined"]), by: owner)
        }
        let events = 15
        try first.writer.write { db in
            for index in 0..<events {
                try AppDatabase.notifyAdmins(
                    db, orgId: f.org.id!, except: [], kind: .memberJoined, title: "Person \(index) joined", link: nil, now: first.now())
            }
        }
        // Two workers per "process", all claiming at once until nothing is due.
        let workers = [first, second].flatMap { database in
            (0..<2).map { _ in WebhookWorker(database: database, policy: IntegrationsWorld.loopback) }
        }
        let failures = Atomic<Int>(0)
        let group = DispatchGroup()
        for worker in workers {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    while try worker.runOne() {}
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(failures.load(ordering: .relaxed) == 0)

        let requests = standIn.requests
        #expect(requests.count == events * endpoints.count)
        let pairs = requests.map { "\($0.requestLine.split(separator: " ")[1]) \($0.header("Wheelhouse-Event-Id") ?? "")" }
        #expect(Set(pairs).count == pairs.count)
        let delivered = try second.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM webhookDelivery WHERE status = 'delivered' AND attempts = 1")
        }
        #expect(delivered == events * endpoints.count)
    }
}
