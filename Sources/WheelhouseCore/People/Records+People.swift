import Foundation
import GRDB

/// An invitation to join an organization. The link's token is never stored: it is derived from
/// `linkNonce` with the server's link key (`InvitationLinks`), and only its SHA-256 is kept to
/// find the row again. Resending draws a new nonce, so the old link stops working.
public struct Invitation: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Status: String, Codable, Sendable, DatabaseValueConvertible {
        case pending, accepted, revoked
    }

    public var id: Int64?
    public var orgId: Int64
    public var email: String
    public var role: Role
    public var linkNonce: Data
    public var tokenHash: Data
    public var status: Status
    public var invitedBy: Int64?
    public var acceptedBy: Int64?
    public var createdAt: Date
    public var sentAt: Date
    public var expiresAt: Date
    public var closedAt: Date?
    public var version: Int
    /// The inviter's optional personal message, plain text, put into the email.
    public var message: String = ""

    public static let databaseTableName = "invitation"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// What a person sees of it: pending and still valid, or why not.
    public func state(at now: Date) -> InvitationState {
        switch status {
        case .accepted: .accepted
        case .revoked: .revoked
        case .pending: expiresAt <= now ? .expired : .pending
        }
    }
}

public enum InvitationState: String, Sendable, Equatable {
    case pending, expired, accepted, revoked
}

/// One email waiting to leave, written in the same transaction as the change that causes it.
/// The body is rendered when it is sent, so no link token is ever stored.
public struct OutboxMessage: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Status: String, Codable, Sendable, DatabaseValueConvertible {
        case queued, sent, failed, cancelled
    }

    public var id: Int64?
    public var orgId: Int64?
    public var kind: String
    public var invitationId: Int64?
    public var recipient: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var createdAt: Date
    public var sentAt: Date?

    public static let databaseTableName = "outbox"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A named group of members, used to share workspaces.
public struct Team: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var orgId: Int64
    public var name: String
    public var description: String
    public var version: Int
    public var createdAt: Date

    public static let databaseTableName = "team"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct TeamMember: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public var teamId: Int64
    public var userId: Int64
    public var createdAt: Date

    public static let databaseTableName = "teamMember"
}

/// How far a person or team may go in a shared workspace.
public enum AccessLevel: String, Codable, Sendable, CaseIterable, Comparable, DatabaseValueConvertible {
    case read, write, admin

    public var label: String {
        switch self {
        case .read: "Read"
        case .write: "Write"
        case .admin: "Admin"
        }
    }

    private var rank: Int {
        switch self {
        case .read: 0
        case .write: 1
        case .admin: 2
        }
    }

    public static func < (a: AccessLevel, b: AccessLevel) -> Bool { a.rank < b.rank }
}

/// One grant on a shared workspace: exactly one of `userId` and `teamId` is set.
public struct WorkspaceAccess: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var workspaceId: Int64
    public var userId: Int64?
    public var teamId: Int64?
    public var level: AccessLevel
    public var version: Int
    public var createdAt: Date

    public static let databaseTableName = "workspaceAccess"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension Workspace {
    public init(row: Row) throws {
        self.init(
            id: row["id"], orgId: row["orgId"], key: row["key"], name: row["name"], isShared: row["isShared"],
            createdAt: row["createdAt"], description: row["description"], ownerUserId: row["ownerUserId"],
            version: row["version"], archivedAt: row["archivedAt"],
            language: (row["language"] as String?) ?? WorkLanguages.default)
    }
}

extension WorkspaceAccess {
    public init(row: Row) throws {
        self.init(
            id: row["id"], workspaceId: row["workspaceId"], userId: row["userId"], teamId: row["teamId"],
            level: row["level"], version: row["version"], createdAt: row["createdAt"])
    }
}
