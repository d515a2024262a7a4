import Foundation

/// Model prices per million tokens, in cents of the currency: the catalog the usage generator
/// (demo, bench) prices its calls with, and Buy credits converts packages into tokens with.
public struct ModelPrice: Sendable {
    public var provider: String
    public var name: String
    public var inputCentsPerMillion: Int64
    public var outputCentsPerMillion: Int64
}

public enum ModelPriceCatalog {
    public static let all = [
        ModelPrice(provider: "openai", name: "gpt-4o", inputCentsPerMillion: 250, outputCentsPerMillion: 1000),
        ModelPrice(provider: "openai", name: "gpt-4o-mini", inputCentsPerMillion: 15, outputCentsPerMillion: 60),
        ModelPrice(provider: "anthropic", name: "claude-sonnet-4", inputCentsPerMillion: 300, outputCentsPerMillion: 1500),
        ModelPrice(provider: "anthropic", name: "claude-haiku-3.5", inputCentsPerMillion: 80, outputCentsPerMillion: 400),
        ModelPrice(provider: "google", name: "gemini-1.5-pro", inputCentsPerMillion: 125, outputCentsPerMillion: 500),
    ]

    public static var gpt4o: ModelPrice { all[0] }
}

/// What Buy credits offers: three packages and a custom amount, in minor units (the credits
/// bought; VAT is added on top where due).
public enum CreditPackages {
    public struct Package: Sendable, Equatable {
        public var key: String
        public var title: String
        public var amountMinor: Int64
    }

    public static let packages = [
        Package(key: "standard", title: "Standard", amountMinor: 1_000), Package(key: "popular", title: "Popular", amountMinor: 2_500),
        Package(key: "large", title: "Large", amountMinor: 5_000),
    ]

    /// The custom amount's bounds: €5 to €5 000 (a typo of an extra zero beyond that is refused).
    public static let customRange: ClosedRange<Int64> = 500...500_000

    /// About how many gpt-4o tokens `amountMinor` buys, with input and output tokens in equal
    /// parts (the blended price: (input + output) / 2 per million).
    public static func approximateTokens(_ amountMinor: Int64) -> Int64 {
        let blended = (ModelPriceCatalog.gpt4o.inputCentsPerMillion + ModelPriceCatalog.gpt4o.outputCentsPerMillion) / 2
        return amountMinor * 1_000_000 / max(1, blended)
    }

    /// "1.6 M" or "800 K": the page's rounded figure.
    public static func tokensText(_ tokens: Int64) -> String {
        tokens >= 1_000_000
            ? String(format: "%.1f M", Double(tokens) / 1_000_000).replacingOccurrences(of: ".0 M", with: " M")
            : "\(tokens / 1_000) K"
    }

    /// A typed amount ("25", "25.50", "25,50") in minor units, or nil.
    public static func parse(_ typed: String, currency: Currency) -> Int64? {
        let text = typed.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 9, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
            let whole = Int64(parts[0])
        else { return nil }
        var scale: Int64 = 1
        for _ in 0..<currency.minorDigits { scale *= 10 }
        guard parts.count == 2 else { return whole * scale }
        let fraction = parts[1]
        guard !fraction.isEmpty, fraction.count <= currency.minorDigits, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        let padded = fraction + String(repeating: "0", count: currency.minorDigits - fraction.count)
        return whole * scale + Int64(padded)!
    }
}
