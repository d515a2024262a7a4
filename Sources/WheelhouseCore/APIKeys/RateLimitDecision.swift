import Foundation

/// What one API request gets from the per-key rate limit, and the header fields that say so
/// (draft-ietf-httpapi-ratelimit-headers-10: structured-field lists keyed by a quoted policy name).
public struct RateLimitDecision: Sendable, Equatable {
    /// The policy's name in both fields; one policy per key, so the API documents one name.
    public static let policyName = "default"

    public var allowed: Bool
    /// Requests per window (the policy's `q`).
    public var limit: Int
    /// Requests left in this window after this one (the field's `r`); 0 when refused.
    public var remaining: Int
    /// Whole seconds until the window ends and the quota is whole again (`t`, and Retry-After
    /// when refused): 1…window, so a client that waits that long is never refused for this window.
    public var resetSeconds: Int
    /// The window's length in seconds (the policy's `w`).
    public var window: Int

    public init(allowed: Bool, limit: Int, remaining: Int, resetSeconds: Int, window: Int) {
        self.allowed = allowed
        self.limit = limit
        self.remaining = remaining
        self.resetSeconds = resetSeconds
        self.window = window
    }

    /// `"default";q=600;w=60`: the same on every response of a deployment.
    public var policyField: String { "\"\(Self.policyName)\";q=\(limit);w=\(window)" }

    /// `"default";r=599;t=42`.
    public var serviceLimitField: String { "\"\(Self.policyName)\";r=\(remaining);t=\(resetSeconds)" }

    /// Header pairs for the response: RateLimit-Policy and RateLimit, and Retry-After (delay-seconds,
    /// the same moment as `t`, as the draft asks) when the request is refused.
    public var headers: [(String, String)] {
        var pairs = [("RateLimit-Policy", policyField), ("RateLimit", serviceLimitField)]
        if !allowed { pairs.append(("Retry-After", String(resetSeconds))) }
        return pairs
    }
}
