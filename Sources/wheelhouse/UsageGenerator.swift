import Foundation
import WheelhouseCore

/// Realistic synthetic usage, deterministic for a seed: a weekday rhythm (quiet weekends), working
/// hours, five models across three providers, a few days with error spikes, and Anthropic on the
/// organization's own key (BYOK). Each workflow run records one `workflow_run` event and one to
/// three `llm_call` events. Used by `demo`, `usage generate` and the benchmark.
struct UsageGenerator {
    struct Model {
        var provider: String, name: String
        /// Price in cents per million tokens, input and output: micro-units per token × 100.
        var inputCents: Int64, outputCents: Int64
        var weight: Int
    }

    /// The prices are the domain's catalog (`ModelPriceCatalog`, which Buy credits also quotes
    /// tokens from); the weights are the generator's own mix.
    static let models = ModelPriceCatalog.all.map { price in
        Model(
            provider: price.provider, name: price.name, inputCents: price.inputCentsPerMillion, outputCents: price.outputCentsPerMillion,
            weight: weights[price.name] ?? 10)
    }
    static let weights = ["gpt-4o": 30, "gpt-4o-mini": 30, "claude-sonnet-4": 20, "claude-haiku-3.5": 10, "gemini-1.5-pro": 10]
    /// The provider whose calls run on the organization's own key.
    static let byokProvider = "anthropic"

    var org: String?
    var workspaces: [String]
    /// Runs on an ordinary weekday; weekends have about a quarter.
    var weekdayRuns: Int
    var keyPrefix: String
    var rng: SplitMix64

    init(org: String?, workspaces: [String], weekdayRuns: Int, seed: UInt64, keyPrefix: String) {
        self.org = org
        self.workspaces = workspaces
        self.weekdayRuns = weekdayRuns
        self.keyPrefix = keyPrefix
        rng = SplitMix64(seed: seed)
    }

    private var counter = 0

    /// The events of the UTC day `day` (days since 1970) that happened before `until`.
    mutating func events(day: Int, until: Int64 = .max, into out: inout [UsageEventInput]) {
        let weekday = (day + 4) % 7  // 0 = Sunday (1970-01-01 was a Thursday)
        let weekend = weekday == 0 || weekday == 6
        var runs = weekend ? weekdayRuns / 4 : weekdayRuns
        runs = runs * Int(85 + rng.next(30)) / 100
        // About one day in thirty has an incident: a quarter of its runs fail.
        let spike = day % 31 == 11
        let errorPercent: UInt64 = spike ? 25 : 3
        let dayStart = Int64(day) * 86_400
        for _ in 0..<runs {
            // Working hours (08–18 UTC) most of the time.
            let second = rng.next(10) < 8 ? 8 * 3600 + rng.next(10 * 3600) : rng.next(86_400)
            let at = dayStart + Int64(second)
            guard at < until else { continue }
            let workspace = workspaces[Int(rng.next(UInt64(workspaces.count)))]
            let failed = rng.next(100) < errorPercent
            let calls = 1 + Int(rng.next(3))
            for call in 0..<calls {
                let model = pickModel()
                let input = Int64(200 + rng.next(3000))
                let output = Int64(50 + rng.next(900))
                let callFailed = failed && call == calls - 1
                out.append(
                    event(
                        at: at + Int64(call), workspace: workspace, kind: "llm_call", failed: callFailed,
                        model: model, input: input, output: callFailed ? 0 : output))
            }
            out.append(
                event(
                    at: at + Int64(calls), workspace: workspace, kind: UsageReport.runKind, failed: failed,
                    model: nil, input: 0, output: 0))
        }
    }

    private mutating func pickModel() -> Model {
        var pick = Int(rng.next(100))
        for model in Self.models {
            if pick < model.weight { return model }
            pick -= model.weight
        }
        return Self.models[0]
    }

    private mutating func event(
        at: Int64, workspace: String, kind: String, failed: Bool, model: Model?,
        input: Int64, output: Int64
    ) -> UsageEventInput {
        counter += 1
        let cost = model.map { (input * $0.inputCents + output * $0.outputCents) / 100 } ?? 0
        return UsageEventInput(
            org: org, at: at, workspace: workspace, kind: kind, status: failed ? .error : .success,
            provider: model?.provider ?? "", model: model?.name ?? "", inputTokens: input,
            outputTokens: output, costMicros: cost, byok: model?.provider == Self.byokProvider,
            idempotencyKey: "\(keyPrefix)-\(counter)")
    }

    /// One event as a JSON line (the format `usage import` reads).
    static func jsonLine(_ e: UsageEventInput, into out: inout [UInt8]) {
        func append(_ s: String) { out.append(contentsOf: s.utf8) }
        append("{")
        if let org = e.org { append("\"org\":\"\(org)\",") }
        append("\"time\":\"\(CivilDate(dayNumber: Int(e.at / 86_400)))T")
        let s = Int(e.at % 86_400)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        append("\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))Z\",\"workspace\":\"\(e.workspace)\",")
        append("\"kind\":\"\(e.kind)\",\"status\":\"\(e.status.rawValue)\",\"provider\":\"\(e.provider)\",")
        append("\"model\":\"\(e.model)\",\"input_tokens\":\(e.inputTokens),\"output_tokens\":\(e.outputTokens),")
        append("\"cost_micros\":\(e.costMicros),\"byok\":\(e.byok),\"idempotency_key\":\"\(e.idempotencyKey)\"}\n")
    }
}

/// A small, fast, seedable generator (Steele, Lea & Flood's SplitMix64).
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound.
    mutating func next(_ bound: UInt64) -> UInt64 { next() % bound }
}
