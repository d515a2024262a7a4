import Foundation

/// The checks of the card form, before anything goes to the gateway.
public enum CardRules {
    /// Digits only, spaces and dashes dropped; nil when anything else is in it.
    public static func digits(_ typed: String) -> String? {
        let kept = typed.filter { $0 != " " && $0 != "-" }
        guard !kept.isEmpty, kept.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return kept
    }

    /// The Luhn checksum every card number carries in its last digit.
    public static func passesLuhn(_ digits: String) -> Bool {
        guard (12...19).contains(digits.count) else { return false }
        var sum = 0
        for (i, c) in digits.reversed().enumerated() {
            var d = Int(c.asciiValue! - 48)
            if i % 2 == 1 {
                d *= 2
                if d > 9 { d -= 9 }
            }
            sum += d
        }
        return sum % 10 == 0
    }

    public static func brand(_ digits: String) -> String {
        if digits.hasPrefix("4") { return "Visa" }
        if let two = Int(digits.prefix(2)), (51...55).contains(two) { return "Mastercard" }
        if let four = Int(digits.prefix(4)), (2221...2720).contains(four) { return "Mastercard" }
        if digits.hasPrefix("34") || digits.hasPrefix("37") { return "American Express" }
        return "Card"
    }

    /// A card is valid through the last day of its expiry month.
    public static func isExpired(month: Int, year: Int, now: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.dateComponents([.year, .month], from: now)
        return year < today.year! || (year == today.year! && month < today.month!)
    }

    /// Field errors of the card form (`number`, `expiry_month`, `expiry_year`, `cvc`, `holder`,
    /// `card_country`), with the number reduced to digits. The messages never repeat what was typed.
    public static func check(
        number: String, month: String, year: String, cvc: String, holder: String, country: String, now: Date
    ) -> (CardDetails?, FieldErrors) {
        var errors = FieldErrors()
        let digits = Self.digits(number)
        if number.isEmpty {
            errors.add("number", "Enter the card number.")
        } else if digits == nil || !passesLuhn(digits!) {
            errors.add("number", "This is not a valid card number: check the digits.")
        }
        let m = Int(month.trimmingCharacters(in: .whitespaces))
        var y = Int(year.trimmingCharacters(in: .whitespaces))
        if let short = y, short < 100 { y = 2000 + short }
        if m == nil || !(1...12).contains(m!) { errors.add("expiry_month", "Enter the expiry month, 1 to 12.") }
        if y == nil || !(2000...2100).contains(y!) { errors.add("expiry_year", "Enter the expiry year, e.g. 2030.") }
        if let m, let y, (1...12).contains(m), (2000...2100).contains(y), isExpired(month: m, year: y, now: now) {
            errors.add("expiry_year", "This card has expired: the expiry date is in the past.")
        }
        if !(3...4).contains(cvc.count) || !cvc.allSatisfy({ $0.isASCII && $0.isNumber }) {
            errors.add("cvc", "Enter the 3 or 4 digits of the security code (CVC).")
        }
        let name = TextRules.trimmed(holder)
        TextRules.checkSingleLine(name, field: "holder", label: "Name on the card", required: true, maxLength: 100, into: &errors)
        if Countries.name(country) == nil { errors.add("card_country", "Choose the billing country.") }
        guard errors.isEmpty, let digits, let m, let y else { return (nil, errors) }
        return (CardDetails(number: digits, expiryMonth: m, expiryYear: y, cvc: cvc, holderName: name, country: country), errors)
    }
}
