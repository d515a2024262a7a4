import Foundation

/// What an SSO configuration form may hold, checked in one place for the web form and the demo.
public enum SSORules {
    public static let defaultScopes = "openid email profile"
    static let maxIssuer = 500
    static let maxClientId = 200
    static let maxSecret = 500
    static let maxScopes = 300
    /// How long a sign-in may take between leaving for the provider and coming back.
    public static let flowLifetime: TimeInterval = 10 * 60
    /// Clock difference tolerated on an ID token's `exp` and `iat`.
    public static let clockSkew: TimeInterval = 60
    /// Enforcement is allowed this long after a successful test sign-in.
    public static let testFreshness: TimeInterval = 3600
    public static let maxBreakGlass = 2

    /// The issuer as a URL Wheelhouse may call: https, or http only to an address literal the
    /// outbound policy allows (a provider on loopback in tests and the demo). No user, query or
    /// fragment: the issuer is compared byte for byte with the ID token's `iss`.
    static func checkIssuer(_ issuer: String, policy: OutboundPolicy, field: String, into errors: inout FieldErrors) {
        TextRules.checkSingleLine(issuer, field: field, label: "Issuer URL", required: true, maxLength: maxIssuer, into: &errors)
        guard !issuer.isEmpty, errors.messages(for: field).isEmpty else { return }
        if let problem = urlProblem(issuer, policy: policy) { errors.add(field, problem) }
    }

    /// Why a URL of the provider (issuer or an endpoint of its discovery document) may not be
    /// called; nil when it may.
    static func urlProblem(_ text: String, policy: OutboundPolicy) -> String? {
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(), let host = parts.host,
            !host.isEmpty
        else { return "Enter a full URL such as https://login.example.com." }
        if parts.user != nil || parts.password != nil { return "The URL must not contain a user name or password." }
        if parts.query != nil || parts.fragment != nil { return "The URL must not have a query (?…) or a fragment (#…)." }
        switch scheme {
        case "https": return nil
        case "http":
            let literal = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
            if let address = IPAddress(literal), policy.allowed.contains(where: { $0.contains(address) }) { return nil }
            return "Use https. Plain http is allowed only for an address WHEELHOUSE_OUTBOUND_ALLOW lets Wheelhouse reach."
        default: return "Use an https URL."
        }
    }

    /// Scopes: space-separated OAuth scope tokens, `openid` among them.
    static func checkScopes(_ scopes: String, field: String, into errors: inout FieldErrors) {
        TextRules.checkSingleLine(scopes, field: field, label: "Scopes", required: true, maxLength: maxScopes, into: &errors)
        guard errors.messages(for: field).isEmpty else { return }
        let tokens = scopes.split(separator: " ")
        if tokens.contains(where: { $0.unicodeScalars.contains { $0.value < 0x21 || $0.value > 0x7E || $0 == "\"" || $0 == "\\" } }) {
            errors.add(field, "Scopes are words of printable ASCII separated by spaces, e.g. “openid email profile”.")
        } else if !tokens.contains("openid") {
            errors.add(field, "The scopes must include “openid”: without it the provider sends no ID token.")
        } else if tokens.count > 20 {
            errors.add(field, "At most 20 scopes.")
        }
    }

    /// Scopes in one spelling: single spaces, each once, in the order typed.
    static func normalizedScopes(_ scopes: String) -> String {
        var seen = Set<Substring>()
        return scopes.split(separator: " ").filter { seen.insert($0).inserted }.joined(separator: " ")
    }

    /// The discovery document's address under an issuer (OpenID Connect Discovery 1.0 §4).
    static func discoveryURL(_ issuer: String) -> String {
        (issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer) + "/.well-known/openid-configuration"
    }
}
