import Foundation
import GRDB
import Synchronization

/// Everything the Audit log page reads, in one trip to the database: the page of entries (masked
/// for the viewer), which of their targets still exist, the retention setting and the plan.
public struct AuditPageData: Sendable {
    public var page: AuditLogPage
    public var links: [String: AuditTargetLink]
    public var retention: AuditRetentionSetting
    public var plan: Plan
    /// Which read this is, unique in the process: equal numbers are the same rows, read once and
    /// remembered, so what a page derives from them may be remembered under it too.
    public var generation: UInt64

    static let reads = Atomic<UInt64>(0)
}

extension AppDatabase {
    /// The people of the actor filter as `role` may see them (masked for an Admin when PII masking
    /// is on), remembered per reader connection until something is committed.
    public func auditActors(orgId: Int64, viewer role: Role) throws -> [User] {
        try threadReaders.read(or: reader) { db in
            try auditActorReads.value(db, key: "\(orgId)/\(role.rawValue)") { db in
                let actors = try Self.auditActors(db, orgId: orgId)
                guard let mask = try Self.piiMask(db, orgId: orgId, viewer: role) else { return actors }
                return actors.map(mask.user)
            }
        }
    }

    /// The page's data for a viewer of `role`, remembered per reader connection until something
    /// is committed (as the org view and the Usage report are): a log page changes only with a
    /// write, and paging back and forth through a large log reads it once.
    public func auditPageData(orgId: Int64, filter: AuditFilter, from cursor: AuditCursor, viewer role: Role) throws -> AuditPageData {
        try threadReaders.read(or: reader) { db in
            try auditPageReads.value(db, key: "\(orgId)/\(role.rawValue)/\(cursor.key)/\(filter.key)") { db in
                var page = try Self.auditLogPage(db, orgId: orgId, filter: filter, from: cursor, size: Self.auditPageSize)
                let mask = try Self.piiMask(db, orgId: orgId, viewer: role)
                if let mask { page.entries = page.entries.map(mask.entry) }
                var links = try Self.auditTargetLinks(db, orgId: orgId, targets: Set(page.entries.map(\.event.target)))
                if let mask {
                    // A link to a hidden person would carry their address in its query.
                    links = links.filter { _, link in
                        if case .member(let id, _) = link { return mask.visibleUsers.contains(id) }
                        return true
                    }
                }
                return AuditPageData(
                    page: page, links: links, retention: try AuditRetentionSchema.setting(db, orgId: orgId),
                    plan: try Self.plan(db, orgId: orgId),
                    generation: AuditPageData.reads.add(1, ordering: .relaxed).newValue)
            }
        }
    }
}

extension AuditFilter {
    /// The filter as a cache key, written out (a `String(describing:)` of the struct cost more
    /// than the rest of a remembered page).
    var key: String {
        var out = action?.rawValue ?? ""
        switch actor {
        case .user(let id): out += "|u\(id)"
        case .system: out += "|s"
        case nil: out += "|"
        }
        out += "|\(since.map { Int64($0.timeIntervalSince1970) } ?? -1)|\(until.map { Int64($0.timeIntervalSince1970) } ?? -1)|"
        return out + (text ?? "")
    }
}

extension AuditCursor {
    var key: String {
        switch self {
        case .newest: "n"
        case .before(let id): "b\(id)"
        case .after(let id): "a\(id)"
        }
    }
}
