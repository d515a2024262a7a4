import Foundation
import GRDB

/// v20-notification-preferences: per-person overrides of the kinds' defaults, the version the
/// grid is checked against, the browsers each person has signed in from, and the console link of
/// a queued notice (resolved against the configured base URL when the mail is sent).
enum NotificationPreferencesSchema {
    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE notificationPreference (
                    userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
                    channel TEXT NOT NULL CHECK (channel IN ('email', 'in-app')),
                    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
                    PRIMARY KEY (userId, kind, channel)
                ) WITHOUT ROWID;
                CREATE TABLE notificationSettings (
                    userId INTEGER PRIMARY KEY REFERENCES user(id) ON DELETE CASCADE,
                    version INTEGER NOT NULL CHECK (version >= 0)
                );
                CREATE TABLE knownDevice (
                    userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    tokenHash BLOB NOT NULL CHECK (length(tokenHash) = 32),
                    firstSeenAt DATETIME NOT NULL,
                    lastSeenAt DATETIME NOT NULL,
                    PRIMARY KEY (userId, tokenHash)
                ) WITHOUT ROWID;
                ALTER TABLE outbox ADD COLUMN link TEXT
                    CHECK (link IS NULL OR (length(link) <= 500 AND substr(link, 1, 1) = '/' AND substr(link, 2, 1) <> '/'));
                """)
    }
}

/// A person's choices: what is stored over the kinds' defaults, and the version of the grid.
public struct NotificationPreferences: Sendable, Equatable {
    public var version: Int
    var overrides: [NotificationKind: [NotificationChannel: Bool]]

    /// Whether `kind` reaches the person by `channel`: never by a channel it does not offer,
    /// always by the others for a locked kind, whatever is stored.
    public func isOn(_ kind: NotificationKind, _ channel: NotificationChannel) -> Bool {
        guard kind.spec.offered.contains(channel) else { return false }
        if kind.locked { return true }
        return overrides[kind]?[channel] ?? kind.isOnByDefault(channel)
    }

    /// The channels `kind` is on for.
    public func channels(_ kind: NotificationKind) -> Set<NotificationChannel> {
        Set(NotificationChannel.allCases.filter { isOn(kind, $0) })
    }
}

extension AppDatabase {
    public func notificationPreferences(userId: Int64) throws -> NotificationPreferences {
        try reader.read { db in try Self.notificationPreferences(db, userId: userId) }
    }

    static func notificationPreferences(_ db: Database, userId: Int64) throws -> NotificationPreferences {
        let version = try Int.fetchOne(db, sql: "SELECT version FROM notificationSettings WHERE userId = ?", arguments: [userId]) ?? 0
        var overrides: [NotificationKind: [NotificationChannel: Bool]] = [:]
        // A kind or channel this version does not know (written by a newer one) is left out.
        for row in try Row.fetchAll(
            db, sql: "SELECT kind, channel, enabled FROM notificationPreference WHERE userId = ?", arguments: [userId])
        {
            guard let kind = NotificationKind(rawValue: row[0]), let channel = NotificationChannel(rawValue: row[1]) else { continue }
            overrides[kind, default: [:]][channel] = row[2] as Bool
        }
        return NotificationPreferences(version: version, overrides: overrides)
    }

    /// Saves the channels chosen for the kinds of `choices` (kinds not in it keep what they have,
    /// so a grid loaded before a kind existed does not switch the new kind off). A choice equal
    /// to the default is stored as no override, so a later change of defaults reaches it. Locked
    /// kinds are refused: they cannot be switched off, and a form never lists them.
    /// Returns whether anything changed.
    @discardableResult
    public func saveNotificationPreferences(
        userId: Int64, choices: [NotificationKind: Set<NotificationChannel>], expectedVersion: Int
    ) throws -> Bool {
        let locked = choices.keys.filter(\.locked).map(\.spec.label).sorted()
        if !locked.isEmpty {
            var errors = FieldErrors()
            errors.addForm("“\(locked.joined(separator: "”, “"))” cannot be switched off: security and payment events always reach you.")
            throw DomainError.invalid(errors)
        }
        return try writer.write { db in
            let before = try Self.notificationPreferences(db, userId: userId)
            guard before.version == expectedVersion else { throw DomainError.staleVersion }
            var changed = false
            for (kind, channels) in choices {
                for channel in kind.spec.offered {
                    let on = channels.contains(channel)
                    if on != before.isOn(kind, channel) { changed = true }
                    if on == kind.isOnByDefault(channel) {
                        try db.execute(
                            sql: "DELETE FROM notificationPreference WHERE userId = ? AND kind = ? AND channel = ?",
                            arguments: [userId, kind.rawValue, channel.rawValue])
                    } else {
                        try db.execute(
                            sql: """
                                INSERT INTO notificationPreference (userId, kind, channel, enabled) VALUES (?, ?, ?, ?)
                                ON CONFLICT (userId, kind, channel) DO UPDATE SET enabled = excluded.enabled
                                """, arguments: [userId, kind.rawValue, channel.rawValue, on])
                    }
                }
            }
            guard changed else { return false }
            try db.execute(
                sql: """
                    INSERT INTO notificationSettings (userId, version) VALUES (?, 1)
                    ON CONFLICT (userId) DO UPDATE SET version = version + 1
                    """, arguments: [userId])
            return true
        }
    }
}
