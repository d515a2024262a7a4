import Foundation
import GRDB

struct ClaimedDomainCheck: Sendable {
    var id: Int64
    var orgId: Int64
    var domain: String
    var token: String
    var claim: String
    var requestedBy: Int64?
}

extension AppDatabase {
    func claimSSODomainCheck() throws -> ClaimedDomainCheck? {
        let waiting = try reader.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM ssoDomain WHERE checkState IS NOT NULL)") ?? false
        }
        guard waiting else { return nil }
        return try writer.write { db in
            let now = self.now()
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT id, orgId, domain, token, checkRequestedBy FROM ssoDomain
                        WHERE checkState = 'queued' OR (checkState = 'running' AND checkClaimedAt < ?) ORDER BY checkRequestedAt LIMIT 1
                        """, arguments: [now.addingTimeInterval(-Self.checkLease)])
            else { return nil }
            let claim = Crypto.randomToken()
            try db.execute(
                sql: "UPDATE ssoDomain SET checkState = 'running', checkClaim = ?, checkClaimedAt = ? WHERE id = ?",
                arguments: [claim, now, row["id"] as Int64])
            return ClaimedDomainCheck(
                id: row["id"], orgId: row["orgId"], domain: row["domain"], token: row["token"], claim: claim,
                requestedBy: row["checkRequestedBy"])
        }
    }

    /// Verified when one TXT record is exactly `wheelhouse-verification=<token>` and no other
    /// organization verified the domain first; failed otherwise, with the answer kept. A verified
    /// domain whose record vanished goes failed and every Owner is emailed.
    func finishSSODomainCheck(_ claimed: ClaimedDomainCheck, _ answer: TXTAnswer) throws {
        try writer.write { db in
            let now = self.now()
            guard
                let previous = try String.fetchOne(
                    db, sql: "SELECT state FROM ssoDomain WHERE id = ? AND checkClaim = ?", arguments: [claimed.id, claimed.claim])
            else { return }
            let expected = "wheelhouse-verification=\(claimed.token)"
            var found = false
            if case .records(let records) = answer { found = records.contains(expected) }
            var summary = "found " + answer.summary
            if found,
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM ssoDomain WHERE domain = ? AND state = 'verified' AND id <> ?)",
                    arguments: [claimed.domain, claimed.id])!
            {
                found = false
                summary = "the record is there, but another organization verified \(claimed.domain) first"
            } else if !found, case .records = answer {
                summary = "expected “\(expected)”, " + summary
            }
            let state = found ? "verified" : "failed"
            try db.execute(
                sql: """
                    UPDATE ssoDomain SET state = ?, lastAnswer = ?, lastCheckedAt = ?, verifiedAt = CASE WHEN ? THEN coalesce(verifiedAt, ?) ELSE NULL END,
                           checkState = NULL, checkClaim = NULL, checkClaimedAt = NULL, checkRequestedBy = NULL WHERE id = ?
                    """, arguments: [state, found ? "found \(expected)" : summary, now, found, now, claimed.id])
            guard claimed.requestedBy != nil || previous != state else { return }
            try AuditEvent(
                id: nil, orgId: claimed.orgId, actorUserId: claimed.requestedBy, action: .ssoDomainVerify,
                target: "ssoDomain:\(claimed.id)",
                summary: "\(claimed.domain): \(state)\(found ? "" : " (\(summary))")", address: "worker", createdAt: now
            ).insert(db)
            if previous == "verified", !found {
                try Self.tellOwners(
                    db, orgId: claimed.orgId, subject: "SSO domain \(claimed.domain) is no longer verified",
                    body: "The daily check of \(claimed.domain) did not find its TXT record “\(expected)” (\(summary)). "
                        + "Sign-in through SSO no longer accepts addresses at \(claimed.domain). Publish the record again and press Verify "
                        + "on the SSO page.", now: now)
            }
        }
    }

    /// An email to every Owner of the organization (security matters that cannot be switched off).
    static func tellOwners(_ db: Database, orgId: Int64, subject: String, body: String, now: Date) throws {
        let owners = try String.fetchAll(
            db, sql: "SELECT u.email FROM membership m JOIN user u ON u.id = m.userId WHERE m.orgId = ? AND m.role = 'owner' ORDER BY u.id",
            arguments: [orgId])
        for owner in owners { try queueNotice(db, orgId: orgId, recipient: owner, subject: subject, body: body, now: now) }
    }
}
