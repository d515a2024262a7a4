/// The shared rules for text typed into forms.
public enum TextRules {
    /// A single line: no control characters at all.
    public static func checkSingleLine(
        _ value: String, field: String, label: String,
        required: Bool, maxLength: Int, into errors: inout FieldErrors
    ) {
        if required && value.isEmpty {
            errors.add(field, "\(label) is required.")
        }
        if length(value) > maxLength {
            errors.add(field, "\(label) must be at most \(maxLength) characters (it has \(length(value))).")
        }
        if value.unicodeScalars.contains(where: isControl) {
            errors.add(field, "\(label) must not contain control characters.")
        }
    }

    /// Several lines: newlines and tabs are fine, other control characters are not.
    public static func checkMultiLine(
        _ value: String, field: String, label: String,
        maxLength: Int, into errors: inout FieldErrors
    ) {
        if length(value) > maxLength {
            errors.add(field, "\(label) must be at most \(maxLength) characters (it has \(length(value))).")
        }
        if value.unicodeScalars.contains(where: { isControl($0) && !["\n", "\r", "\t"].contains($0) }) {
            errors.add(field, "\(label) must not contain control characters.")
        }
    }

    /// A length as the schema's CHECK constraints count it (SQLite's `length()`: code points), so
    /// that what passes here is never refused by the database: "é" typed as e + U+0301 is two,
    /// a family emoji several.
    public static func length(_ value: String) -> Int { value.unicodeScalars.count }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// Trims spaces at both ends; inner text is kept as typed.
    public static func trimmed(_ value: String) -> String {
        value.trimmingCharacters(in: .whitespaces)
    }

    /// `text` safe to show back in a page: control characters (other than tab and line breaks)
    /// become U+FFFD, so a refused value is visible without putting raw controls into HTML.
    ///
    /// A refused value far past any field's limit (a 3 MB "description") comes back cut to
    /// `maxEcho` code points: its error already says it is too long, and a page must not mirror
    /// every byte a client sends.
    public static func displayable(_ text: String, maxEcho: Int = 20_000) -> String {
        var text = text
        if text.unicodeScalars.count > maxEcho {
            text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(maxEcho)))
        }
        guard text.unicodeScalars.contains(where: isHiddenControl) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { isHiddenControl($0) ? "\u{FFFD}" : $0 }))
    }

    private static func isHiddenControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r") || (0x7F...0x9F).contains(scalar.value)
    }
}

import Foundation

/// "1 character", "2 characters": counts in messages read as English.
public enum Plural {
    public static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? singular : plural ?? singular + "s")
    }

    /// A wait as people say it: "8 seconds", "1 minute", "15 minutes" (rounded up).
    public static func wait(_ seconds: Int) -> String {
        seconds < 60 ? count(max(1, seconds), "second") : count((seconds + 59) / 60, "minute")
    }
}
