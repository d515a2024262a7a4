import Foundation
import GRDB

/// What an in-app notification is about. Stored by raw value; a kind is added here when the
/// feature that raises it lands.
public enum NotificationKind: String, CaseIterable, Sendable {
    case dataExportReady = "data-export.ready"
    case dataExportFailed = "data-export.failed"
    case deletionScheduled = "org.deletion-scheduled"
    case deletionCancelled = "org.deletion-cancelled"
    /// An API key the person made expires in 30, 7 or 1 days.
    case apiKeyExpiring = "api-key.expiring"
}

/// One entry of a person's in-app inbox. `link` is a path inside the console (never an
/// absolute URL), so a notification cannot send anyone elsewhere.
public struct AppNotification: Sendable, Equatable {
    public var id: Int64
    public var userId: Int64
    public var orgId: Int64?
    public var kind: NotificationKind
    public var title: String
    public var link: String?
    public var createdAt: Date
    public var readAt: Date?
}

enum NotificationSchema {
    static let sql = """
        CREATE TABLE notification (
            id INTEGER PRIMARY KEY,
            userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            orgId INTEGER REFERENCES organization(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
            title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
            link TEXT CHECK (link IS NULL OR (length(link) <= 500 AND substr(link, 1, 1) = '/' AND substr(link, 2, 1) <> '/')),
            createdAt DATETIME NOT NULL,
            readAt DATETIME
        );
        CREATE INDEX notification_user ON notification(userId, id);
        CREATE INDEX notification_unread ON notification(userId) WHERE readAt IS NULL;
        CREATE INDEX notification_org_read ON notification(orgId, readAt) WHERE readAt IS NOT NULL;
        """
}

extension AppDatabase {
    /// Adds a notification to `userId`'s inbox in the caller's transaction, so it appears only
    /// if the change that raises it commits. A title over 200 characters is cut.
    static func notify(
        _ db: Database, userId: Int64, orgId: Int64?, kind: NotificationKind, title: String, link: String?, now: Date
    ) throws {
        try db.execute(
            sql: "INSERT INTO notification (userId, orgId, kind, title, link, createdAt) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [userId, orgId, kind.rawValue, String(title.prefix(200)), link, now])
    }
}
