import Foundation
import GRDB

/// Password sign-in (and its reset) refused for an address in a verified domain of an
/// organization that enforces SSO: the page links to SSO for that organization.
public struct SSORequired: Error, Equatable, Sendable {
    public var orgKey: String
    public var orgName: String
}

/// The enforcement form's values as typed.
public struct SSOEnforcementChange: Sendable {
    public var enforce: String
    /// Up to two user ids (as typed: empty, or a number).
    public var breakGlass: [String]
    public var expectedVersion: Int

    public init(enforce: String, breakGlass: [String], expectedVersion: Int) {
        (self.enforce, self.breakGlass, self.expectedVersion) = (enforce, breakGlass, expectedVersion)
    }
}

/// An Owner as the break-glass choice lists them.
public struct SSOOwner: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var email: String
    public var hasTwoFactor: Bool
    public var isBreakGlass: Bool
}

extension AppDatabase {
    public func ssoOwners(_ access: OrgAccess) throws -> [SSOOwner] {
        try access.require(.manageSSO)
        return try reader.read { db in try Self.ssoOwners(db, orgId: access.org.id!) }
    }

    static func ssoOwners(_ db: Database, orgId: Int64) throws -> [SSOOwner] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT u.id, u.name, u.email, EXISTS (SELECT 1 FROM twoFactor t WHERE t.userId = u.id) AS twoFactor,
                       EXISTS (SELECT 1 FROM ssoBreakGlass b WHERE b.orgId = m.orgId AND b.userId = u.id) AS breakGlass
                FROM membership m JOIN user u ON u.id = m.userId WHERE m.orgId = ? AND m.role = 'owner' ORDER BY u.name, u.id
                """, arguments: [orgId]
        ).map {
            SSOOwner(id: $0["id"], name: $0["name"], email: $0["email"], hasTwoFactor: $0["twoFactor"], isBreakGlass: $0["breakGlass"])
        }
    }

    /// Turns enforcement on (only after a successful test sign-in in the last hour, with a
    /// verified domain, and never when it would lock every Owner out) or off (always), and sets
    /// the break-glass Owners.
    public func setSSOEnforcement(orgKey: String, by actor: Actor, _ change: SSOEnforcementChange) throws {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageSSO)
            let orgId = access.org.id!
            guard let config = try Self.ssoConfiguration(db, orgId: orgId) else {
                throw DomainError.invalid(
                    {
                        var e = FieldErrors(); e.addForm("Configure single sign-on first."); return e
                    }())
            }
            var errors = FieldErrors()
            if !["on", "off"].contains(change.enforce) { errors.add("enforce", "Choose On or Off.") }
            let owners = try Self.ssoOwners(db, orgId: orgId)
            var chosen: [Int64] = []
            for (index, typed) in change.breakGlass.enumerated() where !typed.isEmpty {
                let field = "break_glass_\(index + 1)"
                guard let id = Int64(typed), owners.contains(where: { $0.id == id }) else {
                    errors.add(field, "Choose an Owner of this organization.")
                    continue
                }
                if chosen.contains(id) { errors.add(field, "Choose two different Owners.") } else { chosen.append(id) }
            }
            if chosen.count > SSORules.maxBreakGlass { errors.addForm("At most \(SSORules.maxBreakGlass) break-glass Owners.") }
            let enforce = change.enforce == "on"
            let now = self.now()
            if enforce, errors.isEmpty {
                if !config.isUsable { errors.addForm("Single sign-on is not ready: its discovery has not succeeded.") }
                if !config.testIsFresh(now: now) {
                    errors.addForm("Run a successful test sign-in first: enforcement is allowed only within an hour of one.")
                }
                if try !Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM ssoDomain WHERE orgId = ? AND state = 'verified')", arguments: [orgId])!
                {
                    errors.addForm("Verify at least one domain first: enforcement applies to addresses in verified domains.")
                }
                let rescuer = owners.contains { chosen.contains($0.id) && $0.hasTwoFactor }
                let testedOwner = config.testedUserId.map { id in owners.contains { $0.id == id } } ?? false
                if errors.isEmpty, !rescuer, !testedOwner {
                    errors.addForm(
                        "This would lock every Owner out: choose a break-glass Owner who has two-factor sign-in on, "
                            + "or run the test sign-in as an Owner.")
                }
            }
            try errors.throwIfAny()
            guard config.version == change.expectedVersion else { throw DomainError.staleVersion }
            try db.execute(sql: "UPDATE ssoConfig SET enforced = ?, version = version + 1 WHERE orgId = ?", arguments: [enforce, orgId])
            try db.execute(sql: "DELETE FROM ssoBreakGlass WHERE orgId = ?", arguments: [orgId])
            for id in chosen { try db.execute(sql: "INSERT INTO ssoBreakGlass (orgId, userId) VALUES (?, ?)", arguments: [orgId, id]) }
            let names = owners.filter { chosen.contains($0.id) }.map(\.email)
            try AuditEvent(
                org: orgId, actor: actor, action: .ssoEnforce, target: "sso",
                summary:
                    "SSO \(enforce ? "enforced" : "not enforced"); break-glass: \(names.isEmpty ? "none" : names.joined(separator: ", "))",
                at: now
            ).insert(db)
        }
    }

    /// The organization enforcing SSO for this address, if any, and whether the person is one
    /// of its break-glass Owners.
    static func ssoEnforcement(_ db: Database, email: String, userId: Int64?) throws -> (
        orgId: Int64, key: String, name: String, breakGlass: Bool
    )? {
        guard let at = email.lastIndex(of: "@") else { return nil }
        let domain = email[email.index(after: at)...].lowercased()
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT o.id, o.key, o.displayName FROM ssoDomain d JOIN ssoConfig c ON c.orgId = d.orgId JOIN organization o ON o.id = d.orgId
                    WHERE d.domain = ? AND d.state = 'verified' AND c.enforced = 1
                    """, arguments: [domain])
        else { return nil }
        let orgId: Int64 = row[0]
        let breakGlass =
            try userId.map {
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM ssoBreakGlass WHERE orgId = ? AND userId = ?)", arguments: [orgId, $0])!
            } ?? false
        return (orgId, row[1], row[2], breakGlass)
    }

    /// Refuses a password sign-in or reset for an enforced address (not a break-glass Owner's).
    func requirePasswordAllowed(email: String, userId: Int64?) throws {
        let found = try reader.read { db in try Self.ssoEnforcement(db, email: email, userId: userId) }
        if let found, !found.breakGlass { throw SSORequired(orgKey: found.key, orgName: found.name) }
    }

    /// A break-glass Owner's password was right while SSO is enforced: audited, and every Owner emailed.
    static func recordBreakGlass(_ db: Database, user: User, address: String, userAgent: String, now: Date) throws {
        guard let found = try ssoEnforcement(db, email: user.email, userId: user.id), found.breakGlass else { return }
        try AuditEvent(
            id: nil, orgId: found.orgId, actorUserId: user.id, action: .ssoBreakGlass, target: "user:\(user.id!)",
            summary: "\(user.email) signed in with a password while SSO is enforced (break-glass)", address: address, createdAt: now,
            userAgent: AuditEvent.cleanUserAgent(userAgent)
        ).insert(db)
        try tellOwners(
            db, orgId: found.orgId, subject: "Break-glass sign-in to \(found.name)",
            body: "\(user.name) (\(user.email)) signed in with a password from \(address) while single sign-on is enforced for "
                + "\(found.name). If this was not expected, review the SSO page and the audit log.", now: now)
    }
}
