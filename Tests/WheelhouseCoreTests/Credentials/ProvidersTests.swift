import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// A provider that answers as told and remembers what it was asked (the web tests use real HTTP).
final class ScriptedProbe: ProviderProbe, @unchecked Sendable {
    let outcome: ProbeOutcome
    private(set) var asked: [ProbeRequest] = []
    var beforeAnswer: () -> Void = {}
    init(_ outcome: ProbeOutcome) { self.outcome = outcome }
    func check(_ request: ProbeRequest) -> ProbeOutcome {
        asked.append(request)
        beforeAnswer()
        return outcome
    }
}

@Suite("Providers") struct ProvidersTests {
    let key = "sk-org-PROVIDER-0123456789abcdef"

    func openAI(_ f: Fixture, by user: User? = nil) throws -> ProviderSummary {
        try f.database.addProvider(
            orgKey: "acme", by: Actor(user: user ?? f.admin, address: "t"),
            ProviderChange(kind: .openai, name: "", baseURL: "https://api.openai.com/v1", apiKey: key))
    }

    @Test func statusGoesFromConfiguredToConnectedOrFailedAndAnEditResetsIt() throws {
        // Given
        let f = try Fixture()
        let actor = Actor(user: f.admin, address: "t")
        let provider = try openAI(f)
        #expect(provider.status == .configured && provider.name == "OpenAI" && provider.hint == "sk-…cdef")
        // When a test succeeds, then fails
        let connected = try f.database.testProvider(orgKey: "acme", id: provider.id, by: actor, probe: ScriptedProbe(.connected))
        let probe = ScriptedProbe(ProbeOutcome(.httpStatus(401), providerMessage: "Incorrect API key"))
        let failed = try f.database.testProvider(orgKey: "acme", id: provider.id, by: actor, probe: probe)
        // Then
        #expect(connected.status == .connected && connected.lastCheckedAt != nil)
        #expect(failed.status == .failed && failed.lastError == "HTTP status 401: Incorrect API key")
        #expect(probe.asked.first?.apiKey == key && probe.asked.first?.url == "https://api.openai.com/v1/models")
        let audit = try f.database.auditEvents(orgId: f.org.id!).filter { $0.action == .providerTest }.map(\.summary)
        #expect(audit == ["OpenAI: connected", "OpenAI: HTTP status 401"], "the audit log records the outcome category only")
        #expect(try f.database.failedProviders(orgId: f.org.id!).map(\.name) == ["OpenAI"])
        // A new key makes the last test meaningless: Configured again.
        let edited = try f.database.updateProvider(
            orgKey: "acme", id: provider.id, by: actor,
            ProviderChange(
                kind: .openai, name: "", baseURL: "https://api.openai.com/v1", apiKey: "sk-new-key-abcdefghijklmnopq", expectedVersion: 1))
        #expect(edited.status == .configured && edited.lastError == nil && edited.version == 2)
        #expect(try f.database.failedProviders(orgId: f.org.id!).isEmpty)
    }

    @Test func aResultAboutSettingsThatChangedDuringTheTestIsDropped() throws {
        let f = try Fixture()
        let actor = Actor(user: f.admin, address: "t")
        let provider = try openAI(f)
        let probe = ScriptedProbe(.connected)
        probe.beforeAnswer = {
            _ = try? f.database.updateProvider(
                orgKey: "acme", id: provider.id, by: actor,
                ProviderChange(
                    kind: .openai, name: "", baseURL: "https://proxy.example.com/v1", apiKey: "sk-again-0123456789", expectedVersion: 1))
        }
        let after = try f.database.testProvider(orgKey: "acme", id: provider.id, by: actor, probe: probe)
        #expect(after.status == .configured && after.baseURL == "https://proxy.example.com/v1")
    }

    @Test func membersCannotAndOutsidersDoNotSeeIt() throws {
        let f = try Fixture()
        #expect(throws: DomainError.forbidden(.manageOrgCredentials)) { _ = try openAI(f, by: f.member) }
        #expect(throws: DomainError.notFound) { _ = try openAI(f, by: f.outsider) }
        let provider = try openAI(f)
        let outsiderAccess = try f.database.access(orgKey: "other", userId: f.outsider.id!)
        #expect(throws: DomainError.notFound) { _ = try f.database.provider(outsiderAccess, id: provider.id) }
    }

    @Test func aBuiltInProviderOnceAndCustomNamesUnique() throws {
        let f = try Fixture()
        let actor = Actor(user: f.owner, address: "t")
        _ = try openAI(f)
        #expect(throws: DomainError.self) { _ = try openAI(f) }
        try f.database.addProvider(
            orgKey: "acme", by: actor,
            ProviderChange(
                kind: .custom, name: "Gateway",
                baseURL: "https://gw.example.com/v1", apiKey: "k"))
        #expect(throws: DomainError.self) {
            try f.database.addProvider(
                orgKey: "acme", by: actor,
                ProviderChange(
                    kind: .custom, name: "gateway",
                    baseURL: "https://gw2.example.com/v1", apiKey: "k"))
        }
    }

    @Test func aProviderKeyMovedToAnotherRowFailsToDecrypt() throws {
        let f = try Fixture()
        let first = try openAI(f)
        let second = try f.database.addProvider(
            orgKey: "acme", by: Actor(user: f.owner, address: "t"),
            ProviderChange(
                kind: .mistral, name: "", baseURL: "https://api.mistral.ai/v1", apiKey: "other-key"))
        try f.database.writer.write { db in
            try db.execute(
                sql: "UPDATE provider SET sealed = (SELECT sealed FROM provider WHERE id = ?) WHERE id = ?",
                arguments: [first.id, second.id])
        }
        let probe = ScriptedProbe(.connected)
        let after = try f.database.testProvider(orgKey: "acme", id: second.id, by: Actor(user: f.owner, address: "t"), probe: probe)
        #expect(probe.asked.isEmpty, "a key that does not open is never sent")
        #expect(after.status == .failed && after.lastError?.contains("cannot be decrypted") == true)
    }

    @Test(arguments: [
        "ftp://x.example.com", "http://api.example.com/v1", "https://u:p@x.example.com", "https://x.example.com/?a=1", "nope",
        "http://127.0.0.1:99999/v1", "http://[::1]:18777/v1",
    ])
    func baseURLsThatAreRefused(_ url: String) {
        var errors = FieldErrors()
        ProviderRules.checkBaseURL(url, into: &errors)
        #expect(!errors.messages(for: "base_url").isEmpty)
    }

    @Test(arguments: ["https://api.openai.com/v1", "http://127.0.0.1:8089/v1", "http://localhost:1234"])
    func baseURLsThatAreAccepted(_ url: String) {
        var errors = FieldErrors()
        ProviderRules.checkBaseURL(url, into: &errors)
        #expect(errors.isEmpty)
    }

    @Test func providerErrorsAreShortSanitisedAndNeverCarryTheKey() {
        let body = Array(#"{"error":{"message":"Incorrect API key provided: sk-secret-123456."}}"#.utf8)
        #expect(ProbeOutcome.providerMessage(body, key: "sk-secret-123456") == "Incorrect API key provided: [key].")
        let noisy = Array(#"{"error":"line\u0007one\n\u202eline two \#(String(repeating: "x", count: 400))"}"#.utf8)
        let message = ProbeOutcome.providerMessage(noisy, key: "k")
        #expect(message?.count == ProbeOutcome.maxMessage && message?.hasPrefix("line one line two xx") == true)
        #expect(message?.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x202E } == false)
        #expect(
            ProbeOutcome.providerMessage(Array("<html>internal admin panel</html>".utf8), key: "k") == nil,
            "a body that is not the provider's JSON error is never shown")
        #expect(ProbeOutcome(.httpStatus(503)).message == "HTTP status 503.")
        #expect(ProbeOutcome(.refused).label == "connection refused" && ProbeOutcome(.refused).message == "Connection refused.")
    }

    @Test func aNewBaseURLNeedsTheKeyAgainAndTheKeyIsSealedToItsURL() throws {
        let f = try Fixture()
        let actor = Actor(user: f.admin, address: "t")
        let provider = try openAI(f)
        let moved = ProviderChange(kind: .openai, name: "", baseURL: "https://attacker.example.com/v1", apiKey: "", expectedVersion: 1)
        #expect(throws: DomainError.invalid(FieldErrorsLike.keyAgain)) {
            try f.database.updateProvider(orgKey: "acme", id: provider.id, by: actor, moved)
        }
        // The base URL changed behind the application's back: the key does not open for it.
        try f.database.writer.write { db in
            try db.execute(sql: "UPDATE provider SET baseURL = 'https://attacker.example.com/v1' WHERE id = ?", arguments: [provider.id])
        }
        let probe = ScriptedProbe(.connected)
        let after = try f.database.testProvider(orgKey: "acme", id: provider.id, by: actor, probe: probe)
        #expect(probe.asked.isEmpty && after.status == .failed)
        // With the key entered again, the new URL is fine.
        let edited = try f.database.updateProvider(
            orgKey: "acme", id: provider.id, by: actor,
            ProviderChange(
                kind: .openai, name: "", baseURL: "https://proxy.example.com/v1", apiKey: "sk-again-0123456789", expectedVersion: 1))
        try f.database.testProvider(orgKey: "acme", id: edited.id, by: actor, probe: probe)
        #expect(probe.asked.map(\.apiKey) == ["sk-again-0123456789"] && probe.asked.map(\.url) == ["https://proxy.example.com/v1/models"])
    }

    @Test func keysLongerThan512CharactersAreRefused() {
        var errors = FieldErrors()
        ProviderChange(kind: .openai, name: "", baseURL: "https://api.openai.com/v1", apiKey: String(repeating: "k", count: 10_000))
            .validate(isNew: true, into: &errors)
        #expect(errors.messages(for: "api_key") == ["API key must be at most 512 characters (it has 10000)."])
        var fine = FieldErrors()
        ProviderChange(kind: .openai, name: "", baseURL: "https://api.openai.com/v1", apiKey: String(repeating: "k", count: 512))
            .validate(isNew: true, into: &fine)
        #expect(fine.isEmpty)
    }
}

enum FieldErrorsLike {
    static var keyAgain: FieldErrors {
        var errors = FieldErrors()
        errors.add("api_key", ProviderRules.keyAgainForNewURL)
        return errors
    }
}

@Suite("Chat models") struct ChatModelsDomainTests {
    @Test func readinessComesFromTheOwnSecretOrAWorkingOrganizationKey() throws {
        let f = try Fixture()
        let access = try f.database.access(orgKey: "acme", userId: f.member.id!)
        func choice(_ id: String) throws -> ChatModelChoice {
            try #require(try f.database.chatModels(access, userId: f.member.id!).first { $0.model.id == id })
        }
        #expect(try choice("openai/gpt-4o").key == nil)
        try f.database.addSecret(orgKey: "acme", by: Actor(user: f.member, address: "t"), name: "OPENAI_API_KEY", value: "v")
        #expect(try choice("openai/gpt-4o").key == .ownSecret("OPENAI_API_KEY"))
        // Someone else's secret does not count.
        try f.database.addSecret(orgKey: "acme", by: Actor(user: f.owner, address: "t"), name: "XAI_API_KEY", value: "v")
        #expect(try choice("xai/grok-3").key == nil)
        let provider = try f.database.addProvider(
            orgKey: "acme", by: Actor(user: f.admin, address: "t"),
            ProviderChange(
                kind: .xai, name: "", baseURL: "https://api.x.ai/v1", apiKey: "xai-key"))
        #expect(try choice("xai/grok-3").key == .organization("xAI (Grok)"))
        try f.database.testProvider(
            orgKey: "acme", id: provider.id, by: Actor(user: f.admin, address: "t"),
            probe: ScriptedProbe(ProbeOutcome(.httpStatus(401))))
        let failed = try choice("xai/grok-3")
        #expect(failed.key == nil && failed.organizationKeyFailed)
    }

    @Test func switchingIsPerPersonAndUnknownModelsAreRefused() throws {
        let f = try Fixture()
        let catalog = try f.database.chatModelCatalog()
        #expect(
            try f.database.setChatModel(orgKey: "acme", modelId: "openai/gpt-4o", enabled: true, by: Actor(user: f.owner, address: "t")))
        #expect(
            try !f.database.setChatModel(orgKey: "acme", modelId: "openai/gpt-4o", enabled: true, by: Actor(user: f.owner, address: "t")))
        #expect(throws: DomainError.self) {
            try f.database.setChatModel(orgKey: "acme", modelId: "nope/nope", enabled: true, by: Actor(user: f.owner, address: "t"))
        }
        #expect(throws: DomainError.notFound) {
            try f.database.setChatModel(orgKey: "acme", modelId: "openai/gpt-4o", enabled: true, by: Actor(user: f.outsider, address: "t"))
        }
        let memberAccess = try f.database.access(orgKey: "acme", userId: f.member.id!)
        #expect(try f.database.chatModels(memberAccess, userId: f.member.id!).allSatisfy { !$0.enabled })
        #expect(try f.database.chatModelCatalog() == catalog)
    }
}
