import Foundation
import GRDB

/// One privileged change: who did what to which target, when and from where. Written by the
/// domain in the same transaction as the change it records, never by the web layer.
public struct AuditEvent: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public var id: Int64?
    public var orgId: Int64?
    public var actorUserId: Int64?
    /// Typed, so no free string reaches the log; stored as its raw value.
    public var action: AuditAction
    public var target: String
    /// Human-readable before → after, never a secret value.
    public var summary: String
    public var address: String
    public var createdAt: Date
    /// The `User-Agent` the change came with, cut to `AuditEvent.userAgentLimit` characters and
    /// without control characters; empty for the system, the CLI and entries older than it.
    public var userAgent: String = ""

    public static let userAgentLimit = 300

    public static let databaseTableName = "auditEvent"
}

extension AuditEvent {
    init(org: Int64?, actor: Actor?, action: AuditAction, target: String, summary: String, at: Date) {
        self.init(
            id: nil, orgId: org, actorUserId: actor?.user.id, action: action, target: target,
            summary: summary, address: actor?.address ?? "cli", createdAt: at,
            userAgent: Self.cleanUserAgent(actor?.userAgent ?? ""))
    }
}

extension AuditEvent {
    /// A header is whatever the client sent: control characters go, and it is cut to the limit.
    /// Counted in code points, as the column's CHECK counts them.
    static func cleanUserAgent(_ raw: String) -> String {
        var kept = String.UnicodeScalarView()
        var count = 0
        for scalar in raw.unicodeScalars where !scalar.properties.generalCategory.isControl {
            guard count < userAgentLimit else { break }
            kept.append(scalar)
            count += 1
        }
        return String(kept)
    }
}

extension Unicode.GeneralCategory {
    fileprivate var isControl: Bool { self == .control || self == .format || self == .lineSeparator || self == .paragraphSeparator }
}

extension AppDatabase {
    /// An organization's audit log, oldest first.
    public func auditEvents(orgId: Int64) throws -> [AuditEvent] {
        try reader.read { db in
            try AuditEvent.filter(Column("orgId") == orgId).order(Column("id")).fetchAll(db)
        }
    }
}
