/// RFC 4180 CSV, written once for every export (Members, Usage, Audit log, the data export).
public enum CSV {
    /// One record: fields joined by commas, ended by CRLF.
    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// A field quoted when it holds a comma, a quote or a line break (quotes doubled).
    public static func field(_ value: String) -> String {
        // Bytes, not Characters: "\r\n" is one Character and equals neither "\r" nor "\n".
        guard value.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A cell a spreadsheet will not run: text starting with `=`, `+`, `-` or `@` (or a tab or
    /// carriage return, which some spreadsheets skip before such a sign) gets a leading `'`.
    public static func cell(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        return "'" + value
    }
}
