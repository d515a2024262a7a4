import Foundation
import GRDB

// Plain record structs. Column names are the Swift property names; the rules (NOT NULL, UNIQUE,
// foreign keys, CHECK) live in the schema, see `Migrations`.

/// A person's role in one organization. Ordered from most to least privileged.
public enum Role: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case owner, admin, member

    public var label: String {
        switch self {
        case .owner: "OWNER"
        case .admin: "ADMIN"
        case .member: "MEMBER"
        }
    }

    /// "Owner", "Admin", "Member": written out (Foundation's `capitalized` costs thousands of
    /// instructions, and the Members page shows it on every row).
    public var title: String {
        switch self {
        case .owner: "Owner"
        case .admin: "Admin"
        case .member: "Member"
        }
    }
}

public struct User: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var email: String
    public var name: String
    public var passwordHash: String
    public var createdAt: Date

    public static let databaseTableName = "user"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

// Explicit row decoding for the records read on every request: faster than Decodable.
extension User {
    public init(row: Row) throws {
        self.init(
            id: row["id"], email: row["email"], name: row["name"], passwordHash: row["passwordHash"],
            createdAt: row["createdAt"])
    }
}

extension Organization {
    public init(row: Row) throws {
        self.init(
            id: row["id"], key: row["key"], displayName: row["displayName"], description: row["description"],
            logoFile: row["logoFile"], memberLimit: row["memberLimit"], version: row["version"],
            createdAt: row["createdAt"], updatedAt: row["updatedAt"], timeZone: row["timeZone"], purgeAt: row["purgeAt"])
    }
}

extension SessionRecord {
    public init(row: Row) throws {
        self.init(
            tokenHash: row["tokenHash"], userId: row["userId"], csrfToken: row["csrfToken"],
            createdAt: row["createdAt"], lastSeenAt: row["lastSeenAt"], address: row["address"],
            userAgent: row["userAgent"], flashKind: row["flashKind"], flashMessage: row["flashMessage"])
    }
}

public struct Organization: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    /// Stable and unique; appears in every URL. Never renamed.
    public var key: String
    public var displayName: String
    public var description: String
    /// File name of the logo under the data directory's `logos/` folder, content-addressed.
    public var logoFile: String?
    public var memberLimit: Int
    /// Incremented by every update; forms carry it so a stale submit is refused.
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// IANA name of the organization's time zone: its usage days and months are days there.
    public var timeZone: String = "UTC"
    /// Set while the organization is pending deletion: when the worker removes it for good.
    public var purgeAt: Date? = nil

    public static let databaseTableName = "organization"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    public enum Columns {
        static let key = Column(CodingKeys.key)
        static let version = Column(CodingKeys.version)
    }
}

public struct Membership: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public var orgId: Int64
    public var userId: Int64
    public var role: Role
    public var createdAt: Date
    public var version: Int = 1

    public static let databaseTableName = "membership"
}

public struct Workspace: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var orgId: Int64
    public var key: String
    public var name: String
    public var isShared: Bool
    public var createdAt: Date
    public var description: String = ""
    /// The person whose default (private) workspace this is; nil for shared workspaces.
    public var ownerUserId: Int64? = nil
    public var version: Int = 1
    /// Set while a shared workspace is archived: shown as archived, read-only until restored.
    public var archivedAt: Date? = nil
    /// The BCP 47 tag of the workspace's language (`WorkLanguages`), preset from its creator's preference.
    public var language: String = WorkLanguages.default

    public static let databaseTableName = "workspace"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A signed-in browser. Only the SHA-256 of the cookie's token is stored.
public struct SessionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public var tokenHash: Data
    public var userId: Int64
    public var csrfToken: String
    public var createdAt: Date
    public var lastSeenAt: Date
    public var address: String
    public var userAgent: String
    public var flashKind: String?
    public var flashMessage: String?

    public static let databaseTableName = "session"
}

/// A failed sign-in, kept for a while to throttle guessing per account and per address.
public struct LoginFailure: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var email: String
    public var address: String
    public var at: Date

    public static let databaseTableName = "loginFailure"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
