import Foundation
import WheelhouseCore

/// The Audit log's query (`?action=&actor=&from=&to=&q=&before=|after=`), read by one parser for
/// the page and both exports. A bad value is dropped from the filter and named, beside its field,
/// by a message; the answer is then a 400 showing the log without that part of the filter.
struct AuditQuery {
    enum Field: String, CaseIterable {
        case action, actor, from, to, q
        /// `before` / `after`: the pager's cursor.
        case page
    }

    var filter = AuditFilter()
    var cursor = AuditCursor.newest
    /// The values as typed, to fill the form again (a refused one included, so it can be fixed).
    var typed: [Field: String] = [:]
    var problems: [Field: String] = [:]
    /// The accepted filter as query items, in a fixed order: what the pager and exports keep.
    var items: [(String, String)] = []

    static let maxTextLength = 200

    static func parse(_ query: String, zone: TimeZone, actors: [User]) -> AuditQuery {
        var result = AuditQuery()
        var values: [Field: String] = [:], before: String?, after: String?
        for (name, value) in URLEncodedForm.pairs(Array(query.utf8)) where !value.isEmpty {
            let text = String(decoding: value, as: UTF8.self)
            switch String(decoding: name, as: UTF8.self) {
            case "before": before = text
            case "after": after = text
            case let name: if let field = Field(rawValue: name), field != .page { values[field] = text }
            }
        }
        result.typed = values
        func shown(_ text: String) -> String { text.count > 40 ? String(text.prefix(40)) + "…" : text }
        if let text = values[.action] {
            if let action = AuditAction(rawValue: text) {
                result.filter.action = action
            } else {
                result.problems[.action] = "“\(shown(text))” is not an action of the audit log."
            }
        }
        if let text = values[.actor] {
            if text == "system" {
                result.filter.actor = .system
            } else if let id = Int64(text), actors.contains(where: { $0.id == id }) {
                result.filter.actor = .user(id)
            } else {
                result.problems[.actor] = "“\(shown(text))” is not a person of this organization’s log."
            }
        }
        for field in [Field.from, .to] {
            guard let text = values[field] else { continue }
            guard let day = day(text), let start = start(of: day, in: zone) else {
                result.problems[field] = "“\(shown(text))” is not a date (YYYY-MM-DD)."
                continue
            }
            if field == .from {
                result.filter.since = start
            } else {
                result.filter.until = self.start(of: CivilDate(dayNumber: day.dayNumber + 1), in: zone)
            }
        }
        if let since = result.filter.since, let until = result.filter.until, until <= since {
            result.problems[.to] = "The end date is before the start date."
            result.filter.until = nil
        }
        if let text = values[.q] {
            if text.count > maxTextLength {
                result.problems[.q] = "The search text is longer than \(maxTextLength) characters."
            } else {
                result.filter.text = text
            }
        }
        if let text = before ?? after {
            if let id = Int64(text), id > 0 {
                result.cursor = before != nil ? .before(id) : .after(id)
            } else {
                result.problems[.page] = "“\(shown(text))” is not a page of the log: showing the newest entries."
            }
        }
        result.items = Field.allCases.compactMap { field in
            guard field != .page, result.problems[field] == nil, let value = values[field] else { return nil }
            return (field.rawValue, value)
        }
        return result
    }

    /// Exactly `YYYY-MM-DD`, a day that exists.
    static func day(_ text: String) -> CivilDate? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[7] == UInt8(ascii: "-"), let month = UsageMonth(String(text.prefix(7))),
            let day = Int(text.suffix(2)), bytes[8...].allSatisfy({ (48...57).contains($0) })
        else { return nil }
        let date = CivilDate(year: month.year, month: month.month, day: day)
        return CivilDate(dayNumber: date.dayNumber) == date ? date : nil
    }

    /// The instant the day begins in `zone`.
    static func start(of day: CivilDate, in zone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))
    }

    /// A name for the export's file: the filter's values, safe characters only.
    var fileNamePart: String {
        let parts = items.map { name, value in
            name + "-"
                + String(
                    value.unicodeScalars.prefix(40).map {
                        $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == ".") ? Character($0) : "_"
                    })
        }
        return parts.isEmpty ? "" : "-" + parts.joined(separator: "-")
    }
}
