import Foundation

/// One connection test: the provider's list-models endpoint, with its key.
public struct ProbeRequest: Sendable {
    public var kind: ProviderKind
    public var baseURL: String
    public var apiKey: String

    /// `{base}/models`: the same path at every supported provider.
    public var url: String { (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/models" }

    /// How each provider wants its key.
    public var headers: [(String, String)] {
        let auth: [(String, String)] =
            switch kind {
            case .anthropic: [("x-api-key", apiKey), ("anthropic-version", "2023-06-01")]
            case .google: [("x-goog-api-key", apiKey)]
            case .openai, .mistral, .xai, .custom: [("Authorization", "Bearer " + apiKey)]
            }
        return [("Accept", "application/json")] + auth
    }
}

/// What a connection test found: a category a person can act on, and for an HTTP error at most
/// the provider's own short message (sanitised, never the key, never other body text).
public struct ProbeOutcome: Sendable, Equatable {
    public enum Category: Sendable, Equatable {
        case connected, blocked, hostNotFound, refused, timedOut, tlsProblem, failed
        case httpStatus(Int)
    }

    public var category: Category
    public var providerMessage: String?

    public init(_ category: Category, providerMessage: String? = nil) {
        (self.category, self.providerMessage) = (category, providerMessage)
    }

    public static let connected = ProbeOutcome(.connected)
    public static let maxMessage = 120

    /// The category alone, as the audit log records it.
    public var label: String {
        switch category {
        case .connected: "connected"
        case .blocked: "blocked by the outbound policy"
        case .hostNotFound: "host not found"
        case .refused: "connection refused"
        case .timedOut: "timed out"
        case .tlsProblem: "TLS problem"
        case .failed: "connection failed"
        case .httpStatus(let status): "HTTP status \(status)"
        }
    }

    /// The Failed status's text on the Providers tab, the flash and the banner.
    public var message: String? {
        switch category {
        case .connected: nil
        case .blocked: "Blocked: the host is on a private or local network (an operator may allow it with WHEELHOUSE_OUTBOUND_ALLOW)."
        case .hostNotFound: "Host not found."
        case .refused: "Connection refused."
        case .timedOut: "Timed out: no answer in time."
        case .tlsProblem: "TLS problem: the secure connection could not be set up."
        case .failed: "The connection failed."
        case .httpStatus(let status): "HTTP status \(status)" + (providerMessage.map { ": \($0)" } ?? ".")
        }
    }

    /// The provider's own message (`{"error": {"message": …}}`, `{"error": "…"}` or `{"message": …}`),
    /// with control characters removed, whitespace collapsed, the key redacted and at most
    /// `maxMessage` characters; nil when the body holds none.
    static func providerMessage(_ body: [UInt8], key: String) -> String? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        let found: String? =
            if let error = json["error"] as? [String: Any] { error["message"] as? String } else if let error = json["error"] as? String {
                error
            } else { json["message"] as? String }
        guard var text = found else { return nil }
        if key.count >= 4 { text = text.replacingOccurrences(of: key, with: "[key]") }
        let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.map { TextRules.isControl($0) ? " " : $0 }))
        let words = cleaned.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !words.isEmpty else { return nil }
        return words.count > maxMessage ? String(words.prefix(maxMessage - 1)) + "…" : words
    }
}

/// Runs one connection test. The background worker uses `HTTPProviderProbe`; domain tests may
/// pass their own.
public protocol ProviderProbe: Sendable {
    func check(_ request: ProbeRequest) -> ProbeOutcome
}

/// A GET of `{base}/models` through `OutboundHTTP` (policy-checked, pinned, bounded).
public struct HTTPProviderProbe: ProviderProbe {
    public var http: OutboundHTTP

    public init(policy: OutboundPolicy, timeout: TimeInterval = 5) {
        http = OutboundHTTP(policy: policy, timeout: timeout)
    }

    public func check(_ probe: ProbeRequest) -> ProbeOutcome {
        switch http.get(probe.url, headers: probe.headers) {
        case .response(let status, _) where (200..<300).contains(status): .connected
        case .response(let status, let body):
            ProbeOutcome(.httpStatus(status), providerMessage: ProbeOutcome.providerMessage(body, key: probe.apiKey))
        case .blocked: ProbeOutcome(.blocked)
        case .hostNotFound: ProbeOutcome(.hostNotFound)
        case .refused: ProbeOutcome(.refused)
        case .timedOut: ProbeOutcome(.timedOut)
        case .tlsProblem: ProbeOutcome(.tlsProblem)
        case .failed: ProbeOutcome(.failed)
        }
    }
}
