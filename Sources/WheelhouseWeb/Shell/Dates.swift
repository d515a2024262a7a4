import Foundation

/// Dates as people read them, in UTC (organization time zones arrive with Usage): the one family
/// of date formats the console shows — a day, a day with a time, and each as `<time datetime>`
/// wants it.
enum Dates {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// "7 Nov 2026": written byte by byte, as it runs several times for each row of a list.
    static func day(_ date: Date) -> String {
        let parts = utc(date)
        return String(unsafeUninitializedCapacity: 12) { out in
            var o = 0
            func put(_ byte: UInt8) { out[o] = byte; o += 1 }
            let mday = Int(parts.tm_mday)
            if mday >= 10 { put(UInt8(48 + mday / 10)) }
            put(UInt8(48 + mday % 10))
            put(UInt8(ascii: " "))
            for byte in months[Int(parts.tm_mon)].utf8 { put(byte) }
            put(UInt8(ascii: " "))
            o = digits(Int(parts.tm_year) + 1900, width: 4, into: out, at: o)
            return o
        }
    }

    /// "2026-11-07".
    static func iso(_ date: Date) -> String {
        let parts = utc(date)
        return String(unsafeUninitializedCapacity: 10) { out in
            var o = digits(Int(parts.tm_year) + 1900, width: 4, into: out, at: 0)
            out[o] = UInt8(ascii: "-")
            o = digits(Int(parts.tm_mon) + 1, width: 2, into: out, at: o + 1)
            out[o] = UInt8(ascii: "-")
            return digits(Int(parts.tm_mday), width: 2, into: out, at: o + 1)
        }
    }

    /// "3 Mar 2027, 14:05 UTC".
    static func dayTime(_ date: Date) -> String {
        let parts = utc(date)
        return "\(day(date)), \(two(parts.tm_hour)):\(two(parts.tm_min)) UTC"
    }

    /// For `<time datetime>`: "2027-03-03T14:05:00Z".
    static func isoTime(_ date: Date) -> String {
        let parts = utc(date)
        return "\(iso(date))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// "just now", "5 minutes ago", "3 hours ago", "2 days ago", then "on 7 Nov 2026" from 30
    /// days on (a time from the future, a clock skew, is "just now").
    static func relative(_ date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date))
        func ago(_ n: Int, _ unit: String) -> String { n == 1 ? "1 \(unit) ago" : "\(n) \(unit)s ago" }
        switch seconds {
        case ..<60: return "just now"
        case ..<3_600: return ago(seconds / 60, "minute")
        case ..<86_400: return ago(seconds / 3_600, "hour")
        case ..<(30 * 86_400): return ago(seconds / 86_400, "day")
        default: return "on " + day(date)
        }
    }

    // MARK: - Parts

    /// The calendar fields of `date` in UTC.
    static func utc(_ date: Date) -> tm {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }

    /// Two digits: "07".
    static func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Writes `value` (0 ≤ value < 10^width) in exactly `width` digits; returns the next index.
    private static func digits(_ value: Int, width: Int, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var value = value
        for i in stride(from: start + width - 1, through: start, by: -1) {
            out[i] = UInt8(48 + value % 10)
            value /= 10
        }
        return start + width
    }
}

extension Dates {
    /// One list row's three forms of an instant, each written byte by byte from one `gmtime_r`
    /// (string interpolation cost more than the row's query): `iso` for `<time datetime>`
    /// ("2027-03-03T14:05:00Z"), `utc` for its title ("3 Mar 2027, 14:05 UTC") and `local`, shown,
    /// in a zone `offset` seconds from UTC ("3 Mar 2027, 15:05").
    static func stamps(_ date: Date, offset: Int) -> (iso: String, utc: String, local: String) {
        let utc = self.utc(date)
        let local = offset == 0 ? utc : self.utc(date.addingTimeInterval(TimeInterval(offset)))
        let iso = String(unsafeUninitializedCapacity: 20) { out in
            var o = put(Int(utc.tm_year) + 1900, 4, out, 0)
            out[o] = UInt8(ascii: "-")
            o = put(Int(utc.tm_mon) + 1, 2, out, o + 1)
            out[o] = UInt8(ascii: "-")
            o = put(Int(utc.tm_mday), 2, out, o + 1)
            out[o] = UInt8(ascii: "T")
            o = put(Int(utc.tm_hour), 2, out, o + 1)
            out[o] = UInt8(ascii: ":")
            o = put(Int(utc.tm_min), 2, out, o + 1)
            out[o] = UInt8(ascii: ":")
            o = put(Int(utc.tm_sec), 2, out, o + 1)
            out[o] = UInt8(ascii: "Z")
            return o + 1
        }
        return (iso, dayAndTime(utc, suffix: " UTC"), dayAndTime(local, suffix: ""))
    }

    /// "3 Mar 2027, 14:05" and `suffix`.
    private static func dayAndTime(_ parts: tm, suffix: StaticString) -> String {
        String(unsafeUninitializedCapacity: 24) { out in
            let mday = Int(parts.tm_mday)
            var o = mday >= 10 ? put(mday, 2, out, 0) : put(mday, 1, out, 0)
            out[o] = UInt8(ascii: " ")
            o += 1
            for byte in months[Int(parts.tm_mon)].utf8 {
                out[o] = byte
                o += 1
            }
            out[o] = UInt8(ascii: " ")
            o = put(Int(parts.tm_year) + 1900, 4, out, o + 1)
            out[o] = UInt8(ascii: ",")
            out[o + 1] = UInt8(ascii: " ")
            o = put(Int(parts.tm_hour), 2, out, o + 2)
            out[o] = UInt8(ascii: ":")
            o = put(Int(parts.tm_min), 2, out, o + 1)
            suffix.withUTF8Buffer { bytes in
                for byte in bytes {
                    out[o] = byte
                    o += 1
                }
            }
            return o
        }
    }

    /// `value` in exactly `width` digits at `start`; returns the next index.
    private static func put(_ value: Int, _ width: Int, _ out: UnsafeMutableBufferPointer<UInt8>, _ start: Int) -> Int {
        var value = value
        for i in stride(from: start + width - 1, through: start, by: -1) {
            out[i] = UInt8(48 + value % 10)
            value /= 10
        }
        return start + width
    }
}
