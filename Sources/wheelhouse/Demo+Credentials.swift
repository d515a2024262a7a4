import Foundation
import WheelhouseCore

extension Demo {
    /// Credentials for the demo: the Owner holds two secrets; the organization has Anthropic
    /// configured and Mistral AI failed (a real connection test of a local address, which the
    /// outbound policy refuses unless WHEELHOUSE_OUTBOUND_ALLOW allows it, then the closed port
    /// refuses: either way the message is what the console records for such an endpoint);
    /// the Owner and the Member have some chat models switched on, one of them not ready.
    static func seedCredentials(_ database: AppDatabase, owner: User, member: User, orgKey: String) throws {
        let actor = Actor(user: owner, address: "demo")
        let sample = { (prefix: String) in prefix + Base64URL.encode(Crypto.randomBytes(24)) }
        try database.addSecret(orgKey: orgKey, by: actor, name: "OPENAI_API_KEY", value: sample("sk-demo-"))
        try database.addSecret(orgKey: orgKey, by: actor, name: "SLACK_BOT_TOKEN", value: sample("xoxb-demo-"))
        try database.addProvider(
            orgKey: orgKey, by: actor,
            ProviderChange(
                kind: .anthropic, name: "", baseURL: ProviderKind.anthropic.defaultBaseURL, apiKey: sample("sk-ant-demo-")))
        let mistral = try database.addProvider(
            orgKey: orgKey, by: actor,
            ProviderChange(
                kind: .mistral, name: "", baseURL: "http://127.0.0.1:9/v1", apiKey: sample("demo-mistral-")))
        try database.testProvider(
            orgKey: orgKey, id: mistral.id, by: actor,
            probe: HTTPProviderProbe(
                policy: (try? OutboundPolicy(parsing: ProcessInfo.processInfo.environment["WHEELHOUSE_OUTBOUND_ALLOW"] ?? ""))
                    ?? OutboundPolicy(),
                timeout: 2))
        for model in ["openai/gpt-4o", "anthropic/claude-sonnet-4-0", "mistral/mistral-large-latest"] {
            try database.setChatModel(orgKey: orgKey, modelId: model, enabled: true, by: actor)
        }
        try database.setChatModel(
            orgKey: orgKey, modelId: "anthropic/claude-3-5-haiku-latest", enabled: true,
            by: Actor(user: member, address: "demo"))
    }
}
