/// Whether a run or call succeeded.
public enum UsageStatus: String, Sendable, CaseIterable {
    case success, error
}

/// One usage event as it arrives (from an import line, the API or the demo), before it is
/// resolved to an organization and a workspace id.
public struct UsageEventInput: Sendable, Equatable {
    /// The organization's key; nil takes the importer's default organization.
    public var org: String?
    /// Seconds since 1970 (UTC).
    public var at: Int64
    /// The workspace's key within the organization.
    public var workspace: String
    public var kind: String
    public var status: UsageStatus
    /// Empty for events that called no model (e.g. a workflow run's own record).
    public var provider: String
    public var model: String
    public var inputTokens: Int64
    public var outputTokens: Int64
    /// Integer micro-units of the organization's currency (1 000 000 = one unit).
    public var costMicros: Int64
    /// Ran on the organization's own provider key: counted, but costs no credits.
    public var byok: Bool
    /// Unique per organization: a second event with the same key is a duplicate and is skipped.
    public var idempotencyKey: String

    public init(
        org: String? = nil, at: Int64, workspace: String, kind: String, status: UsageStatus,
        provider: String, model: String, inputTokens: Int64, outputTokens: Int64, costMicros: Int64,
        byok: Bool, idempotencyKey: String
    ) {
        self.org = org
        self.at = at
        self.workspace = workspace
        self.kind = kind
        self.status = status
        self.provider = provider
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costMicros = costMicros
        self.byok = byok
        self.idempotencyKey = idempotencyKey
    }

    /// Events before 2000 or after 2999 are refused (a unit mix-up, not usage).
    public static let earliest: Int64 = 946_684_800
    public static let latest: Int64 = 32_503_680_000
    /// A single event above this is refused as a unit mix-up (a million units of currency).
    public static let maxCostMicros: Int64 = 1_000_000_000_000
    public static let maxTokens: Int64 = 1_000_000_000

    /// The reason this event cannot be stored, or nil. The same rules as the schema's CHECKs,
    /// said in words.
    public func problem() -> String? {
        if !(Self.earliest..<Self.latest).contains(at) { return "time must be between 2000 and 2999" }
        if !Self.isName(workspace, max: 40) { return "workspace must be a workspace key (letters, digits, - _ .)" }
        if !Self.isName(kind, max: 40) { return "kind must be 1–40 letters, digits, - _ ." }
        if provider.isEmpty != model.isEmpty { return "provider and model must both be given, or both be empty" }
        if !provider.isEmpty && !Self.isName(provider, max: 40) { return "provider must be 1–40 letters, digits, - _ ." }
        if !model.isEmpty && !Self.isName(model, max: 80, modelCharacters: true) {
            return "model must be 1–80 letters, digits, - _ . : /"
        }
        if !(0...Self.maxTokens).contains(inputTokens) { return "input_tokens must be between 0 and \(Self.maxTokens)" }
        if !(0...Self.maxTokens).contains(outputTokens) { return "output_tokens must be between 0 and \(Self.maxTokens)" }
        if !(0...Self.maxCostMicros).contains(costMicros) { return "cost_micros must be between 0 and \(Self.maxCostMicros)" }
        if idempotencyKey.isEmpty || idempotencyKey.utf8.count > 200
            || idempotencyKey.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
        {
            return "idempotency_key must be 1–200 bytes without control characters"
        }
        return nil
    }

    static func isName(_ text: String, max: Int, modelCharacters: Bool = false) -> Bool {
        let utf8 = text.utf8
        guard (1...max).contains(utf8.count) else { return false }
        return utf8.allSatisfy { b in
            (97...122).contains(b) || (65...90).contains(b) || (48...57).contains(b)
                || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
                || (modelCharacters && (b == UInt8(ascii: ":") || b == UInt8(ascii: "/")))
        }
    }
}
