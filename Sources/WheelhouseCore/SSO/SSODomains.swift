import Foundation
import GRDB

/// A domain an organization claims for SSO, proven by a TXT record at the domain itself:
/// `wheelhouse-verification=<token>`.
public struct SSODomain: Sendable, Equatable {
    public enum State: String, Sendable { case pending, verified, failed }
    public var id: Int64
    public var domain: String
    public var token: String
    public var state: State
    public var lastAnswer: String?
    public var lastCheckedAt: Date?
    public var checkPending: Bool

    /// The TXT record's value to publish at `domain`.
    public var record: String { "wheelhouse-verification=\(token)" }

    static let columns = "id, domain, token, state, lastAnswer, lastCheckedAt, checkState"

    init(row: Row) {
        (id, domain, token) = (row["id"], row["domain"], row["token"])
        state = State(rawValue: row["state"]) ?? .pending
        (lastAnswer, lastCheckedAt) = (row["lastAnswer"], row["lastCheckedAt"])
        checkPending = (row["checkState"] as String?) != nil
    }
}

public enum SSODomainRules {
    public static let maxPerOrg = 10

    enum Normalized: Equatable {
        case success(String)
        case failure(String)
    }

    /// The domain in one spelling (lower case, no trailing dot), or why it is not one.
    static func normalized(_ typed: String) -> Normalized {
        var domain = TextRules.trimmed(typed).lowercased()
        if domain.hasSuffix(".") { domain.removeLast() }
        if domain.isEmpty { return .failure("Enter a domain such as example.com.") }
        if domain.unicodeScalars.contains(where: { $0.value > 0x7E }) {
            return .failure("Enter the domain in its ASCII form: an international name is written with xn-- labels (punycode).")
        }
        if domain.utf8.count > 253 { return .failure("A domain has at most 253 characters.") }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return .failure("Enter a full domain with a dot, such as example.com.") }
        for label in labels {
            guard (1...63).contains(label.utf8.count),
                label.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }),
                label.first != "-", label.last != "-"
            else {
                return .failure(
                    "“\(TextRules.displayable(String(typed.prefix(80))))” is not a domain: use letters, digits, dashes and dots.")
            }
        }
        if labels.last!.allSatisfy(\.isNumber) { return .failure("Enter a domain name, not an IP address.") }
        return .success(domain)
    }
}

extension AppDatabase {
    public func ssoDomains(_ access: OrgAccess) throws -> [SSODomain] {
        try access.require(.manageSSO)
        return try reader.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(SSODomain.columns) FROM ssoDomain WHERE orgId = ? ORDER BY domain", arguments: [access.org.id]
            )
            .map(SSODomain.init(row:))
        }
    }

    @discardableResult
    public func addSSODomain(orgKey: String, by actor: Actor, domain typed: String) throws -> SSODomain {
        var errors = FieldErrors()
        let domain: String
        switch SSODomainRules.normalized(typed) {
        case .success(let found): domain = found
        case .failure(let message):
            errors.add("domain", message)
            domain = ""
        }
        return try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageSSO)
            let orgId = access.org.id!
            if errors.isEmpty {
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM ssoDomain WHERE orgId = ?", arguments: [orgId]) ?? 0
                if try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM ssoDomain WHERE orgId = ? AND domain = ?)", arguments: [orgId, domain])!
                {
                    errors.add("domain", "\(domain) is already in the list.")
                } else if try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM ssoDomain WHERE domain = ? AND state = 'verified' AND orgId <> ?)",
                    arguments: [domain, orgId])!
                {
                    errors.add("domain", "\(domain) is verified by another organization.")
                } else if count >= SSODomainRules.maxPerOrg {
                    errors.add("domain", "An organization has at most \(SSODomainRules.maxPerOrg) domains. Remove one first.")
                }
            }
            try errors.throwIfAny()
            let now = self.now()
            try db.execute(
                sql: "INSERT INTO ssoDomain (orgId, domain, token, createdAt) VALUES (?, ?, ?, ?)",
                arguments: [orgId, domain, Crypto.randomBytes(16).hexString, now])
            let id = db.lastInsertedRowID
            try AuditEvent(org: orgId, actor: actor, action: .ssoDomainAdd, target: "ssoDomain:\(id)", summary: "added \(domain)", at: now)
                .insert(db)
            return try Self.ssoDomain(db, orgId: orgId, id: id)
        }
    }

    static func ssoDomain(_ db: Database, orgId: Int64, id: Int64) throws -> SSODomain {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT \(SSODomain.columns) FROM ssoDomain WHERE id = ? AND orgId = ?", arguments: [id, orgId])
        else { throw DomainError.notFound }
        return SSODomain(row: row)
    }

    public func removeSSODomain(orgKey: String, id: Int64, by actor: Actor) throws {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageSSO)
            let domain = try Self.ssoDomain(db, orgId: access.org.id!, id: id)
            try db.execute(sql: "DELETE FROM ssoDomain WHERE id = ?", arguments: [id])
            try AuditEvent(
                org: access.org.id, actor: actor, action: .ssoDomainRemove, target: "ssoDomain:\(id)", summary: "removed \(domain.domain)",
                at: now()
            ).insert(db)
        }
    }

    /// Queues a lookup of the domain's TXT record (run by `SSOWorker`). False when one was queued already.
    @discardableResult
    public func requestSSODomainCheck(orgKey: String, id: Int64, by actor: Actor) throws -> Bool {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageSSO)
            let domain = try Self.ssoDomain(db, orgId: access.org.id!, id: id)
            if domain.checkPending { return false }
            let now = self.now()
            try db.execute(
                sql:
                    "UPDATE ssoDomain SET checkState = 'queued', checkRequestedAt = ?, checkRequestedBy = ?, checkClaim = NULL WHERE id = ?",
                arguments: [now, actor.user.id, id])
            try AuditEvent(
                org: access.org.id, actor: actor, action: .ssoDomainVerifyRequest, target: "ssoDomain:\(id)",
                summary: "check of \(domain.domain) requested", at: now
            ).insert(db)
            return true
        }
    }

    /// The daily re-check: every verified domain not checked for a day is queued again.
    @discardableResult
    public func queueSSODomainRechecks() throws -> Int {
        try writer.write { db in
            let now = self.now()
            try db.execute(
                sql: """
                    UPDATE ssoDomain SET checkState = 'queued', checkRequestedAt = ?, checkRequestedBy = NULL, checkClaim = NULL
                    WHERE state = 'verified' AND checkState IS NULL AND (lastCheckedAt IS NULL OR lastCheckedAt < ?)
                    """, arguments: [now, now.addingTimeInterval(-23 * 3600)])
            return db.changesCount
        }
    }
}
