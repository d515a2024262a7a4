import Foundation
import GRDB

extension AppDatabase {
    /// Tells each key's maker, by email (outbox) and in the app, that the key expires in 30, 7 or
    /// 1 days. Each notice goes once: its bit is set in the same transaction as the mail. When
    /// several are due at once (the job did not run for a while) only the most urgent is sent
    /// and the others are marked, so nobody gets "30 days left" and "1 day left" together.
    /// Revoked, expired and policy-blocked keys, and makers no longer in the organization, get
    /// none. Returns the number of notices sent.
    @discardableResult
    public func sendAPIKeyExpiryNotices() throws -> Int {
        let now = self.now()
        return try writer.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT k.id, k.orgId, k.name, k.createdAt, k.expiresAt, k.noticesSent, p.maxDays,
                           o.key, o.displayName, u.id, u.email
                    FROM apiKey k JOIN organization o ON o.id = k.orgId
                    LEFT JOIN apiKeyPolicy p ON p.orgId = k.orgId
                    LEFT JOIN membership m ON m.orgId = k.orgId AND m.userId = k.createdBy
                    LEFT JOIN user u ON u.id = m.userId
                    WHERE k.revokedAt IS NULL AND k.expiresAt IS NOT NULL AND k.expiresAt > ? AND k.expiresAt <= ?
                      AND k.noticesSent <> 7
                    """, arguments: [now, now.addingTimeInterval(APIKeyRules.soon)])
            var sent = 0
            for row in rows {
                let expiresAt: Date = row[4], sentBits: Int = row[5]
                let left = expiresAt.timeIntervalSince(now)
                let due = APIKeyRules.notices.filter { left <= $0.before && sentBits & $0.bit == 0 }
                guard let urgent = due.last else { continue }
                try db.execute(
                    sql: "UPDATE apiKey SET noticesSent = ? WHERE id = ?",
                    arguments: [due.reduce(sentBits) { $0 | $1.bit }, row[0] as Int64])
                let policy = APIKeyLifetimePolicy(rawValue: row[6] as Int? ?? 0) ?? .none
                guard policy.allows(createdAt: row[3], expiresAt: expiresAt), let userId: Int64 = row[9] else { continue }
                let name: String = row[2], orgKey: String = row[7], orgName: String = row[8]
                let title = "API key “\(name)” of \(orgName) expires in \(urgent.words)"
                let body = """
                    The API key “\(name)” you made in \(orgName) expires on \(UTCDay.string(expiresAt)) (UTC), \
                    in \(urgent.words). Requests made with it will then be refused.

                    To keep things running, make a new key (or ask an Owner or Admin to) under \
                    Settings → API keys, put it where the old one is used, then revoke the old one.
                    """
                try Self.notify(
                    db, userId: userId, orgId: row[1], kind: .apiKeyExpiring, title: title,
                    link: "/orgs/\(orgKey)/settings/api-keys", mail: NoticeMail(subject: title, body: body), now: now)
                try Self.emitEvent(
                    db, orgId: row[1], event: .apiKeyExpiring,
                    payload: [
                        "summary": title, "path": "/orgs/\(orgKey)/settings/api-keys", "key_name": name,
                        "expires_at": ISO8601DateFormatter().string(from: expiresAt),
                    ], now: now)
                sent += 1
            }
            return sent
        }
    }
}
