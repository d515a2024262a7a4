/// The SQL of one Members page (see `AppDatabase.membersPage`).
///
/// The list is two halves, members and pending invitations, each filtered and ordered on its own
/// and merged by SQLite, so a page reads its own rows instead of sorting everything: the
/// invitations come in order from an index, `invitation_pending` (orgId, email) by name and
/// `invitation_pending_by_role` (orgId, role, email) by role. A page after (or before) a row
/// starts at that row's sort key in both halves, so it is an index range however deep it is.
/// Only what searching, sorting and counting need is read for every row; the details (last
/// active, delivery state) are read for the page's rows alone.
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
        query.search.isEmpty ? ""
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

    var union: String {
        """
        SELECT u.id AS userId, NULL AS invitationId, u.name AS name, u.email AS email, m.role AS role,
               \(Self.memberRank) AS rank, 0 AS kind
        FROM membership m JOIN user u ON u.id = m.userId
        WHERE m.orgId = :org \(matching("u.name", "u.email"))
              \(keyset([Self.memberRank, "u.name COLLATE NOCASE", "u.email", "0"], index: []))
        UNION ALL
        SELECT NULL, i.id, i.email, i.email, i.role, i.role, 1
        FROM invitation i
        WHERE i.orgId = :org AND i.status = 'pending' \(matching("i.email"))
              \(keyset(["i.role", "i.email", "i.email", "1"], index: ["i.role", "i.email"]))
        """
    }

    /// Previous reads backwards from its row; the page is then put in order again.
    private func order(_ p: String, backwards: Bool = false) -> String {
        ((byRole ? ["\(p)rank"] : []) + ["\(p)name COLLATE NOCASE", "\(p)email", "\(p)kind"])
            .map { backwards ? $0 + " DESC" : $0 }.joined(separator: ", ")
    }

    /// The page (`:limit` rows from `:offset`, or from the row), with its details.
    var page: String {
        """
        WITH page AS (\(union) ORDER BY \(order("", backwards: start.isBefore)) LIMIT :limit \(start == .offset ? "OFFSET :offset" : ""))
        SELECT p.userId, p.invitationId, p.name, p.email, p.role,
               CASE WHEN p.userId IS NOT NULL THEN 'active' WHEN i.expiresAt <= :now THEN 'expired'
                    ELSE 'invited' END AS status,
               unixepoch(coalesce(m.createdAt, i.sentAt)) AS since,
               unixepoch((SELECT max(lastSeenAt) FROM session s WHERE s.userId = p.userId)) AS lastActive,
               unixepoch(i.expiresAt), coalesce(m.version, i.version) AS version,
               o.status AS delivery, o.lastError AS deliveryError, i.linkNonce
        FROM page p
        LEFT JOIN membership m ON p.userId IS NOT NULL AND m.orgId = :org AND m.userId = p.userId
        LEFT JOIN invitation i ON i.id = p.invitationId
        LEFT JOIN outbox o ON o.id = (SELECT max(id) FROM outbox WHERE invitationId = p.invitationId)
        ORDER BY \(order("p."))
        """
    }
}
