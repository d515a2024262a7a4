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
            if let row = after.flatMap(Row.init) {
                self = .after(row)
            } else if let row = before.flatMap(Row.init) {
                self = .before(row)
            } else {
                self = .offset
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
            let pattern =
                query.search.isEmpty
                ? ""
                : "%"
                    + query.search.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
            var arguments: StatementArguments = [
                "org": orgId, "now": now, "pattern": pattern,
                "limit": MembersQuery.pageSize + 1,
                "offset": (query.page - 1) * MembersQuery.pageSize,
            ]
            // Without a search, every row matches: the counts, which come from indexes alone, say
            // how many (expired invitations are listed too). The statements (a few shapes: search
            // or not, by name or role, which start) are prepared once per connection.
            let (counts, expired) = try Self.memberTally(db, orgId: orgId, now: now)
            let total =
                query.search.isEmpty
                ? counts.total + expired
                : try Int.fetchOne(db.cachedStatement(sql: MembersListSQL(query: query, start: .offset).count), arguments: arguments) ?? 0
            // The row a link names marks a place in the order even if it no longer matches; one
            // that is gone (a member removed) marks none, and the page number serves.
            var start = query.start
            switch start {
            case .after(let row), .before(let row):
                if let key = try Self.membersListKey(db, orgId: orgId, row) { arguments += key } else { start = .offset }
            case .offset: break
            }
            if start == .offset, query.page > 1 {
                // A page number alone: the page starts after the row before it, found by skipping rows.
                guard
                    let key = try Row.fetchOne(
                        db.cachedStatement(sql: MembersListSQL(query: query, start: .offset).keyBefore),
                        arguments: arguments)
                else {
                    return MembersPage(
                        entries: [], counts: counts, matching: total, query: query, page: query.page,
                        hasPrevious: true, hasNext: false)
                }
                arguments += ["r": key[4] as String, "n": key[2] as String, "e": key[3] as String, "k": key[5] as Int]
                start = .after((key[0] as Int64?).map { .member($0) } ?? .invitation(key[1]))
            }
            // One row more than a page tells whether there are more in that direction.
            var entries = try membersListRows(db, MembersListSQL(query: query, start: start), arguments, orgId: orgId)
            var page = query.page, hasPrevious = start != .offset, hasNext = true
            if start.isBefore {
                entries.reverse()
                hasPrevious = entries.count > MembersQuery.pageSize
                if hasPrevious { entries.removeFirst() } else { page = 1 }
                if !hasPrevious, entries.count < MembersQuery.pageSize {
                    // Rows went away before this page: the first page, whole, instead.
                    entries = try membersListRows(db, MembersListSQL(query: query, start: .offset), arguments, orgId: orgId)
                    start = .offset
                }
            }
            if !start.isBefore {
                hasNext = entries.count > MembersQuery.pageSize
                if hasNext { entries.removeLast() }
            }
            return MembersPage(
                entries: entries, counts: counts, matching: total, query: query, page: page,
                hasPrevious: hasPrevious, hasNext: hasNext)
        }
    }

    /// The sort key of the row a pager link names, as `MembersListSQL` compares it.
    static func membersListKey(_ db: Database, orgId: Int64, _ row: MembersQuery.Row) throws -> StatementArguments? {
        let found =
            switch row {
            case .member(let id):
                try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT \(MembersListSQL.memberRank), u.name, u.email, 0
                            FROM membership m JOIN user u ON u.id = m.userId WHERE m.orgId = ? AND m.userId = ?
                            """), arguments: [orgId, id])
            case .invitation(let id):
                try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT role, email, email, 1 FROM invitation WHERE orgId = ? AND id = ?"),
                    arguments: [orgId, id])
            }
        return found.map { ["r": $0[0] as String, "n": $0[1] as String, "e": $0[2] as String, "k": $0[3] as Int] }
    }

    private func membersListRows(
        _ db: Database, _ sql: MembersListSQL, _ arguments: StatementArguments,
        orgId: Int64
    ) throws -> [MemberEntry] {
        let page = try Row.fetchCursor(db.cachedStatement(sql: sql.page), arguments: arguments)
        // Read in place from the statement (no copied rows), by position in the SELECT's order.
        // Times come as seconds since 1970 (stored times are whole seconds): decoding GRDB's
        // date text costs a calendar conversion each, three per row.
        func date(_ seconds: Int64?) -> Date? { seconds.map { Date(timeIntervalSince1970: TimeInterval($0)) } }
        var entries = try Array(
            page.map { row in
                // An invitation's name is its address: read once.
                let email: String = row[3], userId: Int64? = row[0]
                return MemberEntry(
                    userId: userId, invitationId: row[1], name: userId == nil ? email : row[2], email: email,
                    role: Role.allCases[row[6] as Int], status: MemberEntry.Status.allCases[row[7] as Int],
                    since: date(row[8]) ?? Date(timeIntervalSince1970: 0), lastActive: nil, expiresAt: date(row[9]),
                    version: row[10], delivery: row[11], deliveryError: row[12],
                    linkToken: (row[13] as Data?).map { links.token(nonce: $0) })
            })
        let members = entries.indices.filter { entries[$0].userId != nil }
        guard !members.isEmpty else { return entries }
        let ids = "[" + members.map { String(entries[$0].userId!) }.joined(separator: ",") + "]"
        var found: [Int64: (since: Date?, lastActive: Date?)] = [:]
        let rows = try Row.fetchCursor(db.cachedStatement(sql: MembersListSQL.memberDetails), arguments: [orgId, ids])
        while let row = try rows.next() { found[row[0]] = (date(row[1]), date(row[2])) }
        for index in members {
            guard let details = found[entries[index].userId!] else { continue }
            entries[index].since = details.since ?? entries[index].since
            entries[index].lastActive = details.lastActive
        }
        return entries
    }

    /// Pending invitations that have not expired: the tally of pending ones less the expired ones,
    /// which the expiry index finds without reading the others.
    static func memberCounts(_ db: Database, orgId: Int64, now: Date) throws -> MemberCounts {
        try memberTally(db, orgId: orgId, now: now).counts
    }

    /// The counts, and the pending invitations that have expired (the Members list shows them).
    static func memberTally(_ db: Database, orgId: Int64, now: Date) throws -> (counts: MemberCounts, expired: Int) {
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT (SELECT count(*) FROM membership WHERE orgId = ?1),
                           coalesce((SELECT pending FROM invitationTally WHERE orgId = ?1), 0),
                           (SELECT count(*) FROM invitation WHERE orgId = ?1 AND status = 'pending' AND expiresAt <= ?2)
                    """), arguments: [orgId, now])!
        let expired: Int = row[2]
        return (MemberCounts(active: row[0], pending: row[1] - expired), expired)
    }
}
