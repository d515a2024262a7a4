import Foundation

/// The one currency of a deployment (`WHEELHOUSE_CURRENCY`, default EUR): how amounts are shown.
/// Amounts are integers everywhere: prices and payments in minor units (cents), credits and usage
/// cost in micro-units (1 000 000 = one unit of the currency), so a usage debit of a fraction of a
/// cent stays exact.
public struct Currency: Sendable, Equatable {
    public var code: String
    public var symbol: String
    /// Digits after the decimal point of the minor unit (2 for cents).
    public var minorDigits: Int

    public static let eur = Currency(code: "EUR", symbol: "€", minorDigits: 2)
    public static let known: [Currency] = [
        .eur, Currency(code: "USD", symbol: "$", minorDigits: 2), Currency(code: "GBP", symbol: "£", minorDigits: 2),
        Currency(code: "CHF", symbol: "CHF", minorDigits: 2), Currency(code: "SEK", symbol: "kr", minorDigits: 2),
        Currency(code: "DKK", symbol: "kr", minorDigits: 2), Currency(code: "PLN", symbol: "zł", minorDigits: 2),
        Currency(code: "JPY", symbol: "¥", minorDigits: 0),
    ]

    /// The currency named by an ISO 4217 code (any case); nil for one this console does not know.
    public static func named(_ code: String) -> Currency? {
        known.first { $0.code.caseInsensitiveCompare(code.trimmingCharacters(in: .whitespaces)) == .orderedSame }
    }

    /// Micro-units in one minor unit (10 000 for cents).
    public var microsPerMinor: Int64 {
        var value: Int64 = 1_000_000
        for _ in 0..<minorDigits { value /= 10 }
        return value
    }

    public func micros(fromMinor minor: Int64) -> Int64 { minor.multipliedReportingOverflow(by: microsPerMinor).partialValue }

    /// "€12.50 EUR"-style text of a minor-unit amount: symbol, grouped digits, the code when asked.
    public func format(minor: Int64, withCode: Bool = false) -> String {
        let sign = minor < 0 ? "−" : ""
        let magnitude = minor.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<minorDigits { divisor *= 10 }
        let whole = Self.grouped(magnitude / divisor)
        let digits = String(magnitude % divisor)
        let fraction = minorDigits == 0 ? "" : "." + String(repeating: "0", count: minorDigits - digits.count) + digits
        return "\(sign)\(symbol)\(whole)\(fraction)" + (withCode ? " \(code)" : "")
    }

    /// A micro-unit amount shown to the minor unit, rounded half away from zero (the ledger keeps
    /// the exact micros; only the text is rounded).
    public func format(micros: Int64, withCode: Bool = false) -> String {
        let per = microsPerMinor
        let half = per / 2
        let minor = micros >= 0 ? (micros / per) + (micros % per >= half ? 1 : 0) : -((-micros / per) + ((-micros) % per >= half ? 1 : 0))
        return format(minor: minor, withCode: withCode)
    }

    static func grouped(_ value: UInt64) -> String {
        let digits = String(value)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
