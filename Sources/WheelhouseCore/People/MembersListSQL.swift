/// The SQL of one Members page (see `AppDatabase.membersPage`).
///
/// The list is two halves, members and pending invitations, each filtered and ordered on its own
/// and merged by SQLite, so a page reads its own rows instead of sorting everything: the
/// invitations come in order from an index, `invitation_pending` (orgId, email) by name and
/// `invitation_pending_by_role` (orgId, role, email) by role. A page after (or before) a row
/// starts at that row's sort key in both halves, so it is an index range however deep it is.
///
/// An invitation's details (delivery state, dates) are read in its half, for the rows the merge
/// takes: a page selected first and joined to its details afterwards had SQLite copy every value
/// of the page from one to the other and find each invitation twice, which cost more than the
/// details. A member's are read afterwards, for the page's members alone (`memberDetails`): the
/// members half is sorted whole, and "last active" is one index seek per member.
///
/// The sort key is total: rank (by role only), name without case, email, then members before
/// invitations (their addresses are unique within each half). The rank is text that sorts owner,
/// admin, member: `''`, then the role itself, so an invitation's rank is its `role` column, which
/// the index orders.
struct MembersListSQL {
    let query: MembersQuery
    let start: MembersQuery.Start

    static let memberRank = "CASE m.role WHEN 'owner' THEN '' ELSE m.role END"

    private var byRole: Bool { query.sort == .role }

    private func matching(_ columns: String...) -> String {
        query.search.isEmpty
            ? ""
            : "AND (" + columns.map { "\($0) LIKE :pattern ESCAPE '\\'" }.joined(separator: " OR ") + ")"
    }

    /// Rows after (or before) the named row's key `:r, :n, :e, :k`, compared with the collations
    /// of the order. For invitations the leading part alone is repeated, as a range the index serves.
    private func keyset(_ key: [String], index: [String]) -> String {
        let op: String
        switch start {
        case .offset: return ""
        case .after: op = ">"
        case .before: op = "<"
        }
        let all = byRole ? key : Array(key.dropFirst())
        let values = [":r", ":n", ":e", ":k"].suffix(all.count)
        let leading = byRole ? index : Array(index.dropFirst())
        var sql = "AND (\(all.joined(separator: ", "))) \(op) (\(values.joined(separator: ", ")))"
        if !leading.isEmpty {
            sql += " AND (\(leading.joined(separator: ", "))) \(op)= (\(values.prefix(leading.count).joined(separator: ", ")))"
        }
        return sql
    }

    /// Both halves. Columns: userId, invitationId, name, email, rank, kind (the sort key), then with `details`
    /// role (a position in `Role.allCases`), status (in `MemberEntry.Status.allCases`), since,
    /// expiresAt, version, delivery, deliveryError, linkNonce.
    private func union(details: Bool) -> String {
        """
        SELECT u.id AS userId, NULL AS invitationId, u.name AS name, u.email AS email, \(Self.memberRank) AS rank, 0 AS kind
               \(details ? ", CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, 0, NULL, NULL, m.version, NULL, NULL, NULL" : "")
        FROM membership m JOIN user u ON u.id = m.userId
        WHERE m.orgId = :org \(matching("u.name", "u.email"))
              \(keyset([Self.memberRank, "u.name COLLATE NOCASE", "u.email", "0"], index: []))
        UNION ALL
        SELECT NULL, i.id, i.email, i.email, i.role, 1
               \(details ? """
                   , CASE i.role WHEN 'admin' THEN 1 ELSE 2 END, CASE WHEN i.expiresAt <= :now THEN 2 ELSE 1 END,
                   unixepoch(i.sentAt), unixepoch(i.expiresAt), i.version, o.status, o.lastError, i.linkNonce
                   """ : "")
        FROM invitation i
        \(details ? "LEFT JOIN outbox o ON o.id = (SELECT max(id) FROM outbox WHERE invitationId = i.id)" : "")
        WHERE i.orgId = :org AND i.status = 'pending' \(matching("i.email"))
              \(keyset(["i.role", "i.email", "i.email", "1"], index: ["i.role", "i.email"]))
        """
    }

    /// Previous reads backwards from its row (`membersPage` turns the page around).
    private var order: String {
        ((byRole ? ["rank"] : []) + ["name COLLATE NOCASE", "email", "kind"])
            .map { start.isBefore ? $0 + " DESC" : $0 }.joined(separator: ", ")
    }

    /// How many rows match the search.
    var count: String { "SELECT count(*) FROM (\(union(details: false)))" }

    /// The sort key of the row before `:offset`: where a page reached by its number alone starts
    /// (the one query that walks over the rows before it).
    var keyBefore: String { "\(union(details: false)) ORDER BY \(order) LIMIT 1 OFFSET :offset - 1" }

    /// `:limit` rows from the start or from the row, with their details.
    var page: String { "\(union(details: true)) ORDER BY \(order) LIMIT :limit" }

    /// The details of the members a page shows (`?2`: their ids as a JSON array), in one statement.
    static let memberDetails = """
        SELECT m.userId, unixepoch(m.createdAt), unixepoch((SELECT max(lastSeenAt) FROM session s WHERE s.userId = m.userId))
        FROM membership m WHERE m.orgId = ?1 AND m.userId IN (SELECT value FROM json_each(?2))
        """
}
