import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

@Suite("Provider checks and keys bound to their URL") struct ProviderChecksTests {
    @Test func keysSealedBeforeTheURLWasBoundAreResealedAtStartAndRotationStillWorks() throws {
        // Given a provider key sealed the old way (organization and id only), as v3 wrote it
        let key = MasterKey.generate()
        let database = try AppDatabase.inMemory(masterKey: key)
        let (owner, _) = try database.createOwner(
            NewOwner(
                email: "o@acme.test", name: "Olga", password: "correct horse battery",
                orgKey: "acme", orgName: "Acme"))
        let actor = Actor(user: owner, address: "t")
        let provider = try database.addProvider(
            orgKey: "acme", by: actor,
            ProviderChange(
                kind: .openai, name: "", baseURL: "https://api.openai.com/v1", apiKey: "sk-legacy-0123456789"))
        try database.writer.write { db in
            let orgId = try Int64.fetchOne(db, sql: "SELECT orgId FROM provider")!
            let legacy = database.vault.seal("sk-legacy-0123456789", .legacyProvider(orgId: orgId, id: provider.id))
            try db.execute(sql: "UPDATE provider SET sealed = ?, keyBinding = 1", arguments: [Data(legacy)])
        }
        // When the next process starts
        let restarted = try database.reopened(with: key)
        // Then the key is bound to its URL and still opens
        #expect(try restarted.read { db in try Int.fetchOne(db, sql: "SELECT keyBinding FROM provider") } == 2)
        let probe = ScriptedProbeForChecks()
        try restarted.testProvider(orgKey: "acme", id: provider.id, by: actor, probe: probe)
        #expect(probe.keys == ["sk-legacy-0123456789"])
        // And a master-key rotation re-seals it bound, and it opens under the new key
        let newKey = MasterKey.generate()
        let rotation = try restarted.rotateMasterKey(to: newKey)
        #expect(rotation.providers == 1)
        let rotated = try restarted.reopened(with: newKey)
        try rotated.testProvider(orgKey: "acme", id: provider.id, by: actor, probe: probe)
        #expect(probe.keys == ["sk-legacy-0123456789", "sk-legacy-0123456789"])
    }

    @Test func aTestIsQueuedClaimedOnceAndItsResultDroppedWhenTheProviderChanged() throws {
        let f = try Fixture()
        let actor = Actor(user: f.admin, address: "t")
        let provider = try f.database.addProvider(
            orgKey: "acme", by: actor,
            ProviderChange(
                kind: .mistral, name: "", baseURL: "https://api.mistral.ai/v1", apiKey: "mistral-key-0123"))
        let (queued, already) = try f.database.requestProviderCheck(orgKey: "acme", id: provider.id, by: actor)
        #expect(queued.checkPending && !already)
        #expect(try f.database.requestProviderCheck(orgKey: "acme", id: provider.id, by: actor).alreadyPending)
        let claimed = try #require(try f.database.claimProviderCheck())
        #expect(try f.database.claimProviderCheck() == nil, "a claimed test is not handed to a second worker")
        _ = try f.database.updateProvider(
            orgKey: "acme", id: provider.id, by: actor,
            ProviderChange(
                kind: .mistral, name: "", baseURL: "https://api.mistral.ai/v1", apiKey: "mistral-key-NEW-0123", expectedVersion: 1))
        #expect(try !f.database.finishProviderCheck(claimed, outcome: .connected))
        let after = try f.database.provider(f.database.access(orgKey: "acme", userId: f.admin.id!), id: provider.id)
        #expect(after.status == .configured && !after.checkPending)
    }

    @Test(arguments: [
        "127.0.0.1", "127.0.0.2", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1", "::127.0.0.1",
    ])
    func localAndPrivateAddressesAreRefusedByDefault(_ text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(!OutboundPolicy().permits(address))
    }

    @Test(arguments: ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
    func publicAddressesArePermitted(_ text: String) throws {
        #expect(OutboundPolicy().permits(try #require(IPAddress(text))))
    }

    @Test func theOperatorMayAllowBlocks() throws {
        let policy = try OutboundPolicy(parsing: "10.0.0.0/8, fd00::/8,127.0.0.1/32")
        #expect(policy.permits(IPAddress("10.20.30.40")!) && policy.permits(IPAddress("fd00::5")!))
        #expect(policy.permits(IPAddress("127.0.0.1")!) && policy.permits(IPAddress("::ffff:127.0.0.1")!))
        #expect(!policy.permits(IPAddress("127.0.0.2")!) && !policy.permits(IPAddress("192.168.0.1")!))
        #expect(throws: OutboundPolicy.PolicyError.notACIDR("10.0.0.0/33")) { try OutboundPolicy(parsing: "10.0.0.0/33") }
        #expect(throws: OutboundPolicy.PolicyError.notACIDR("intranet")) { try OutboundPolicy(parsing: "intranet") }
    }
}

final class ScriptedProbeForChecks: ProviderProbe, @unchecked Sendable {
    private(set) var keys: [String] = []
    func check(_ request: ProbeRequest) -> ProbeOutcome {
        keys.append(request.apiKey)
        return .connected
    }
}
