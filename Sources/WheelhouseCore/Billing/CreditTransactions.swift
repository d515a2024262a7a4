import Foundation
import GRDB

/// One row of the ledger as the Transactions tab and its CSV show it.
public struct CreditTransaction: Sendable, Equatable {
    public var id: Int64
    public var kind: CreditEntryKind
    public var amountMicros: Int64
    public var balanceAfterMicros: Int64
    /// The organization's day of a usage entry (`YYYY-MM-DD`); nil for the others.
    public var day: String?
    public var reference: String
    /// When it was written (a usage entry: when that day's last debit was).
    public var createdAt: Date
}

/// The Transactions tab's filter: a kind, a calendar month of the organization's time zone.
public struct CreditTransactionFilter: Sendable, Equatable {
    public var kind: CreditEntryKind?
    public var month: UsageMonth?

    public init(kind: CreditEntryKind? = nil, month: UsageMonth? = nil) {
        (self.kind, self.month) = (kind, month)
    }
}

/// An open lot, for the Credits tab.
public struct CreditLot: Sendable, Equatable {
    public var id: Int64
    public var kind: CreditEntryKind
    public var amountMicros: Int64
    public var remainingMicros: Int64
    public var expiresAt: Date?
    public var createdAt: Date
}

/// The Credits tab: the state, what was spent this month, the open lots.
public struct CreditsPageData: Sendable, Equatable {
    public var status: CreditStatus
    /// Usage debited in the organization's current month.
    public var usedThisMonthMicros: Int64
    public var month: UsageMonth
    /// Soonest-expiring first, then the ones that never expire, oldest first: the order usage draws them.
    public var lots: [CreditLot]
}

extension AppDatabase {
    public func creditsPage(org: Organization) throws -> CreditsPageData {
        let month = currentUsageMonth(of: org)
        return try reader.read { db in
            let orgId = org.id!
            let used =
                try Int64.fetchOne(
                    db, sql: "SELECT coalesce(-sum(amountMicros), 0) FROM creditLedger WHERE orgId = ? AND kind = 'usage' AND day LIKE ?",
                    arguments: [orgId, "\(month)-%"]) ?? 0
            let lots = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, kind, amountMicros, remainingMicros, expiresAt, createdAt FROM creditLot
                    WHERE orgId = ? AND remainingMicros > 0 ORDER BY expiresAt IS NULL, expiresAt, id
                    """, arguments: [orgId]
            ).map { row in
                CreditLot(
                    id: row[0], kind: CreditEntryKind(rawValue: row[1]) ?? .purchase, amountMicros: row[2], remainingMicros: row[3],
                    expiresAt: row[4], createdAt: row[5])
            }
            return CreditsPageData(status: try Self.creditStatus(db, orgId: orgId), usedThisMonthMicros: used, month: month, lots: lots)
        }
    }

    /// The ledger newest first (by when each entry was last written, so each running balance
    /// reads in order), `limit` entries from `offset`; and whether more follow.
    public func creditTransactions(
        org: Organization, filter: CreditTransactionFilter, offset: Int = 0, limit: Int = 50
    ) throws -> (entries: [CreditTransaction], more: Bool) {
        var sql = "SELECT id, kind, amountMicros, balanceAfterMicros, day, reference, createdAt FROM creditLedger WHERE orgId = ?"
        var arguments: StatementArguments = [org.id!]
        if let kind = filter.kind {
            sql += " AND kind = ?"
            _ = arguments.append(contentsOf: [kind.rawValue])
        }
        if let month = filter.month {
            // A usage entry belongs to its day's month; the others to when they happened, in the org's zone.
            let zone = TimeZone(identifier: org.timeZone) ?? TimeZone(identifier: "UTC")!
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let start = calendar.date(from: DateComponents(year: month.year, month: month.month, day: 1))!
            let end = calendar.date(byAdding: .month, value: 1, to: start)!
            sql += " AND ((day IS NOT NULL AND day LIKE ?) OR (day IS NULL AND createdAt >= ? AND createdAt < ?))"
            _ = arguments.append(contentsOf: ["\(month)-%", start, end])
        }
        sql += " ORDER BY createdAt DESC, id DESC LIMIT ? OFFSET ?"
        _ = arguments.append(contentsOf: [limit + 1, max(0, offset)])
        let rows = try reader.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments) }
        let entries = rows.prefix(limit).map { row in
            CreditTransaction(
                id: row[0], kind: CreditEntryKind(rawValue: row[1]) ?? .usage, amountMicros: row[2], balanceAfterMicros: row[3],
                day: row[4], reference: row[5], createdAt: row[6])
        }
        return (Array(entries), rows.count > limit)
    }
}
