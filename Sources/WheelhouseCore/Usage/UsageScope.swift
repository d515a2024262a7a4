import Foundation
import GRDB

/// A workspace the Usage page can be narrowed to.
public struct UsageWorkspace: Sendable, Hashable {
    public var id: Int64
    public var key: String
    public var name: String
}

extension AppDatabase {
    /// The months an organization has, for the Usage page and its export: from the month it was
    /// created (or the first month of usage imported with earlier dates) to the current month of
    /// its time zone. Read from the organization row and one index seek on the rollups.
    public func usageMonths(of org: Organization) throws -> ClosedRange<UsageMonth> {
        let zone = ZoneDays(TimeZone(identifier: org.timeZone) ?? TimeZone(identifier: "UTC")!)
        let current = UsageMonth(containing: zone.date(at: Int64(now().timeIntervalSince1970)))
        var first = UsageMonth(containing: zone.date(at: Int64(org.createdAt.timeIntervalSince1970)))
        let firstDay = try threadReaders.read(or: reader) { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT min(day) FROM usageDaily WHERE orgId = ?"), arguments: [org.id!])
        }
        if let firstDay { first = min(first, UsageMonth(containing: CivilDate(dayNumber: firstDay))) }
        return min(first, current)...current
    }

    /// The organization's workspaces by name, for the Usage page's workspace filter.
    public func usageWorkspaces(orgId: Int64) throws -> [UsageWorkspace] {
        try threadReaders.read(or: reader) { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT id, key, name FROM workspace WHERE orgId = ? ORDER BY name, key"),
                arguments: [orgId]
            ).map { UsageWorkspace(id: $0[0], key: $0[1], name: $0[2]) }
        }
    }
}
