import Foundation

/// A calendar date without a time zone, and its day number (days since 1970-01-01): the unit of
/// the usage rollups. Proleptic Gregorian arithmetic (H. Hinnant's `days_from_civil`), so no
/// `Calendar` is needed on the hot path.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.dayNumber < b.dayNumber }

    /// `2026-11-03`
    public var description: String { "\(UsageMonth(year: year, month: month).description)-\(day < 10 ? "0" : "")\(day)" }
}

/// A calendar month, `YYYY-MM`, the unit of the usage page.
public struct UsageMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// Parses exactly `YYYY-MM` (any year from 0001, months 01–12), nil for anything else. Whether
    /// the organization has such a month is `AppDatabase.usageMonths(of:)`'s question.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
            bytes.enumerated().allSatisfy({ $0.offset == 4 || (48...57).contains($0.element) })
        else { return nil }
        let digits = bytes.map { Int($0) - 48 }
        let year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
        let month = digits[5] * 10 + digits[6]
        guard year >= 1, (1...12).contains(month) else { return nil }
        self.init(year: year, month: month)
    }

    public init(containing date: CivilDate) {
        self.init(year: date.year, month: date.month)
    }

    public var first: CivilDate { CivilDate(year: year, month: month, day: 1) }
    public var next: UsageMonth { month == 12 ? UsageMonth(year: year + 1, month: 1) : UsageMonth(year: year, month: month + 1) }
    public var previous: UsageMonth { month == 1 ? UsageMonth(year: year - 1, month: 12) : UsageMonth(year: year, month: month - 1) }
    /// Day numbers of the month: `first.dayNumber ..< next.first.dayNumber`.
    public var days: Range<Int> { first.dayNumber..<next.first.dayNumber }

    public static func < (a: UsageMonth, b: UsageMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }

    public var description: String { "\(year)-\(month < 10 ? "0" : "")\(month)" }

    public static let names = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ]
    /// `November 2026`
    public var title: String { "\(Self.names[month - 1]) \(year)" }
}

/// Maps instants to local day numbers in one time zone. The offset of each UTC day is looked up
/// once: when it is the same at both ends of the UTC day, every instant of that day has it;
/// otherwise (a day with a transition) each instant asks the time zone.
public final class ZoneDays: @unchecked Sendable {
    public let zone: TimeZone
    private var offsets: [Int: Int] = [:]  // UTC day number → offset in seconds
    private static let mixed = Int.min

    public init(_ zone: TimeZone) {
        self.zone = zone
    }

    /// Not thread-safe: one instance per import or query.
    public func day(at seconds: Int64) -> Int {
        let t = Int(seconds)
        let utcDay = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        var offset =
            offsets[utcDay]
            ?? {
                let start = TimeInterval(utcDay * 86_400)
                let a = zone.secondsFromGMT(for: Date(timeIntervalSince1970: start))
                let b = zone.secondsFromGMT(for: Date(timeIntervalSince1970: start + 86_399))
                let value = a == b ? a : Self.mixed
                offsets[utcDay] = value
                return value
            }()
        if offset == Self.mixed {
            offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t)))
        }
        let local = t + offset
        return local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
    }

    /// The local calendar date of an instant.
    public func date(at seconds: Int64) -> CivilDate { CivilDate(dayNumber: day(at: seconds)) }
}

/// The time-zone names the General tab accepts: those Foundation knows, as IANA spells them.
public enum TimeZoneRule {
    public static func canonical(_ name: String) -> String? {
        guard (1...64).contains(name.utf8.count),
            name.utf8.allSatisfy({ b in
                (65...90).contains(b) || (97...122).contains(b) || (48...57).contains(b)
                    || b == UInt8(ascii: "/") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
            }),
            known.contains(name) || name.contains("/"), TimeZone(identifier: name) != nil
        else { return nil }
        // The name as typed: Foundation would answer "GMT" for "UTC".
        return name
    }

    /// IANA names: Area/Location, or one of the few single names Foundation lists ("UTC", "GMT",
    /// …); so "GMT+2", which Foundation also parses, is refused.
    static let known: Set<String> = Set(TimeZone.knownTimeZoneIdentifiers).union(["UTC"])
}
