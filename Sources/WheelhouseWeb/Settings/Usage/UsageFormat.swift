import WheelhouseCore

/// Numbers as the Usage page and its CSV write them. Money is integer micro-units throughout;
/// only these functions turn it into text.
enum UsageFormat {
    /// `12,345`
    static func count(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    /// Micro-units to two decimals, rounded half up: `1,234.57`.
    static func money(_ micros: Int64) -> String {
        let cents = (micros + 5_000) / 10_000
        let rest = cents % 100
        return count(cents / 100) + "." + (rest < 10 ? "0" : "") + String(rest)
    }

    /// Micro-units exactly, for the CSV: `1234.567890`.
    static func exactMoney(_ micros: Int64) -> String {
        let rest = String(micros % 1_000_000)
        return String(micros / 1_000_000) + "." + String(repeating: "0", count: 6 - rest.count) + rest
    }

    /// `97.2 %`, one decimal, nil when there is nothing to divide.
    static func percent(_ part: Int64, of whole: Int64) -> String? {
        guard whole > 0 else { return nil }
        let tenths = (part * 1000 + whole / 2) / whole
        return "\(tenths / 10).\(tenths % 10) %"
    }

    /// Short month and day: `Nov 3`.
    static func shortDay(_ date: CivilDate) -> String {
        "\(String(UsageMonth.names[date.month - 1].prefix(3))) \(date.day)"
    }

    /// `3 November 2026`
    static func longDay(_ date: CivilDate) -> String {
        "\(date.day) \(UsageMonth.names[date.month - 1]) \(date.year)"
    }

    /// The change of a card's figure against the previous month: text and direction.
    static func change(_ now: Int64, _ before: Int64, previous: UsageMonth) -> (String, String) {
        let name = UsageMonth.names[previous.month - 1]
        guard before > 0 else { return now > 0 ? ("new since \(name)", "up") : ("none in \(name) either", "flat") }
        let tenths = ((now - before) * 1000 + (now >= before ? before / 2 : -before / 2)) / before
        if tenths == 0 { return ("no change vs \(name)", "flat") }
        let sign = tenths > 0 ? "▲ +" : "▼ −"
        let magnitude = tenths.magnitude
        return ("\(sign)\(magnitude / 10).\(magnitude % 10) % vs \(name)", tenths > 0 ? "up" : "down")
    }

    /// The change of a rate in percentage points.
    static func pointsChange(
        _ now: Int64, of nowWhole: Int64, _ before: Int64, of beforeWhole: Int64,
        previous: UsageMonth
    ) -> (String, String) {
        let name = UsageMonth.names[previous.month - 1]
        guard nowWhole > 0, beforeWhole > 0 else { return ("no runs to compare in \(name)", "flat") }
        let a = (now * 1000 + nowWhole / 2) / nowWhole, b = (before * 1000 + beforeWhole / 2) / beforeWhole
        let d = a - b
        if d == 0 { return ("no change vs \(name)", "flat") }
        return ("\(d > 0 ? "▲ +" : "▼ −")\(d.magnitude / 10).\(d.magnitude % 10) pts vs \(name)", d > 0 ? "up" : "down")
    }
}
