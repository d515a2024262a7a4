import Foundation
import GRDB

/// The kinds of data the Privacy tab sets a retention window for. Each is kept forever until an
/// Owner chooses a window (the same four choices as the audit log: 30, 90, 365 days, forever).
public enum PrivacyDataClass: String, CaseIterable, Sendable {
    /// Raw usage events; the daily rollups (and so the Usage page and its totals) stay.
    case usageEvents = "usage_events"
    /// Sign-in sessions past their idle or absolute time-out.
    case endedSessions = "ended_sessions"
    /// In-app notifications read longer ago than the window.
    case readNotifications = "read_notifications"
    /// Subject, body and recipient of mail delivered longer ago than the window.
    case mailBodies = "mail_bodies"

    public var title: String {
        switch self {
        case .usageEvents: "Raw usage events"
        case .endedSessions: "Ended sessions"
        case .readNotifications: "Read notifications"
        case .mailBodies: "Delivered mail bodies"
        }
    }

    /// The column of `privacySetting` (and of `privacyPruneRun`) for the class.
    var column: String {
        switch self {
        case .usageEvents: "usageEventDays"
        case .endedSessions: "sessionDays"
        case .readNotifications: "notificationDays"
        case .mailBodies: "mailDays"
        }
    }

    /// Counted in the run record and the prune summary ("3 read notifications").
    func count(_ n: Int) -> String {
        switch self {
        case .usageEvents: Plural.count(n, "usage event")
        case .endedSessions: Plural.count(n, "ended session")
        case .readNotifications: Plural.count(n, "read notification")
        case .mailBodies: Plural.count(n, "mail body", "mail bodies")
        }
    }
}

/// An organization's privacy choices as stored, with the version every form of the tab carries
/// (0: never saved, everything at its default).
public struct PrivacySetting: Sendable, Equatable {
    public var retention: [PrivacyDataClass: AuditRetention]
    /// Admins see the addresses and names of people outside their scope masked (`PIIMask`).
    public var masking: Bool
    public var training: TrainingOptOut
    public var version: Int

    public static let defaults = PrivacySetting(
        retention: Dictionary(uniqueKeysWithValues: PrivacyDataClass.allCases.map { ($0, .forever) }), masking: false,
        training: TrainingOptOut(optedOut: false, by: nil, byName: nil, at: nil), version: 0)

    public func window(_ dataClass: PrivacyDataClass) -> AuditRetention { retention[dataClass] ?? .forever }
}

/// Whether the organization's data may be used to train models, and who last set it when: the
/// platform reads it (the future `GET /api/v1/org`) and honours it.
public struct TrainingOptOut: Sendable, Equatable {
    public var optedOut: Bool
    /// The person who last switched it; nil when never switched (or the account is gone).
    public var by: Int64?
    public var byName: String?
    public var at: Date?

    public init(optedOut: Bool, by: Int64?, byName: String?, at: Date?) {
        (self.optedOut, self.by, self.byName, self.at) = (optedOut, by, byName, at)
    }
}

enum PrivacySchema {
    static let sql = """
        CREATE TABLE privacySetting (
            orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
            usageEventDays INTEGER NOT NULL DEFAULT 0 CHECK (usageEventDays IN (0, 30, 90, 365)),
            sessionDays INTEGER NOT NULL DEFAULT 0 CHECK (sessionDays IN (0, 30, 90, 365)),
            notificationDays INTEGER NOT NULL DEFAULT 0 CHECK (notificationDays IN (0, 30, 90, 365)),
            mailDays INTEGER NOT NULL DEFAULT 0 CHECK (mailDays IN (0, 30, 90, 365)),
            masking BOOLEAN NOT NULL DEFAULT 0 CHECK (masking IN (0, 1)),
            trainingOptOut BOOLEAN NOT NULL DEFAULT 0 CHECK (trainingOptOut IN (0, 1)),
            trainingBy INTEGER REFERENCES user(id) ON DELETE SET NULL,
            trainingAt DATETIME,
            version INTEGER NOT NULL CHECK (version > 0),
            updatedAt DATETIME NOT NULL
        );
        -- The privacy job's last run per organization and what it removed then, per class.
        CREATE TABLE privacyPruneRun (
            orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
            ranAt DATETIME NOT NULL,
            usageEventDays INTEGER NOT NULL DEFAULT 0,
            sessionDays INTEGER NOT NULL DEFAULT 0,
            notificationDays INTEGER NOT NULL DEFAULT 0,
            mailDays INTEGER NOT NULL DEFAULT 0
        );
        \(UsageSchema.rollupTable("usageDailyPruned"))
        """

    static func setting(_ db: Database, orgId: Int64) throws -> PrivacySetting {
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT p.*, u.name AS trainingByName FROM privacySetting p LEFT JOIN user u ON u.id = p.trainingBy
                    WHERE p.orgId = ?
                    """), arguments: [orgId])
        guard let row else { return .defaults }
        var retention: [PrivacyDataClass: AuditRetention] = [:]
        for dataClass in PrivacyDataClass.allCases {
            retention[dataClass] = AuditRetention(rawValue: row[dataClass.column]) ?? .forever
        }
        return PrivacySetting(
            retention: retention, masking: row["masking"],
            training: TrainingOptOut(
                optedOut: row["trainingOptOut"], by: row["trainingBy"], byName: row["trainingByName"], at: row["trainingAt"]),
            version: row["version"])
    }
}

/// What the privacy job did for one organization at its last run.
public struct PrivacyPruneRun: Sendable, Equatable {
    public var ranAt: Date
    public var removed: [PrivacyDataClass: Int]

    public init(ranAt: Date, removed: [PrivacyDataClass: Int]) {
        (self.ranAt, self.removed) = (ranAt, removed)
    }

    public var total: Int { removed.values.reduce(0, +) }

    /// "2 ended sessions, 40 usage events", or "nothing".
    public var summary: String {
        let parts = PrivacyDataClass.allCases.compactMap { c in (removed[c] ?? 0) > 0 ? c.count(removed[c]!) : nil }
        return parts.isEmpty ? "nothing" : parts.joined(separator: ", ")
    }
}

extension AppDatabase {
    /// The organization's privacy choices (the defaults when never saved).
    public func privacySetting(orgId: Int64) throws -> PrivacySetting {
        try reader.read { db in try PrivacySchema.setting(db, orgId: orgId) }
    }

    /// The model-training opt-out, for the platform to honour (the JSON API's `GET /api/v1/org`).
    public func trainingOptOut(orgId: Int64) throws -> TrainingOptOut {
        try privacySetting(orgId: orgId).training
    }

    /// The privacy job's last run for the organization, if it ever ran there.
    public func lastPrivacyPrune(orgId: Int64) throws -> PrivacyPruneRun? {
        try reader.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM privacyPruneRun WHERE orgId = ?", arguments: [orgId]).map { row in
                PrivacyPruneRun(
                    ranAt: row["ranAt"],
                    removed: Dictionary(uniqueKeysWithValues: PrivacyDataClass.allCases.map { ($0, row[$0.column] as Int) }))
            }
        }
    }
}
