import Foundation
import GRDB

/// One line of the Members list: an active member or an open invitation.
public struct MemberEntry: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case active, invited, expired

        public var title: String {
            switch self {
            case .active: "Active"
            case .invited: "Invited"
            case .expired: "Expired"
            }
        }
    }

    public var userId: Int64?
    public var invitationId: Int64?
    public var name: String
    public var email: String
    public var role: Role
    public var status: Status
    /// Joined for members, invited (last sent) for invitations.
    public var since: Date
    public var lastActive: Date?
    public var expiresAt: Date?
    public var version: Int
    /// For invitations: the state of its email (`queued`, `sent`, `failed`) and the last error.
    public var delivery: String?
    public var deliveryError: String?
    /// For invitations: the token of its current link, for admins to copy.
    public var linkToken: String?

    /// The row, as pager links name it.
    public var row: MembersQuery.Row { userId.map { .member($0) } ?? .invitation(invitationId ?? 0) }
}

public struct MembersQuery: Sendable, Equatable {
    public enum Sort: String, Sendable, CaseIterable { case name, role }

    /// A row of the list, as pager links name it: `u12` (a member), `i34` (an invitation).
    public enum Row: Sendable, Hashable {
        case member(Int64), invitation(Int64)

        public init?(_ text: String) {
            guard let id = Int64(text.dropFirst()), id > 0 else { return nil }
            switch text.first {
            case "u": self = .member(id)
            case "i": self = .invitation(id)
            default: return nil
            }
        }

        public var text: String {
            switch self {
            case .member(let id): "u\(id)"
            case .invitation(let id): "i\(id)"
            }
        }
    }

    /// Where the page starts. Next and Previous name the row next to the page they come from, so
    /// the page is an index range however deep it is; a page number alone skips rows (OFFSET).
    public enum Start: Sendable, Equatable {
        case offset
        case after(Row)
        case before(Row)

        var isBefore: Bool { if case .before = self { true } else { false } }

        /// From a link's `after=` or `before=`; unreadable ones are ignored.
        public init(after: String?, before: String?) {
            if let row = after.flatMap(Row.init) { self = .after(row) } else if let row = before.flatMap(Row.init) {
                self = .before(row)
            } else { self = .offset }
        }

        /// The link's parameter: `after=u12`, `before=i34`.
        public var parameter: String? {
            switch self {
            case .offset: nil
            case .after(let row): "after=" + row.text
            case .before(let row): "before=" + row.text
            }
        }
    }

    public var search: String
    public var sort: Sort
    /// Shown as "Page x of y"; with `.offset`, also where the page starts.
    public var page: Int
    public var start: Start

    public static let pageSize = 50

    public init(search: String = "", sort: Sort = .name, page: Int = 1, start: Start = .offset) {
        self.search = search
        self.sort = sort
        self.page = min(max(1, page), 1_000_000)
        self.start = start
    }
}

public struct MemberCounts: Sendable, Equatable {
    public var active: Int
    public var pending: Int
    public var total: Int { active + pending }
}

public struct MembersPage: Sendable {
    public var entries: [MemberEntry]
    public var counts: MemberCounts
    /// Entries matching the search, over all pages.
    public var matching: Int
    public var query: MembersQuery
    /// The query's page number, or 1 when Previous reached the start of the list.
    public var page: Int
    /// Whether rows come before the first row shown, and after the last.
    public var hasPrevious: Bool
    public var hasNext: Bool
    public var pageCount: Int { max(1, (matching + MembersQuery.pageSize - 1) / MembersQuery.pageSize) }
}

extension AppDatabase {
    /// The Members list: members and open invitations together, searched, sorted and paged in SQL.
    public func membersPage(orgId: Int64, _ query: MembersQuery) throws -> MembersPage {
        let now = self.now()
        return try reader.read { db in
            let pattern = "%" + query.search.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
            var arguments: StatementArguments = ["org": orgId, "now": now, "pattern": pattern,
                                                 "limit": MembersQuery.pageSize + 1,
                                                 "offset": (query.page - 1) * MembersQuery.pageSize]
            // Without a search, the two counts come from indexes alone.
            let total = try Int.fetchOne(db.cachedStatement(sql: query.search.isEmpty ? """
                SELECT (SELECT count(*) FROM membership WHERE orgId = :org)
                     + coalesce((SELECT pending FROM invitationTally WHERE orgId = :org), 0)
                """ : "SELECT count(*) FROM (\(MembersListSQL(query: query, start: .offset).union))"),
                arguments: arguments) ?? 0
            // The row a link names marks a place in the order even if it no longer matches; one
            // that is gone (a member removed) marks none, and the page number's offset serves.
            var start = query.start
            switch start {
            case .after(let row), .before(let row):
                if let key = try Self.membersListKey(db, orgId: orgId, row) { arguments += key } else { start = .offset }
            case .offset: break
            }
            // One row more than a page tells whether there are more in that direction.
            var entries = try membersListRows(db, MembersListSQL(query: query, start: start), arguments, now: now)
            var page = query.page, hasPrevious = true, hasNext = true
            var backwards = start.isBefore
            if backwards {
                hasPrevious = entries.count > MembersQuery.pageSize
                if hasPrevious { entries.removeFirst() } else { page = 1 }
                if !hasPrevious, entries.count < MembersQuery.pageSize {
                    // Rows went away before this page: the first page, whole, instead.
                    entries = try membersListRows(db, MembersListSQL(query: query, start: .offset),
                                                  arguments &+ ["offset": 0], now: now)
                    start = .offset
                    backwards = false
                }
            }
            if !backwards {
                hasNext = entries.count > MembersQuery.pageSize
                if hasNext { entries.removeLast() }
                if start == .offset { hasPrevious = page > 1 }
            }
            return MembersPage(entries: entries, counts: try Self.memberCounts(db, orgId: orgId, now: now),
                               matching: total, query: query, page: page, hasPrevious: hasPrevious, hasNext: hasNext)
        }
    }

    /// The sort key of the row a pager link names, as `MembersListSQL` compares it.
    static func membersListKey(_ db: Database, orgId: Int64, _ row: MembersQuery.Row) throws -> StatementArguments? {
        let found = switch row {
        case .member(let id):
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(MembersListSQL.memberRank), u.name, u.email, 0
                FROM membership m JOIN user u ON u.id = m.userId WHERE m.orgId = ? AND m.userId = ?
                """), arguments: [orgId, id])
        case .invitation(let id):
            try Row.fetchOne(db.cachedStatement(sql: "SELECT role, email, email, 1 FROM invitation WHERE orgId = ? AND id = ?"),
                             arguments: [orgId, id])
        }
        return found.map { ["r": $0[0] as String, "n": $0[1] as String, "e": $0[2] as String, "k": $0[3] as Int] }
    }

    private func membersListRows(_ db: Database, _ sql: MembersListSQL, _ arguments: StatementArguments,
                                 now: Date) throws -> [MemberEntry] {
        // Four shapes per start (search or not, by name or role): prepared once per connection and kept.
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql.page), arguments: arguments)
        // Read in place from the statement (no copied rows), by position in the SELECT's order.
        // Times come as seconds since 1970 (stored times are whole seconds): decoding GRDB's
        // date text costs a calendar conversion each, three per row.
        func date(_ seconds: Int64?) -> Date? { seconds.map { Date(timeIntervalSince1970: TimeInterval($0)) } }
        var entries = try Array(rows.map { row in
            MemberEntry(userId: row[0], invitationId: row[1], name: row[2], email: row[3],
                        role: Role.allCases[row[4] as Int], status: MemberEntry.Status.allCases[row[5] as Int],
                        since: date(row[6]) ?? Date(timeIntervalSince1970: 0), lastActive: date(row[7]), expiresAt: date(row[8]),
                        version: row[9], delivery: row[10], deliveryError: row[11],
                        linkToken: (row[12] as Data?).map { links.token(nonce: $0) })
        })
        let byRole = sql.query.sort == .role
        if sql.start.isBefore { entries.reverse() }
        if zip(entries, entries.dropFirst()).contains(where: { MembersListSQL.precedes($1, $0, byRole: byRole) }) {
            entries.sort { MembersListSQL.precedes($0, $1, byRole: byRole) }
        }
        return entries
    }

    /// Pending invitations that have not expired: the tally of pending ones less the expired ones,
    /// which the expiry index finds without reading the others.
    static func memberCounts(_ db: Database, orgId: Int64, now: Date) throws -> MemberCounts {
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT (SELECT count(*) FROM membership WHERE orgId = ?1),
                   coalesce((SELECT pending FROM invitationTally WHERE orgId = ?1), 0)
                   - (SELECT count(*) FROM invitation WHERE orgId = ?1 AND status = 'pending' AND expiresAt <= ?2)
            """), arguments: [orgId, now])!
        return MemberCounts(active: row[0], pending: row[1])
    }
}
