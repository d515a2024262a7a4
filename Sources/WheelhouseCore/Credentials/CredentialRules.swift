import Foundation

/// The AI providers an organization can bring its own key for. `custom` is any endpoint that
/// speaks the OpenAI API (an organization may have many); the others exist at most once per org.
public enum ProviderKind: String, CaseIterable, Sendable, Codable {
    case openai, anthropic, google, mistral, xai, custom

    public static let builtIn: [ProviderKind] = [.openai, .anthropic, .google, .mistral, .xai]

    public var displayName: String {
        switch self {
        case .openai: "OpenAI"
        case .anthropic: "Anthropic"
        case .google: "Google AI"
        case .mistral: "Mistral AI"
        case .xai: "xAI (Grok)"
        case .custom: "Custom (OpenAI-compatible)"
        }
    }

    /// The environment variable a person's own secret must be named for this provider's models.
    public var keyName: String {
        switch self {
        case .openai: "OPENAI_API_KEY"
        case .anthropic: "ANTHROPIC_API_KEY"
        case .google: "GOOGLE_API_KEY"
        case .mistral: "MISTRAL_API_KEY"
        case .xai: "XAI_API_KEY"
        case .custom: "OPENAI_COMPATIBLE_API_KEY"
        }
    }

    /// Where the provider's API lives; every provider's base URL can be changed per organization.
    public var defaultBaseURL: String {
        switch self {
        case .openai: "https://api.openai.com/v1"
        case .anthropic: "https://api.anthropic.com/v1"
        case .google: "https://generativelanguage.googleapis.com/v1beta"
        case .mistral: "https://api.mistral.ai/v1"
        case .xai: "https://api.x.ai/v1"
        case .custom: ""
        }
    }
}

/// The rules for secret names and values, and the masked hint shown instead of a value.
public enum SecretRules {
    /// Names offered in the form; any other valid environment variable name may be typed.
    public static let presets = ProviderKind.builtIn.map(\.keyName) + ["HUGGINGFACE_API_KEY", "GITHUB_TOKEN"]
    public static let maxNameLength = 128
    public static let maxValueBytes = 32 * 1024

    /// `[A-Z_][A-Z0-9_]*`, at most 128 characters.
    public static func checkName(_ name: String, field: String, into errors: inout FieldErrors) {
        if name.isEmpty {
            errors.add(field, "Name is required.")
            return
        }
        if name.count > maxNameLength {
            errors.add(field, "Name must be at most \(maxNameLength) characters (it has \(name.count)).")
        }
        let scalars = Array(name.unicodeScalars)
        let valid =
            scalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
            && !("0"..."9").contains(scalars[0])
        if !valid {
            errors.add(
                field,
                "Name must be an environment variable name: capital letters A–Z, digits and underscores, "
                    + "not starting with a digit (for example MY_SERVICE_TOKEN).")
        }
    }

    /// Required, at most 32 KiB; line breaks and tabs are fine, other control characters are not.
    public static func checkValue(_ value: String, field: String, label: String = "Value", into errors: inout FieldErrors) {
        if value.isEmpty {
            errors.add(field, "\(label) is required.")
        } else if value.utf8.count > maxValueBytes {
            errors.add(field, "\(label) must be at most 32 KiB (\(maxValueBytes) bytes; it has \(value.utf8.count)).")
        }
        if value.unicodeScalars.contains(where: { TextRules.isControl($0) && !["\n", "\r", "\t"].contains($0) }) {
            errors.add(field, "\(label) must not contain control characters.")
        }
    }

    /// Values as typed, without the spaces and line breaks a paste adds at the ends.
    public static func normalized(_ value: String) -> String {
        value.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A masked hint such as `sk-…9f2c`: the first three and the last four characters, only for
    /// values of 20 characters or more (typical API keys); shorter values show only their length.
    public static func hint(for value: String) -> String {
        let characters = Array(value)
        let printable = { (c: Character) in !c.isWhitespace && !c.unicodeScalars.contains(where: TextRules.isControl) }
        guard characters.count >= 20 else { return Plural.count(characters.count, "character") }
        let head = characters.prefix(3), tail = characters.suffix(4)
        guard head.allSatisfy(printable), tail.allSatisfy(printable) else { return Plural.count(characters.count, "character") }
        return String(head) + "…" + String(tail)
    }

    /// A new random id such as `sec_3kq…`: what a run passes as `secret_ids`.
    static func newID(prefix: String) -> String {
        prefix
            + Base64URL.encode(Crypto.randomBytes(15)).replacingOccurrences(of: "-", with: "x")
            .replacingOccurrences(of: "_", with: "y")
    }
}
