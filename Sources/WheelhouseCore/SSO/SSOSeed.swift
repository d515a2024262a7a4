import Foundation
import GRDB

extension AppDatabase {
    /// A domain written as pending or verified without a DNS lookup, and no audit entry: for
    /// `wheelhouse demo` and tests only (a real domain is verified by `SSOWorker`'s lookup).
    @discardableResult
    public func seedSSODomain(orgKey: String, domain: String, verified: Bool) throws -> SSODomain {
        try writer.write { db in
            guard let orgId = try Int64.fetchOne(db, sql: "SELECT id FROM organization WHERE key = ?", arguments: [orgKey]) else {
                throw DomainError.notFound
            }
            let now = self.now()
            try db.execute(
                sql: """
                    INSERT INTO ssoDomain (orgId, domain, token, state, lastAnswer, lastCheckedAt, verifiedAt, createdAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    orgId, domain, Crypto.randomBytes(16).hexString, verified ? "verified" : "pending",
                    verified ? "verified when the demo was seeded" : nil, verified ? now : nil, verified ? now : nil, now,
                ])
            return try Self.ssoDomain(db, orgId: orgId, id: db.lastInsertedRowID)
        }
    }
}
