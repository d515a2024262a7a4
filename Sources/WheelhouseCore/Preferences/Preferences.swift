import Foundation
import GRDB

public enum Theme: String, CaseIterable, Sendable {
    case system, light, dark

    public var label: String {
        switch self {
        case .system: "Same as my system"
        case .light: "Light"
        case .dark: "Dark"
        }
    }
}

public enum Density: String, CaseIterable, Sendable {
    case comfortable, compact

    public var label: String { self == .comfortable ? "Comfortable" : "Compact" }
}

/// The languages new work can be set to, as BCP 47 tags with their names in that language and
/// in English: the one list the Preferences form, workspaces and the API check against.
public enum WorkLanguages {
    public struct Language: Sendable, Equatable {
        public let tag: String
        public let name: String
    }

    public static let all: [Language] = [
        .init(tag: "en", name: "English"), .init(tag: "de", name: "Deutsch (German)"),
        .init(tag: "fr", name: "Français (French)"), .init(tag: "es", name: "Español (Spanish)"),
        .init(tag: "it", name: "Italiano (Italian)"), .init(tag: "nl", name: "Nederlands (Dutch)"),
        .init(tag: "pt", name: "Português (Portuguese)"), .init(tag: "ja", name: "日本語 (Japanese)"),
        .init(tag: "zh-Hans", name: "简体中文 (Chinese, Simplified)"),
    ]
    public static let `default` = "en"

    public static func isKnown(_ tag: String) -> Bool { all.contains { $0.tag == tag } }
    public static func name(_ tag: String) -> String { all.first { $0.tag == tag }?.name ?? tag }
}

/// How every page looks to the signed-in person: read with the session, set on `<html>`.
public struct Appearance: Sendable, Equatable {
    public var theme: Theme = .system
    public var density: Density = .comfortable
    public init(theme: Theme = .system, density: Density = .comfortable) {
        self.theme = theme
        self.density = density
    }
}

/// The Preferences form's values; `version` is the row's (1 before anything was saved).
public struct Preferences: Sendable, Equatable {
    public var theme: Theme
    public var density: Density
    public var language: String
    public var version: Int

    public static let defaults = Preferences(theme: .system, density: .comfortable, language: WorkLanguages.default, version: 1)

    public init(theme: Theme, density: Density, language: String, version: Int) {
        (self.theme, self.density, self.language, self.version) = (theme, density, language, version)
    }
}

extension AppDatabase {
    public func preferences(userId: Int64) throws -> Preferences {
        try reader.read { db in try Self.preferences(db, userId: userId) }
    }

    static func preferences(_ db: Database, userId: Int64) throws -> Preferences {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT theme, density, language, version FROM userPreference WHERE userId = ?", arguments: [userId])
        else { return .defaults }
        return Preferences(
            theme: Theme(rawValue: row[0]) ?? .system, density: Density(rawValue: row[1]) ?? .comfortable, language: row[2],
            version: row[3])
    }

    /// Saves the three choices as typed (raw strings, so an unknown value is refused here with
    /// the field's message rather than lost on the way). Personal: no audit entry.
    @discardableResult
    public func updatePreferences(
        userId: Int64, theme: String, density: String, language: String, expectedVersion: Int
    ) throws -> Preferences {
        var errors = FieldErrors()
        let theme = Theme(rawValue: theme)
        let density = Density(rawValue: density)
        if theme == nil { errors.add("theme", "Choose light, dark or the same as your system.") }
        if density == nil { errors.add("density", "Choose comfortable or compact.") }
        if !WorkLanguages.isKnown(language) { errors.add("language", "Choose one of the languages listed.") }
        try errors.throwIfAny()
        return try writer.write { db in
            let stored = try Self.preferences(db, userId: userId)
            guard stored.version == expectedVersion else { throw DomainError.staleVersion }
            let new = Preferences(theme: theme!, density: density!, language: language, version: stored.version + 1)
            guard new.theme != stored.theme || new.density != stored.density || new.language != stored.language else { return stored }
            try db.execute(
                sql: """
                    INSERT INTO userPreference (userId, theme, density, language, version) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (userId) DO UPDATE SET theme = excluded.theme, density = excluded.density,
                        language = excluded.language, version = excluded.version
                    """, arguments: [userId, new.theme.rawValue, new.density.rawValue, new.language, new.version])
            return new
        }
    }
}
