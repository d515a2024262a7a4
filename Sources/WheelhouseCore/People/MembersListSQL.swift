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

    /// Previous reads backwards from its row (`membersPage` turns the page around).
    private func order(_ p: String, backwards: Bool = false) -> String {
        ((byRole ? ["\(p)rank"] : []) + ["\(p)name COLLATE NOCASE", "\(p)email", "\(p)kind"])
            .map { backwards ? $0 + " DESC" : $0 }.joined(separator: ", ")
    }

    /// Whether `a` comes before `b` in the order above, compared as SQLite compares them.
    static func precedes(_ a: MemberEntry, _ b: MemberEntry, byRole: Bool) -> Bool {
        if byRole, a.role != b.role { return rank(a.role) < rank(b.role) }
        let name = nocase(a.name, b.name)
        if name != 0 { return name < 0 }
        let email = nocase(a.email, b.email)
        if email != 0 { return email < 0 }
        return a.userId != nil && b.userId == nil
    }

    private static func rank(_ role: Role) -> Int { role == .owner ? 0 : role == .admin ? 1 : 2 }

    /// SQLite's NOCASE: bytes with ASCII letters folded to lower case, then the shorter first.
    static func nocase(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                for i in 0..<min(x.count, y.count) where x[i] != y[i] {
                    let p = x[i] &- 65 < 26 ? x[i] | 0x20 : x[i], q = y[i] &- 65 < 26 ? y[i] | 0x20 : y[i]
                    if p != q { return Int(p) - Int(q) }
                }
                return x.count - y.count
            }
        }
    }

    /// The page (`:limit` rows from `:offset`, or from the row), with its details. Role and status
    /// come as numbers: positions in `Role.allCases` (the rank, too) and in `MemberEntry.Status.allCases`.
    ///
    /// Without an ORDER BY of its own: the page's rows come in the order `page` gives them, every
    /// other table joining them (`membersPage` checks the order, and sorts if it ever is not).
    /// Sorting them again cost SQLite more than the joins.
    var page: String {
        """
        WITH page AS (\(union) ORDER BY \(order("", backwards: start.isBefore)) LIMIT :limit \(start == .offset ? "OFFSET :offset" : ""))
        SELECT p.userId, p.invitationId, p.name, p.email, CASE p.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END,
               CASE WHEN p.userId IS NOT NULL THEN 0 WHEN i.expiresAt <= :now THEN 2 ELSE 1 END AS status,
               unixepoch(coalesce(m.createdAt, i.sentAt)) AS since,
               unixepoch((SELECT max(lastSeenAt) FROM session s WHERE s.userId = p.userId)) AS lastActive,
               unixepoch(i.expiresAt), coalesce(m.version, i.version) AS version,
               o.status AS delivery, o.lastError AS deliveryError, i.linkNonce
        FROM page p
        LEFT JOIN membership m ON p.userId IS NOT NULL AND m.orgId = :org AND m.userId = p.userId
        LEFT JOIN invitation i ON i.id = p.invitationId
        LEFT JOIN outbox o ON o.id = (SELECT max(id) FROM outbox WHERE invitationId = p.invitationId)
        """
    }
}
