import Foundation
import GRDB

/// The overview's widgets, in their default order.
public enum DashboardWidget: String, CaseIterable, Sendable {
    case usage, plan, members, providers, audit

    public var title: String {
        switch self {
        case .usage: "This month’s usage"
        case .plan: "Plan"
        case .members: "Members"
        case .providers: "Failed providers"
        case .audit: "Recent audit entries"
        }
    }

    /// Whether this viewer may see it: each widget shows what a tab shows, on that tab's rule.
    public func isAvailable(to access: OrgAccess, saas: Bool) -> Bool {
        switch self {
        case .usage: access.allows(.viewUsage)
        case .plan: saas && access.allows(.viewBilling)
        case .members: access.allows(.viewOrganization)
        case .providers: access.allows(.manageOrgCredentials)
        case .audit: access.allows(.viewAuditLog)
        }
    }
}

/// One person's overview in one organization: the widgets shown, in order, and those hidden.
public struct DashboardLayout: Sendable, Equatable {
    public var shown: [DashboardWidget]
    public var hidden: [DashboardWidget]
}

public enum WidgetMove: String, Sendable {
    case up, down, hide, show
}

extension AppDatabase {
    /// The person's layout, limited to the widgets their role may see. Widgets without a stored
    /// position (none stored yet, or added by a later version) follow in the default order.
    public func dashboardLayout(userId: Int64, access: OrgAccess, saas: Bool) throws -> DashboardLayout {
        let all = try reader.read { db in try Self.storedWidgets(db, userId: userId, orgId: access.org.id!) }
        let available = all.filter { $0.widget.isAvailable(to: access, saas: saas) }
        return DashboardLayout(
            shown: available.filter { !$0.hidden }.map(\.widget), hidden: available.filter(\.hidden).map(\.widget))
    }

    /// Moves a widget up or down among those the person sees, hides it or shows it again. A
    /// widget their role may not see is `notFound`. Personal: no audit entry.
    public func moveWidget(_ widget: DashboardWidget, _ move: WidgetMove, userId: Int64, access: OrgAccess, saas: Bool) throws {
        guard widget.isAvailable(to: access, saas: saas) else { throw DomainError.notFound }
        let orgId = access.org.id!
        try writer.write { db in
            var all = try Self.storedWidgets(db, userId: userId, orgId: orgId)
            let index = all.firstIndex { $0.widget == widget }!
            switch move {
            case .hide: all[index].hidden = true
            case .show: all[index].hidden = false
            case .up, .down:
                // The neighbour is the next widget this viewer sees, skipping hidden and unavailable ones.
                let visible = all.indices.filter { !all[$0].hidden && all[$0].widget.isAvailable(to: access, saas: saas) }
                guard let at = visible.firstIndex(of: index) else { return }
                let other = move == .up ? at - 1 : at + 1
                guard visible.indices.contains(other) else { return }
                all.swapAt(index, visible[other])
            }
            try db.execute(sql: "DELETE FROM dashboardWidget WHERE userId = ? AND orgId = ?", arguments: [userId, orgId])
            for (position, entry) in all.enumerated() {
                try db.execute(
                    sql: "INSERT INTO dashboardWidget (userId, orgId, widget, position, hidden) VALUES (?, ?, ?, ?, ?)",
                    arguments: [userId, orgId, entry.widget.rawValue, position, entry.hidden])
            }
        }
    }

    /// "Reset dashboard widgets": the default order, nothing hidden, in every organization of the person.
    public func resetDashboards(userId: Int64) throws {
        try writer.write { db in try db.execute(sql: "DELETE FROM dashboardWidget WHERE userId = ?", arguments: [userId]) }
    }

    static func storedWidgets(_ db: Database, userId: Int64, orgId: Int64) throws -> [(widget: DashboardWidget, hidden: Bool)] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT widget, hidden FROM dashboardWidget WHERE userId = ? AND orgId = ? ORDER BY position",
            arguments: [userId, orgId])
        var out = rows.compactMap { row in DashboardWidget(rawValue: row[0]).map { (widget: $0, hidden: row[1] as Bool) } }
        for widget in DashboardWidget.allCases where !out.contains(where: { $0.widget == widget }) {
            out.append((widget, false))
        }
        return out
    }
}
