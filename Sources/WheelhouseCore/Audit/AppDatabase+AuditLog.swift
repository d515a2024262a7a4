import Foundation
import GRDB

/// What the Audit log is narrowed to. Every field is optional; an empty filter is the whole log.
public struct AuditFilter: Sendable, Equatable {
    public enum ActorFilter: Sendable, Equatable {
        case user(Int64)
        /// Entries without a person: the CLI, start-up, background workers.
        case system
    }

    public var action: AuditAction?
    public var actor: ActorFilter?
    /// Inclusive.
    public var since: Date?
    /// Exclusive.
    public var until: Date?
    /// Matched anywhere in the target or the summary, as typed (no wildcards).
    public var text: String?

    public init(action: AuditAction? = nil, actor: ActorFilter? = nil, since: Date? = nil, until: Date? = nil, text: String? = nil) {
        self.action = action
        self.actor = actor
        self.since = since
        self.until = until
        self.text = text
    }

    /// The filter as SQL conditions on `auditEvent` (aliased `a`), with their arguments.
    func conditions(orgId: Int64) -> (sql: String, arguments: StatementArguments) {
        var sql = ["a.orgId = ?"]
        var arguments: StatementArguments = [orgId]
        if let action {
            sql.append("a.action = ?")
            arguments += [action.rawValue]
        }
        switch actor {
        case .user(let id):
            sql.append("a.actorUserId = ?")
            arguments += [id]
        case .system: sql.append("a.actorUserId IS NULL")
        case nil: break
        }
        if let since {
            sql.append("a.createdAt >= ?")
            arguments += [since]
        }
        if let until {
            sql.append("a.createdAt < ?")
            arguments += [until]
        }
        if let text, !text.isEmpty {
            sql.append("(a.summary LIKE ? ESCAPE '\\' OR a.target LIKE ? ESCAPE '\\')")
            let pattern = "%" + Self.likeEscaped(text) + "%"
            arguments += [pattern, pattern]
        }
        return (sql.joined(separator: " AND "), arguments)
    }

    /// `%`, `_` and the escape character itself match only themselves.
    static func likeEscaped(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "%" || c == "_" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}

/// An entry whose action this build does not know (written by a newer version): the page says
/// so rather than showing a wrong row.
public enum AuditLogError: Error, Equatable {
    case unknownAction(String)
}

/// One row of the Audit log: the entry and who did it, as they are called now (nil: the system,
/// or a person whose account is gone).
public struct AuditLogEntry: Sendable, Equatable {
    public var event: AuditEvent
    public var actorName: String?
    public var actorEmail: String?
}

/// One page of the Audit log, newest first, with whether newer or older entries exist beyond it.
public struct AuditLogPage: Sendable {
    public var entries: [AuditLogEntry]
    public var hasNewer: Bool
    public var hasOlder: Bool
}

/// Where a page of the log starts: keyset cursors on the entry id, so a page stays the same while
/// new entries arrive (they only ever get higher ids).
public enum AuditCursor: Sendable, Equatable {
    case newest
    /// Entries with a lower id than this one (the Next, older, page).
    case before(Int64)
    /// Entries with a higher id than this one (the Previous, newer, page).
    case after(Int64)
}

extension AppDatabase {
    public static let auditPageSize = 50

    /// `actor(id)`: the distinct people in organization `?1`'s log (with one NULL row at the end),
    /// one index seek each through `auditEvent_org_actor`.
    static let auditActorsCTE = """
        WITH RECURSIVE actor(id) AS (
            SELECT (SELECT min(actorUserId) FROM auditEvent WHERE orgId = ?1 AND actorUserId IS NOT NULL)
            UNION ALL
            SELECT (SELECT min(actorUserId) FROM auditEvent WHERE orgId = ?1 AND actorUserId > actor.id)
            FROM actor WHERE actor.id IS NOT NULL
        )
        """

    /// A page of an organization's audit log matching `filter`, newest first.
    public func auditLogPage(orgId: Int64, filter: AuditFilter, from cursor: AuditCursor, size: Int = auditPageSize) throws -> AuditLogPage
    {
        try reader.read { db in try Self.auditLogPage(db, orgId: orgId, filter: filter, from: cursor, size: size) }
    }

    static func auditLogPage(_ db: Database, orgId: Int64, filter: AuditFilter, from cursor: AuditCursor, size: Int) throws -> AuditLogPage
    {
        let (conditions, arguments) = filter.conditions(orgId: orgId)
        var entries: [AuditLogEntry]
        switch cursor {
        case .newest:
            entries = try Self.auditEntries(db, conditions, arguments, order: "DESC", limit: size)
        case .before(let id):
            entries = try Self.auditEntries(db, conditions + " AND a.id < ?", arguments + [id], order: "DESC", limit: size)
        case .after(let id):
            entries = try Self.auditEntries(db, conditions + " AND a.id > ?", arguments + [id], order: "ASC", limit: size).reversed()
            // Past the newest entry: the newest page instead of an empty one.
            if entries.isEmpty { entries = try Self.auditEntries(db, conditions, arguments, order: "DESC", limit: size) }
        }
        guard let first = entries.first?.event.id, let last = entries.last?.event.id else {
            return AuditLogPage(entries: [], hasNewer: false, hasOlder: false)
        }
        func exists(_ extra: String, _ id: Int64) throws -> Bool {
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM auditEvent a WHERE \(conditions) AND \(extra))"),
                arguments: arguments + [id]) ?? false
        }
        return AuditLogPage(entries: entries, hasNewer: try exists("a.id > ?", first), hasOlder: try exists("a.id < ?", last))
    }

    /// Every entry matching `filter`, newest first, at most `limit` (the export's cap); `truncated`
    /// says whether more matched.
    public func auditLogExport(orgId: Int64, filter: AuditFilter, limit: Int = 100_000) throws -> (
        entries: [AuditLogEntry], truncated: Bool
    ) {
        try reader.read { db in
            let (conditions, arguments) = filter.conditions(orgId: orgId)
            var entries = try Self.auditEntries(db, conditions, arguments, order: "DESC", limit: limit + 1)
            let truncated = entries.count > limit
            if truncated { entries.removeLast() }
            return (entries, truncated)
        }
    }

    /// The people the actor filter offers: the organization's members and anyone who appears in
    /// its log (a former member's entries stay findable), by name.
    ///
    /// The log's distinct actors are found by skipping through `auditEvent_org_actor` from one
    /// actor to the next (one index seek per person), not by reading every entry: `DISTINCT` read
    /// all of a million-entry log's index on every page view (30 ms).
    public func auditActors(orgId: Int64) throws -> [User] {
        try reader.read { db in try Self.auditActors(db, orgId: orgId) }
    }

    static func auditActors(_ db: Database, orgId: Int64) throws -> [User] {
        try User.fetchAll(
            db.cachedStatement(
                sql: """
                    \(Self.auditActorsCTE)
                    SELECT * FROM user WHERE id IN (SELECT userId FROM membership WHERE orgId = ?1)
                        OR id IN (SELECT id FROM actor WHERE id IS NOT NULL)
                    ORDER BY name COLLATE NOCASE, id
                    """), arguments: [orgId])
    }

    /// Rows read by position from a cached statement: Codable decoding by column name cost more
    /// than the query on a page of 50.
    private static func auditEntries(
        _ db: Database, _ conditions: String, _ arguments: StatementArguments, order: String, limit: Int
    ) throws -> [AuditLogEntry] {
        let statement = try db.cachedStatement(
            sql: """
                SELECT a.id, a.orgId, a.actorUserId, a.action, a.target, a.summary, a.address, a.createdAt, u.name, u.email,
                       a.userAgent
                FROM auditEvent a LEFT JOIN user u ON u.id = a.actorUserId
                WHERE \(conditions) ORDER BY a.id \(order) LIMIT ?
                """)
        var entries: [AuditLogEntry] = []
        let rows = try Row.fetchCursor(statement, arguments: arguments + [limit])
        while let row = try rows.next() {
            let raw: String = row[3]
            guard let action = AuditAction(rawValue: raw) else { throw AuditLogError.unknownAction(raw) }
            let event = AuditEvent(
                id: row[0], orgId: row[1], actorUserId: row[2], action: action, target: row[4], summary: row[5], address: row[6],
                createdAt: row[7], userAgent: row[10])
            entries.append(AuditLogEntry(event: event, actorName: row[8], actorEmail: row[9]))
        }
        return entries
    }
}

/// The Audit log's schema change: entries by id, newest first, without a sort, and the same per
/// actor (the actor filter and its list of people).
///
/// The table is rebuilt without the foreign key on `actorUserId`: its `ON DELETE SET NULL`
/// rewrote old entries whenever an account was deleted (discarding an unconfirmed account does),
/// so an entry lost its actor. Now the id stays and the page shows "a deleted account". Ids and
/// rows are copied as they are.
enum AuditLogSchema {
    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE auditEvent_v8 (
                    id INTEGER PRIMARY KEY,
                    orgId INTEGER REFERENCES organization(id) ON DELETE SET NULL,
                    actorUserId INTEGER,
                    action TEXT NOT NULL CHECK (length(action) > 0),
                    target TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    address TEXT NOT NULL,
                    createdAt DATETIME NOT NULL
                );
                INSERT INTO auditEvent_v8 (id, orgId, actorUserId, action, target, summary, address, createdAt)
                    SELECT id, orgId, actorUserId, action, target, summary, address, createdAt FROM auditEvent;
                DROP TABLE auditEvent;
                ALTER TABLE auditEvent_v8 RENAME TO auditEvent;
                CREATE INDEX auditEvent_org ON auditEvent(orgId, createdAt);
                CREATE INDEX auditEvent_org_id ON auditEvent(orgId, id DESC);
                CREATE INDEX auditEvent_org_actor ON auditEvent(orgId, actorUserId, id DESC);
                """)
    }
}
