import Foundation

/// Countries the billing forms offer, and the EU's VAT facts, in one place: each member state's
/// standard rate (basis points) and the shape of its VAT ids (after the two-letter prefix).
/// Rates as published by the European Commission for 2025; a change of rate is a change here.
public enum Countries {
    public struct EUMember: Sendable {
        public let code: String
        public let name: String
        /// The VAT id's prefix (Greece's is EL, not GR).
        public let vatPrefix: String
        /// Standard VAT rate in basis points (19 % = 1900).
        public let rateBasisPoints: Int
        /// The VAT id after the prefix, as a regular expression.
        public let pattern: String
    }

    public static let eu: [EUMember] = [
        .init(code: "AT", name: "Austria", vatPrefix: "AT", rateBasisPoints: 2000, pattern: "U[0-9]{8}"),
        .init(code: "BE", name: "Belgium", vatPrefix: "BE", rateBasisPoints: 2100, pattern: "[01][0-9]{9}"),
        .init(code: "BG", name: "Bulgaria", vatPrefix: "BG", rateBasisPoints: 2000, pattern: "[0-9]{9,10}"),
        .init(code: "HR", name: "Croatia", vatPrefix: "HR", rateBasisPoints: 2500, pattern: "[0-9]{11}"),
        .init(code: "CY", name: "Cyprus", vatPrefix: "CY", rateBasisPoints: 1900, pattern: "[0-9]{8}[A-Z]"),
        .init(code: "CZ", name: "Czechia", vatPrefix: "CZ", rateBasisPoints: 2100, pattern: "[0-9]{8,10}"),
        .init(code: "DK", name: "Denmark", vatPrefix: "DK", rateBasisPoints: 2500, pattern: "[0-9]{8}"),
        .init(code: "EE", name: "Estonia", vatPrefix: "EE", rateBasisPoints: 2200, pattern: "[0-9]{9}"),
        .init(code: "FI", name: "Finland", vatPrefix: "FI", rateBasisPoints: 2550, pattern: "[0-9]{8}"),
        .init(code: "FR", name: "France", vatPrefix: "FR", rateBasisPoints: 2000, pattern: "[0-9A-HJ-NP-Z]{2}[0-9]{9}"),
        .init(code: "DE", name: "Germany", vatPrefix: "DE", rateBasisPoints: 1900, pattern: "[0-9]{9}"),
        .init(code: "GR", name: "Greece", vatPrefix: "EL", rateBasisPoints: 2400, pattern: "[0-9]{9}"),
        .init(code: "HU", name: "Hungary", vatPrefix: "HU", rateBasisPoints: 2700, pattern: "[0-9]{8}"),
        .init(code: "IE", name: "Ireland", vatPrefix: "IE", rateBasisPoints: 2300, pattern: "[0-9][0-9A-Z+*][0-9]{5}[A-Z]{1,2}"),
        .init(code: "IT", name: "Italy", vatPrefix: "IT", rateBasisPoints: 2200, pattern: "[0-9]{11}"),
        .init(code: "LV", name: "Latvia", vatPrefix: "LV", rateBasisPoints: 2100, pattern: "[0-9]{11}"),
        .init(code: "LT", name: "Lithuania", vatPrefix: "LT", rateBasisPoints: 2100, pattern: "([0-9]{9}|[0-9]{12})"),
        .init(code: "LU", name: "Luxembourg", vatPrefix: "LU", rateBasisPoints: 1700, pattern: "[0-9]{8}"),
        .init(code: "MT", name: "Malta", vatPrefix: "MT", rateBasisPoints: 1800, pattern: "[0-9]{8}"),
        .init(code: "NL", name: "Netherlands", vatPrefix: "NL", rateBasisPoints: 2100, pattern: "[0-9]{9}B[0-9]{2}"),
        .init(code: "PL", name: "Poland", vatPrefix: "PL", rateBasisPoints: 2300, pattern: "[0-9]{10}"),
        .init(code: "PT", name: "Portugal", vatPrefix: "PT", rateBasisPoints: 2300, pattern: "[0-9]{9}"),
        .init(code: "RO", name: "Romania", vatPrefix: "RO", rateBasisPoints: 1900, pattern: "[0-9]{2,10}"),
        .init(code: "SK", name: "Slovakia", vatPrefix: "SK", rateBasisPoints: 2300, pattern: "[0-9]{10}"),
        .init(code: "SI", name: "Slovenia", vatPrefix: "SI", rateBasisPoints: 2200, pattern: "[0-9]{8}"),
        .init(code: "ES", name: "Spain", vatPrefix: "ES", rateBasisPoints: 2100, pattern: "[0-9A-Z][0-9]{7}[0-9A-Z]"),
        .init(code: "SE", name: "Sweden", vatPrefix: "SE", rateBasisPoints: 2500, pattern: "[0-9]{12}"),
    ]

    /// Countries outside the EU the forms offer (no EU VAT on their invoices).
    public static let others: [(code: String, name: String)] = [
        ("AU", "Australia"), ("CA", "Canada"), ("CH", "Switzerland"), ("GB", "United Kingdom"), ("IN", "India"),
        ("JP", "Japan"), ("NO", "Norway"), ("SG", "Singapore"), ("US", "United States"),
    ]

    /// Every country of the forms, sorted by name.
    public static let all: [(code: String, name: String)] = (eu.map { ($0.code, $0.name) } + others).sorted { $0.1 < $1.1 }

    public static func name(_ code: String) -> String? { all.first { $0.code == code }?.name }
    public static func euMember(_ code: String) -> EUMember? { eu.first { $0.code == code } }

    /// The VAT id in one spelling (upper case, no spaces, dots or dashes), or an error message
    /// naming the expected shape. An empty id is fine (a consumer).
    public static func normalizedVATId(_ typed: String, country: String) -> Result<String, VATIdProblem> {
        let id = typed.uppercased().filter { !" .-".contains($0) }
        guard !id.isEmpty else { return .success("") }
        guard let member = euMember(country) else { return .failure(.notEU) }
        guard id.hasPrefix(member.vatPrefix),
            id.dropFirst(2).wholeMatch(of: try! Regex("^" + member.pattern + "$")) != nil
        else { return .failure(.shape(member)) }
        return .success(id)
    }

    public enum VATIdProblem: Error {
        case notEU
        case shape(EUMember)

        public var message: String {
            switch self {
            case .notEU: "VAT ids are for EU countries; leave it empty outside the EU."
            case .shape(let m): "A VAT id of \(m.name) starts with \(m.vatPrefix) and then matches \(m.pattern)."
            }
        }
    }
}

/// How an invoice is taxed (VAT Directive 2006/112/EC): EU consumers pay their own country's
/// standard rate; EU businesses with a VAT id of another member state than the seller's pay none
/// and the invoice says "Reverse charge"; buyers outside the EU pay none.
public struct VATTreatment: Sendable, Equatable {
    public enum Kind: String, Sendable { case standard, reverseCharge = "reverse-charge", outsideEU = "outside-eu" }
    public var kind: Kind
    public var rateBasisPoints: Int

    public static func of(buyerCountry: String, buyerVATId: String, sellerCountry: String) -> VATTreatment {
        guard let member = Countries.euMember(buyerCountry) else { return VATTreatment(kind: .outsideEU, rateBasisPoints: 0) }
        if !buyerVATId.isEmpty && buyerCountry != sellerCountry { return VATTreatment(kind: .reverseCharge, rateBasisPoints: 0) }
        return VATTreatment(kind: .standard, rateBasisPoints: member.rateBasisPoints)
    }

    /// VAT on `netMinor`, rounded half up to the minor unit.
    public func vat(onNet netMinor: Int64) -> Int64 { (netMinor * Int64(rateBasisPoints) + 5_000) / 10_000 }

    /// The words the invoice prints beside the VAT line.
    public var note: String {
        switch kind {
        case .standard: "VAT \(Self.percent(rateBasisPoints))"
        case .reverseCharge: "Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC)"
        case .outsideEU: "No EU VAT: supply to a customer outside the EU"
        }
    }

    public static func percent(_ basisPoints: Int) -> String {
        basisPoints % 100 == 0 ? "\(basisPoints / 100) %" : "\(basisPoints / 100).\(basisPoints % 100 / 10) %"
    }
}
