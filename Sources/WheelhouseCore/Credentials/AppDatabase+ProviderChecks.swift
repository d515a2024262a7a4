import Foundation
import GRDB

/// A connection test a worker has claimed: what to call, and what to check when it records the
/// result (the claim token, and the version the settings had).
public struct ClaimedCheck: Sendable {
    public var providerId: String
    public var orgId: Int64
    public var name: String
    public var claim: String
    public var version: Int
    public var requestedBy: Int64?
    public var request: ProbeRequest
}

extension AppDatabase {
    /// A claimed test not finished within this time (its process died) is claimed again.
    public static let checkLease: TimeInterval = 60

    /// Queues a connection test; the request thread never calls out (`ProviderCheckWorker` does).
    /// Returns the provider and whether a test was already queued or running (then nothing changes).
    @discardableResult
    public func requestProviderCheck(orgKey: String, id: String, by actor: Actor) throws -> (ProviderSummary, alreadyPending: Bool) {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageOrgCredentials)
            var provider = try Self.provider(db, orgId: access.org.id!, id: id)
            if provider.checkPending { return (provider, true) }
            let now = self.now()
            try db.execute(
                sql: """
                    UPDATE provider SET checkState = 'queued', checkRequestedAt = ?, checkRequestedBy = ?, checkClaim = NULL,
                           checkClaimedAt = NULL WHERE id = ?
                    """, arguments: [now, actor.user.id, id])
            try AuditEvent(
                org: access.org.id, actor: actor, action: .providerTestRequest, target: "provider:\(id)",
                summary: "\(provider.name): connection test requested", at: now
            ).insert(db)
            provider.checkPending = true
            return (provider, false)
        }
    }

    /// Claims the oldest queued test (or one whose claim expired), decrypting its key. `id`
    /// limits it to one provider. Several processes may share the database: the claim is taken in
    /// the same write transaction that finds the row.
    public func claimProviderCheck(id: String? = nil) throws -> ClaimedCheck? {
        // Idle workers poll often: a read, not a write transaction, finds that nothing waits.
        let waiting = try reader.read { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM provider WHERE checkState IS NOT NULL)")) ?? false
        }
        guard waiting else { return nil }
        return try writer.write { db in
            let now = self.now()
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT id, orgId, kind, name, baseURL, sealed, keyVersion, keyBinding, version, checkRequestedBy FROM provider
                        WHERE (checkState = 'queued' OR (checkState = 'running' AND checkClaimedAt < ?)) AND (? IS NULL OR id = ?)
                        ORDER BY checkRequestedAt LIMIT 1
                        """, arguments: [now.addingTimeInterval(-Self.checkLease), id, id])
            else { return nil }
            let providerId: String = row["id"]
            let key: String
            do {
                key = try vault.open(Array(row["sealed"] as Data), .provider(row), keyVersion: row["keyVersion"])
            } catch {
                let wasFailed = try Self.providerStatusIsFailed(db, providerId)
                try db.execute(
                    sql: """
                        UPDATE provider SET status = 'failed', lastCheckedAt = ?, lastError = ?, checkState = NULL, checkClaim = NULL,
                               checkClaimedAt = NULL, checkRequestedAt = NULL, checkRequestedBy = NULL WHERE id = ?
                        """, arguments: [now, "The stored key cannot be decrypted: enter the key again.", providerId])
                if !wasFailed {
                    try Self.tellProviderFailed(
                        db, orgId: row["orgId"], name: row["name"], reason: "The stored key cannot be decrypted.",
                        requestedBy: row["checkRequestedBy"], now: now)
                }
                return nil
            }
            let claim = Crypto.randomToken()
            try db.execute(
                sql: "UPDATE provider SET checkState = 'running', checkClaim = ?, checkClaimedAt = ? WHERE id = ?",
                arguments: [claim, now, providerId])
            let kind = ProviderKind(rawValue: row["kind"]) ?? .custom
            return ClaimedCheck(
                providerId: providerId, orgId: row["orgId"], name: row["name"], claim: claim,
                version: row["version"], requestedBy: row["checkRequestedBy"],
                request: ProbeRequest(kind: kind, baseURL: row["baseURL"], apiKey: key))
        }
    }

    /// Records Connected or Failed (with the plain-language message) and an audit entry naming the
    /// outcome's category only. A provider edited or removed meanwhile keeps its new state: the
    /// result was about the old settings.
    @discardableResult
    public func finishProviderCheck(_ check: ClaimedCheck, outcome: ProbeOutcome) throws -> Bool {
        try writer.write { db in
            let now = self.now()
            let failed = outcome.category != .connected
            let wasFailed = try Self.providerStatusIsFailed(db, check.providerId)
            try db.execute(
                sql: """
                    UPDATE provider SET status = ?, lastCheckedAt = ?, lastError = ?, checkState = NULL, checkClaim = NULL,
                           checkClaimedAt = NULL, checkRequestedAt = NULL, checkRequestedBy = NULL
                    WHERE id = ? AND checkClaim = ? AND version = ?
                    """,
                arguments: [
                    failed ? "failed" : "connected", now, failed ? (outcome.message ?? "The connection failed.") : nil,
                    check.providerId, check.claim, check.version,
                ])
            guard db.changesCount == 1 else {
                try db.execute(
                    sql: """
                        UPDATE provider SET checkState = NULL, checkClaim = NULL, checkClaimedAt = NULL, checkRequestedAt = NULL,
                               checkRequestedBy = NULL WHERE id = ? AND checkClaim = ?
                        """, arguments: [check.providerId, check.claim])
                return false
            }
            try AuditEvent(
                id: nil, orgId: check.orgId, actorUserId: check.requestedBy, action: .providerTest,
                target: "provider:\(check.providerId)", summary: "\(check.name): \(outcome.label)",
                address: "worker", createdAt: now
            ).insert(db)
            if failed && !wasFailed {
                try Self.tellProviderFailed(
                    db, orgId: check.orgId, name: check.name, reason: outcome.message ?? "The connection failed.",
                    requestedBy: check.requestedBy, now: now)
            }
            return true
        }
    }

    /// Queues, claims, runs and records one test on the calling thread: for `wheelhouse demo` and
    /// domain tests, never for a request.
    @discardableResult
    public func testProvider(orgKey: String, id: String, by actor: Actor, probe: any ProviderProbe) throws -> ProviderSummary {
        try requestProviderCheck(orgKey: orgKey, id: id, by: actor)
        if let claimed = try claimProviderCheck(id: id) {
            try finishProviderCheck(claimed, outcome: probe.check(claimed.request))
        }
        return try provider(access(orgKey: orgKey, userId: actor.user.id!), id: id)
    }

    /// The name of a provider of this organization that was removed (from the audit log), so a
    /// late click on it can say "already removed" instead of "not found". Nil for ids the
    /// organization never had, including other organizations' ids.
    public func removedProviderName(_ access: OrgAccess, id: String) throws -> String? {
        try access.require(.manageOrgCredentials)
        guard id.hasPrefix("prv_"), id.count <= 64 else { return nil }
        return try reader.read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT summary FROM auditEvent WHERE orgId = ? AND action = ? AND target = ?
                    ORDER BY id DESC LIMIT 1
                    """, arguments: [access.org.id, AuditAction.providerDelete, "provider:\(id)"])
        }.map { $0.hasPrefix("removed ") ? String($0.dropFirst("removed ".count)) : $0 }
    }

    static func providerStatusIsFailed(_ db: Database, _ id: String) throws -> Bool {
        try String.fetchOne(db, sql: "SELECT status FROM provider WHERE id = ?", arguments: [id]) == "failed"
    }

    /// A provider just turned Failed (from any other status, so a provider failing test after test
    /// is told once): every Owner and Admin is told, but the person who asked for the test, who
    /// sees the result on the page.
    static func tellProviderFailed(_ db: Database, orgId: Int64, name: String, reason: String, requestedBy: Int64?, now: Date) throws {
        guard let org = try Row.fetchOne(db, sql: "SELECT key, displayName FROM organization WHERE id = ?", arguments: [orgId]) else {
            return
        }
        let orgKey: String = org[0], orgName: String = org[1]
        try notifyAdmins(
            db, orgId: orgId, except: Set([requestedBy].compactMap { $0 }), kind: .providerFailed,
            title: "The provider “\(name)” of \(orgName) failed its connection test: \(reason)",
            link: "/orgs/\(orgKey)/settings/providers", now: now)
    }
}
