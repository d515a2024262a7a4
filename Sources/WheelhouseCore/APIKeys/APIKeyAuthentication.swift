import Foundation
import GRDB
import Synchronization

/// The last use of each key since the last flush, kept in memory: `authenticateAPIKey` runs on
/// every API request and must not write. `flushAPIKeyUsage` (every minute, and at shutdown)
/// writes them all in one transaction, so "last used" is right to the minute.
final class APIKeyUsageBuffer: Sendable {
    struct Use: Sendable {
        var at: Date
        var address: String
    }

    private let pending = Mutex<[Int64: Use]>([:])

    func record(keyId: Int64, at: Date, address: String) {
        pending.withLock { $0[keyId] = Use(at: at, address: address) }
    }

    func drain() -> [Int64: Use] {
        pending.withLock { uses in
            defer { uses = [:] }
            return uses
        }
    }

    /// Puts back uses a failed flush could not write, unless a newer one arrived meanwhile.
    func restore(_ uses: [Int64: Use]) {
        pending.withLock { current in
            for (id, use) in uses where (current[id]?.at ?? .distantPast) < use.at { current[id] = use }
        }
    }
}

extension AppDatabase {
    /// What the JSON API calls on every request with the `Authorization: Bearer` value (nil when
    /// absent). Shape and checksum are checked before the database is read; then one indexed read
    /// by the secret's hash, on this thread's own reader connection. The previous secret of a
    /// rotated key is accepted until its grace ends. Throws `APIKeyRefusal` (each case is its
    /// own 401 code) or a storage error. Records the use in memory only (see `APIKeyUsageBuffer`).
    public func authenticateAPIKey(_ presented: String?, address: String) throws -> APIKeyGrant {
        guard let presented, !presented.isEmpty else { throw APIKeyRefusal.missing }
        try APIKeyFormat.parse(presented)
        let hash = Data(Crypto.sha256(presented))
        let now = self.now()
        // The key's row is remembered per reader connection until the next commit anywhere (a
        // revocation is a commit), so a busy key costs no query; the decision is made afresh.
        let row = try threadReaders.read(or: reader) { db in
            try apiKeyReads.value(db, key: hash.base64EncodedString()) { db in
                try Row.fetchOne(db.cachedStatement(sql: Self.authenticationSQL), arguments: [hash]).map(APIKeyRow.init)
            }
        }
        guard let row else { throw APIKeyRefusal.unknown }
        // An editor token is its maker's: it stops when they leave the organization.
        guard row.ownerIsMember else { throw APIKeyRefusal.revoked }
        if !row.isCurrent, row.previousUntil.map({ $0 <= now }) ?? true { throw APIKeyRefusal.revoked }
        switch APIKeySummary.status(
            revokedAt: row.revokedAt, createdAt: row.createdAt, expiresAt: row.expiresAt, policy: row.policy, now: now)
        {
        case .revoked: throw APIKeyRefusal.revoked
        case .expired: throw APIKeyRefusal.expired
        case .blockedByPolicy: throw APIKeyRefusal.blockedByPolicy
        case .active, .expiringSoon: break
        }
        let grant = row.grant
        apiKeyUsage.record(keyId: grant.keyId, at: now, address: String(address.prefix(100)))
        return grant
    }

    /// One read by the secret's hash, through the two unique hash indexes (a test checks the plan).
    static let authenticationSQL = """
        SELECT k.id, k.orgId, o.key, k.name, k.scopes, k.createdAt, k.expiresAt, k.revokedAt,
               k.secretHash = ?1, k.previousUntil, p.maxDays,
               k.kind = 'platform' OR EXISTS (SELECT 1 FROM membership m WHERE m.orgId = k.orgId AND m.userId = k.createdBy)
        FROM apiKey k JOIN organization o ON o.id = k.orgId LEFT JOIN apiKeyPolicy p ON p.orgId = k.orgId
        WHERE k.secretHash = ?1 OR k.previousHash = ?1
        """

    /// Writes the uses recorded since the last flush in one transaction (none when there were
    /// none); a use older than the stored one (another process flushed a later one) is skipped.
    /// Returns how many keys' rows changed.
    @discardableResult
    public func flushAPIKeyUsage() throws -> Int {
        let uses = apiKeyUsage.drain()
        guard !uses.isEmpty else { return 0 }
        do {
            return try writer.write { db in
                var changed = 0
                for (id, use) in uses {
                    try db.execute(
                        sql: """
                            UPDATE apiKey SET lastUsedAt = ?, lastUsedAddress = ? WHERE id = ? AND (lastUsedAt IS NULL OR lastUsedAt < ?)
                            """, arguments: [use.at, use.address, id, use.at])
                    changed += db.changesCount
                }
                return changed
            }
        } catch {
            apiKeyUsage.restore(uses)
            throw error
        }
    }
}

extension PeriodicJob {
    /// Last-used times of API keys, written once a minute.
    public static func apiKeyUsage(_ database: AppDatabase) -> PeriodicJob {
        PeriodicJob(name: "api-key-usage", interval: 60) { try database.flushAPIKeyUsage() }
    }

    /// Expiry notices of API keys (30, 7 and 1 days before), looked for every hour.
    public static func apiKeyExpiry(_ database: AppDatabase) -> PeriodicJob {
        PeriodicJob(name: "api-key-expiry", interval: 3_600) { _ = try database.sendAPIKeyExpiryNotices() }
    }
}

/// The authentication query's answer for one secret, as remembered between requests.
struct APIKeyRow: Sendable {
    var grant: APIKeyGrant
    var createdAt: Date
    var expiresAt: Date?
    var revokedAt: Date?
    /// The secret is the key's current one (not the previous one of a rotation).
    var isCurrent: Bool
    var previousUntil: Date?
    var policy: APIKeyLifetimePolicy
    /// False for an editor token whose maker left the organization.
    var ownerIsMember: Bool

    init(_ row: Row) {
        grant = APIKeyGrant(keyId: row[0], orgId: row[1], orgKey: row[2], name: row[3], scopes: APIKeyRules.scopes(row[4]))
        (createdAt, expiresAt, revokedAt, isCurrent, previousUntil) = (row[5], row[6], row[7], row[8], row[9])
        policy = APIKeyLifetimePolicy(rawValue: row[10] as Int? ?? 0) ?? .none
        ownerIsMember = row[11]
    }
}
