import Foundation
import GRDB

/// Where an audit entry's target can be opened, when it still exists in the organization.
public enum AuditTargetLink: Sendable, Equatable {
    case organization
    case team(Int64)
    case workspace(String)
    /// A current member, found on Members by their address.
    case member(userId: Int64, email: String)
    /// A pending invitation, found on Members by its address.
    case invitation(email: String)
    case provider(String)
}

extension AppDatabase {
    /// For the targets of one page of entries ("team:3", "workspace:lab", "user:12", …), those
    /// that still exist in the organization and where they are. One query per kind of target on
    /// the page, each for all its ids at once; secrets (personal) and other kinds are never linked.
    public func auditTargetLinks(orgId: Int64, targets: Set<String>) throws -> [String: AuditTargetLink] {
        try reader.read { db in try Self.auditTargetLinks(db, orgId: orgId, targets: targets) }
    }

    static func auditTargetLinks(_ db: Database, orgId: Int64, targets: Set<String>) throws -> [String: AuditTargetLink] {
        var ids: [String: [String]] = [:]
        for target in targets {
            guard let colon = target.firstIndex(of: ":") else { continue }
            ids[String(target[..<colon]), default: []].append(String(target[target.index(after: colon)...]))
        }
        guard !ids.isEmpty else { return [:] }
        var links: [String: AuditTargetLink] = [:]
        func rows(_ sql: String, _ kind: String) throws -> [Row] {
            guard let values = ids[kind] else { return [] }
            let json = Self.jsonArray(values)
            return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [orgId, json])
        }
        if let keys = ids["org"],
            let key = try String.fetchOne(db.cachedStatement(sql: "SELECT key FROM organization WHERE id = ?"), arguments: [orgId]),
            keys.contains(key) || keys.contains(String(orgId))
        {
            for k in keys where k == key || k == String(orgId) { links["org:\(k)"] = .organization }
        }
        for row in try rows("SELECT id FROM team WHERE orgId = ?1 AND id IN (SELECT CAST(value AS INTEGER) FROM json_each(?2))", "team") {
            let id: Int64 = row[0]
            links["team:\(id)"] = .team(id)
        }
        for row in try rows("SELECT key FROM workspace WHERE orgId = ?1 AND key IN (SELECT value FROM json_each(?2))", "workspace") {
            let key: String = row[0]
            links["workspace:\(key)"] = .workspace(key)
        }
        for row in try rows(
            """
            SELECT u.id, u.email FROM membership m JOIN user u ON u.id = m.userId
            WHERE m.orgId = ?1 AND m.userId IN (SELECT CAST(value AS INTEGER) FROM json_each(?2))
            """, "user")
        {
            let id: Int64 = row[0]
            links["user:\(id)"] = .member(userId: id, email: row[1])
        }
        for row in try rows(
            """
            SELECT id, email FROM invitation
            WHERE orgId = ?1 AND status = 'pending' AND id IN (SELECT CAST(value AS INTEGER) FROM json_each(?2))
            """, "invitation")
        {
            let id: Int64 = row[0]
            links["invitation:\(id)"] = .invitation(email: row[1])
        }
        for row in try rows("SELECT id FROM provider WHERE orgId = ?1 AND id IN (SELECT value FROM json_each(?2))", "provider") {
            let id: String = row[0]
            links["provider:\(id)"] = .provider(id)
        }
        return links
    }

    /// `["a","b"]` for `json_each`: written out, since JSONEncoder cost more than the queries.
    static func jsonArray(_ values: [String]) -> String {
        var out = "["
        for (i, value) in values.enumerated() {
            if i > 0 { out += "," }
            out += "\""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            out += "\""
        }
        return out + "]"
    }
}
