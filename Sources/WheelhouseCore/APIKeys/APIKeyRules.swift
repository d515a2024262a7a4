import Foundation

/// An organization's maximum key lifetime (PRODUCT.md §2). Keys that outlive it after a change
/// are blocked, never deleted, so relaxing the policy brings them back.
public enum APIKeyLifetimePolicy: Int, CaseIterable, Sendable {
    /// Stored as 0 (a CHECK keeps the column to the four values).
    case none = 0
    case days30 = 30
    case days90 = 90
    case days365 = 365

    public var maxDays: Int? { self == .none ? nil : rawValue }

    /// The form's value (`none`, `30`, `90`, `365`).
    public var formValue: String { self == .none ? "none" : String(rawValue) }

    public init?(formValue: String) {
        guard let match = Self.allCases.first(where: { $0.formValue == formValue }) else { return nil }
        self = match
    }

    public var title: String { self == .none ? "No maximum" : "\(rawValue) days" }

    /// Whether a key made at `createdAt` that expires at `expiresAt` (nil: never) may live under it.
    public func allows(createdAt: Date, expiresAt: Date?) -> Bool {
        guard let maxDays else { return true }
        guard let expiresAt else { return false }
        return expiresAt.timeIntervalSince(createdAt) <= TimeInterval(maxDays) * 86_400
    }
}

/// The expiry choices of the create form.
public enum APIKeyExpiry: Sendable, Equatable {
    case days(Int)
    /// The start (00:00 UTC) of this `YYYY-MM-DD` day.
    case date(String)
    case never

    /// The select's fixed choices (a date is the `date` choice plus the date field).
    public static let presets: [(value: String, title: String)] = [
        ("7", "7 days"), ("30", "30 days"), ("60", "60 days"), ("90", "90 days"), ("365", "1 year"),
        ("date", "On a date"), ("never", "Never"),
    ]

    /// From the select's value and the date field; nil for anything not offered.
    public init?(choice: String, date: String) {
        switch choice {
        case "7", "30", "60", "90", "365": self = .days(Int(choice)!)
        case "date": self = .date(date)
        case "never": self = .never
        default: return nil
        }
    }
}

/// How long a rotated key's old secret keeps working.
public enum APIKeyGrace: Int, CaseIterable, Sendable {
    case immediately = 0
    case oneHour = 3_600
    case oneDay = 86_400
    case sevenDays = 604_800

    public var formValue: String { String(rawValue) }
    public init?(formValue: String) { self.init(rawValue: Int(formValue) ?? -1) }

    public var title: String {
        switch self {
        case .immediately: "Immediately"
        case .oneHour: "After 1 hour"
        case .oneDay: "After 24 hours"
        case .sevenDays: "After 7 days"
        }
    }
}

/// What the list says of a key. Expired and revoked keys stay listed.
public enum APIKeyStatus: String, Sendable, CaseIterable {
    case active, expiringSoon = "expiring-soon", expired, revoked, blockedByPolicy = "blocked"

    public var title: String {
        switch self {
        case .active: "Active"
        case .expiringSoon: "Expiring soon"
        case .expired: "Expired"
        case .revoked: "Revoked"
        case .blockedByPolicy: "Blocked by policy"
        }
    }
}

/// The rules of names and expiry notices, decided once.
public enum APIKeyRules {
    public static let maxNameLength = 60
    /// "Expiring soon" on the tab, and the first notice.
    static let soon: TimeInterval = 30 * 86_400
    /// Notices before expiry: each bit is set once its notice went out (or was already past when
    /// the key was made, so a 7-day key gets no "30 days left" mail).
    static let notices: [(bit: Int, before: TimeInterval, words: String)] = [
        (1, 30 * 86_400, "30 days"), (2, 7 * 86_400, "7 days"), (4, 86_400, "1 day"),
    ]
    /// How long a new secret waits, sealed, for the page that shows it once.
    static let revealWindow: TimeInterval = 15 * 60
    /// The furthest date the form accepts when no policy caps it.
    static let maxDays = 3_650

    /// Bits of `notices` already past for a key that expires `lifetime` seconds after it is made.
    static func noticesPast(lifetime: TimeInterval?) -> Int {
        guard let lifetime else { return 0 }
        return notices.filter { lifetime <= $0.before }.reduce(0) { $0 | $1.bit }
    }

    /// Joined with spaces for the `scopes` column, in the enum's order.
    static func stored(_ scopes: Set<APIScope>) -> String { scopes.sorted().map(\.rawValue).joined(separator: " ") }
    static func scopes(_ stored: String) -> Set<APIScope> {
        Set(stored.split(separator: " ").compactMap { APIScope(rawValue: String($0)) })
    }
}

/// Expiry dates are whole UTC days: the form's date means 00:00 UTC that day.
enum UTCDay {
    static func string(_ date: Date) -> String {
        CivilDate(dayNumber: Int((date.timeIntervalSince1970 / 86_400).rounded(.down))).description
    }

    static func startOfDay(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    /// `YYYY-MM-DD` (a real calendar date) → its start; anything else → nil.
    static func parse(_ text: String) -> Date? {
        guard text.utf8.count == 10, let seconds = RFC3339.seconds(Array((text + "T00:00:00Z").utf8)) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
