/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` → seconds since 1970, the fraction truncated.
public enum RFC3339 {
    public static func seconds(_ s: [UInt8]) -> Int64? {
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= s.count else { return nil }
            var v = 0
            for k in from..<(from + count) {
                guard (48...57).contains(s[k]) else { return nil }
                v = v * 10 + Int(s[k] - 48)
            }
            return v
        }
        guard s.count >= 20, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-"),
            s[10] == UInt8(ascii: "T") || s[10] == UInt8(ascii: "t") || s[10] == UInt8(ascii: " "),
            s[13] == UInt8(ascii: ":"), s[16] == UInt8(ascii: ":"),
            let year = num(0, 4), let month = num(5, 2), let day = num(8, 2),
            let hour = num(11, 2), let minute = num(14, 2), let second = num(17, 2),
            (1...12).contains(month), hour < 24, minute < 60, second < 61
        else { return nil }
        let monthLength =
            CivilDate(year: month == 12 ? year + 1 : year, month: month == 12 ? 1 : month + 1, day: 1).dayNumber
            - CivilDate(year: year, month: month, day: 1).dayNumber
        guard (1...monthLength).contains(day) else { return nil }
        var k = 19
        if k < s.count, s[k] == UInt8(ascii: ".") {
            k += 1
            let start = k
            while k < s.count, (48...57).contains(s[k]) { k += 1 }
            guard k > start else { return nil }
        }
        guard k < s.count else { return nil }
        var offset = 0
        if s[k] == UInt8(ascii: "Z") || s[k] == UInt8(ascii: "z") {
            k += 1
        } else if s[k] == UInt8(ascii: "+") || s[k] == UInt8(ascii: "-") {
            guard k + 6 == s.count, s[k + 3] == UInt8(ascii: ":"), let h = num(k + 1, 2), let m = num(k + 4, 2),
                h < 24, m < 60
            else { return nil }
            offset = (h * 3600 + m * 60) * (s[k] == UInt8(ascii: "-") ? -1 : 1)
            k += 6
        } else {
            return nil
        }
        guard k == s.count else { return nil }
        let days = CivilDate(year: year, month: month, day: day).dayNumber
        return Int64(days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offset)
    }
}
