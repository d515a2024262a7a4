import Foundation

/// Passwords too common to allow, from `Resources/common-passwords.txt` (read once at start-up):
/// compared lower-cased, so "Password1" is refused like "password1".
public struct PasswordBlocklist: Sendable {
    let words: Set<String>

    public init(words: some Sequence<String>) {
        self.words = Set(words.map { $0.lowercased() })
    }

    public static let fileName = "common-passwords.txt"

    /// One password a line; empty lines and lines starting with `#` (the source and licence) are skipped.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KeyFileError(message: "The list of common passwords \(path) is missing.")
        }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
        self.init(words: lines.lazy.filter { !$0.isEmpty && !$0.hasPrefix("#") }.map(String.init))
        guard !words.isEmpty else { throw KeyFileError(message: "The list of common passwords \(path) is empty.") }
    }

    public var count: Int { words.count }

    public func contains(_ password: String) -> Bool { words.contains(password.lowercased()) }
}

/// A new password's rules, after NIST SP 800-63B revision 4 (§3.1.1.2): long rather than
/// complicated. No composition rules and no truncation; what is refused is short, very long,
/// common, or made of what the person is known by.
public enum PasswordPolicy {
    /// The shortest password when it is the only factor.
    public static let minLength = 15
    /// The shortest once two-factor sign-in is on.
    public static let minLengthWithTwoFactor = 8
    /// Far above the 64 characters NIST asks to accept, yet small enough that nobody can make the
    /// server hash megabytes (the hash would run on whatever was sent).
    public static let maxBytes = 256
    /// Parts of the email or name shorter than this are not looked for: one letter would refuse
    /// almost every password.
    static let minPersonalPart = 3

    /// The person a password is for: what it must not contain.
    public struct Owner: Sendable {
        public var email: String
        public var name: String
        public var hasTwoFactor: Bool

        public init(email: String, name: String, hasTwoFactor: Bool) {
            (self.email, self.name, self.hasTwoFactor) = (email, name, hasTwoFactor)
        }
    }

    /// Adds to `errors` (under `field`) why `password` cannot be the new password of `owner`.
    /// Length counts Unicode code points, as NIST says; the cap counts bytes, as the hasher does.
    public static func check(
        _ password: String, for owner: Owner, blocklist: PasswordBlocklist, field: String = "password",
        into errors: inout FieldErrors
    ) {
        let minimum = owner.hasTwoFactor ? minLengthWithTwoFactor : minLength
        if password.isEmpty {
            errors.add(field, "Enter a new password.")
            return
        }
        if password.utf8.count > maxBytes {
            errors.add(
                field, "Password must be at most \(maxBytes) bytes (about \(maxBytes) letters); this one has \(password.utf8.count).")
            return
        }
        if password.unicodeScalars.contains(where: TextRules.isControl) {
            errors.add(field, "Password must not contain control characters (tabs, line breaks and the like).")
            return
        }
        let length = password.unicodeScalars.count
        if password.trimmingCharacters(in: .whitespaces).isEmpty || length < minimum {
            let reason = owner.hasTwoFactor ? "with two-factor sign-in on" : "while it is your only sign-in factor"
            errors.add(
                field,
                "Password must be at least \(minimum) characters \(reason) (it has \(length)). A few unrelated words make a good one.")
            return
        }
        if Set(password.unicodeScalars).count == 1 {
            errors.add(field, "Password must not be one character repeated.")
            return
        }
        // The list's words padded with digits or signs ("password1234567!") are as guessable as the words.
        let core = password.trimmingCharacters(in: CharacterSet.letters.inverted)
        if blocklist.contains(password) || (!core.isEmpty && blocklist.contains(core)) {
            errors.add(field, "This password is on a list of common passwords that attackers try first. Choose another.")
            return
        }
        let lowered = password.lowercased()
        if let part = personalParts(of: owner).first(where: { lowered.contains($0) }) {
            errors.add(field, "Password must not contain your email address or name (it contains “\(part)”).")
        }
    }

    /// The email's local part and the name (whole, and word by word), lower-cased.
    static func personalParts(of owner: Owner) -> [String] {
        let local = owner.email.split(separator: "@").first.map(String.init) ?? owner.email
        let name = owner.name.lowercased()
        let words = name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        return ([local.lowercased(), name] + words).filter { $0.unicodeScalars.count >= minPersonalPart }
    }
}
