import Foundation
import GRDB
import GRDBSQLite

/// An organization as seen by one of its members.
public struct OrgAccess: Sendable, Equatable {
    public var org: Organization
    public var role: Role

    public func allows(_ action: Action) -> Bool { Policy.allows(role, action) }

    /// Throws `.forbidden` unless the role allows `action`.
    public func require(_ action: Action) throws {
        guard allows(action) else { throw DomainError.forbidden(action) }
    }
}

public struct OrgSummary: Sendable, Equatable, FetchableRecord, Decodable {
    public var key: String
    public var displayName: String
    public var role: Role
}

public struct OrgStats: Sendable, Equatable {
    public var members: Int
    public var workspaces: Int
    /// Invitations still pending and not expired.
    public var pendingInvitations: Int = 0
    /// Of `workspaces`, those the viewer can see (their own default one and the shared ones open
    /// to them); nil when read without a viewer.
    public var visibleWorkspaces: Int? = nil

    /// One active member and nobody invited: the "Invite team" banner shows (PRODUCT.md §5).
    public var isSolo: Bool { members == 1 && pendingInvitations == 0 }
}

/// What an organization's settings page needs about the person looking at it, read in one
/// transaction: their access, the organizations they can switch to, and the stats bar.
public struct OrgView: Sendable {
    public var access: OrgAccess
    public var organizations: [OrgSummary]
    public var stats: OrgStats
    /// Providers whose last connection test failed, for viewers who manage them (else empty):
    /// read here so the banner costs nothing on pages served from `pageReads`.
    public var failedProviders: [FailedProvider] = []
    /// The viewer's unread notifications (at most `unreadCountCap`), for the header's badge:
    /// read here so the badge costs nothing on pages served from `pageReads`.
    public var unreadNotifications = 0
    /// The AI-credit state for the banners, for viewers of billing with billing on (else nil):
    /// read here so the banners cost nothing on pages served from `pageReads`.
    public var credits: CreditStatus?
    /// The plan's meters and the subscription, for the plan-limit and payment-failed banners and
    /// the Billing page, on the same terms as `credits`.
    public var plan: PlanStatus?
    public var subscription: SubscriptionState?
}

extension AppDatabase {
    /// The organization `key` as seen by `userId`, or `.notFound` when it does not exist or the
    /// person is not a member: an outsider learns nothing about it.
    public func access(orgKey: String, userId: Int64) throws -> OrgAccess {
        try reader.read { db in try Self.access(db, orgKey: orgKey, userId: userId) }
    }

    /// `duringDeletion`: the few writes allowed while the organization is pending deletion
    /// (cancelling it, requesting a data export).
    static func access(_ db: Database, orgKey: String, userId: Int64, duringDeletion: Bool = false) throws -> OrgAccess {
        let statement = try db.cachedStatement(
            sql: """
                SELECT \(accessColumns)
                FROM organization o JOIN membership m ON m.orgId = o.id AND m.userId = ? WHERE o.key = ?
                """)
        guard let row = try Row.fetchOne(statement, arguments: [userId, orgKey]) else { throw DomainError.notFound }
        let found = access(row)
        // The one gate for "new writes refused" while an organization waits to be deleted: every
        // change of an organization reads its access here inside a write transaction. Reads
        // (read-only connections) go on, so the data can still be seen and exported.
        if let purgeAt = found.org.purgeAt, !duringDeletion, try !isReadOnly(db) {
            throw DomainError.pendingDeletion(purgeAt: purgeAt)
        }
        return found
    }

    /// A pool's reader connections are opened read-only; a queue's reads run under
    /// `PRAGMA query_only`.
    static func isReadOnly(_ db: Database) throws -> Bool {
        if sqlite3_db_readonly(db.sqliteConnection, "main") == 1 { return true }
        return try Bool.fetchOne(db, sql: "PRAGMA query_only") ?? false
    }

    /// An organization's row and the person's role, read by position (`access(_:)`): name
    /// lookups cost more than these queries, which run on every org page.
    static let accessColumns = """
        o.id, o.key, o.displayName, o.description, o.logoFile, o.memberLimit, o.version, o.createdAt, o.updatedAt, m.role, o.timeZone, o.purgeAt
        """

    static func access(_ row: Row) -> OrgAccess {
        let org = Organization(
            id: row[0], key: row[1], displayName: row[2], description: row[3], logoFile: row[4],
            memberLimit: row[5], version: row[6], createdAt: row[7], updatedAt: row[8],
            timeZone: row[10], purgeAt: row[11])
        return OrgAccess(org: org, role: row[9])
    }

    /// The session behind `token` and, when its person belongs to `orgKey`, that org's view:
    /// everything an org settings page reads, in one trip to the database. Nil when the session
    /// is unknown or over; a nil view when the org is unknown or not theirs.
    ///
    /// No read transaction: each statement reads a consistent snapshot and all of it is display
    /// only; writes re-check everything in their own transaction.
    public func signedInOrgView(token: String, orgKey: String) throws -> (SignedIn, OrgView?)? {
        guard let hash = Self.tokenHash(token) else { return nil }
        let key = hash.base64EncodedString() + "/" + orgKey
        guard
            let (found, view) = try threadReaders.read(
                or: reader,
                { db in
                    try pageReads.value(db, key: key) { db -> (SignedIn, OrgView?)? in
                        guard let signedIn = try Self.session(db, hash: hash) else { return nil }
                        var view = try Self.orgView(db, orgKey: orgKey, userId: signedIn.user.id!, now: now())
                        if billingEnabled, let orgView = view, orgView.access.allows(.viewBilling) {
                            let org = orgView.access.org
                            view?.credits = try Self.creditStatus(db, orgId: org.id!)
                            view?.plan = try Self.planStatus(db, orgId: org.id!, month: currentUsageMonth(of: org), now: now())
                            view?.subscription = try Self.subscriptionState(db, orgId: org.id!)
                        }
                        return (signedIn, view)
                    }
                })
        else { return nil }
        guard let live = try keepAlive(found) else { return nil }
        return (live, view)
    }

    /// One statement lists every organization of the person with its full row; the current one
    /// is among them.
    static func orgView(_ db: Database, orgKey: String, userId: Int64, now: Date) throws -> OrgView? {
        let statement = try db.cachedStatement(
            sql: """
                SELECT \(accessColumns)
                FROM membership m JOIN organization o ON o.id = m.orgId
                WHERE m.userId = ? ORDER BY o.displayName COLLATE NOCASE, o.key
                """)
        var current: OrgAccess?
        var organizations: [OrgSummary] = []
        for row in try Row.fetchAll(statement, arguments: [userId]) {
            let access = access(row)
            organizations.append(OrgSummary(key: access.org.key, displayName: access.org.displayName, role: access.role))
            if access.org.key == orgKey { current = access }
        }
        guard let current else { return nil }
        var stats = try stats(db, orgId: current.org.id!, now: now)
        stats.visibleWorkspaces = try visibleWorkspaceCount(db, access: current, userId: userId)
        return OrgView(
            access: current, organizations: organizations, stats: stats,
            failedProviders: current.allows(.manageOrgCredentials) ? try failedProviders(db, orgId: current.org.id!) : [],
            unreadNotifications: try unreadNotificationCount(db, userId: userId))
    }

    /// The organizations a person belongs to, by name: the org switcher.
    public func organizations(of userId: Int64) throws -> [OrgSummary] {
        try reader.read { db in try Self.organizations(db, of: userId) }
    }

    static func organizations(_ db: Database, of userId: Int64) throws -> [OrgSummary] {
        let statement = try db.cachedStatement(
            sql: """
                SELECT o.key, o.displayName, m.role FROM membership m JOIN organization o ON o.id = m.orgId
                WHERE m.userId = ? ORDER BY o.displayName COLLATE NOCASE, o.key
                """)
        return try Row.fetchAll(statement, arguments: [userId]).map { row in
            OrgSummary(key: row[0], displayName: row[1], role: row[2])
        }
    }

    public func stats(orgId: Int64) throws -> OrgStats {
        try reader.read { db in try Self.stats(db, orgId: orgId, now: now()) }
    }

    static func stats(_ db: Database, orgId: Int64, now: Date) throws -> OrgStats {
        let statement = try db.cachedStatement(
            sql: """
                SELECT (SELECT count(*) FROM membership WHERE orgId = ?1), (SELECT count(*) FROM workspace WHERE orgId = ?1),
                       (SELECT count(*) FROM invitation WHERE orgId = ?1 AND status = 'pending' AND expiresAt > ?2)
                """)
        let row = try Row.fetchOne(statement, arguments: [orgId, now])!
        return OrgStats(members: row[0], workspaces: row[1], pendingInvitations: row[2])
    }

    /// Saves the General tab: checks the role, the rules and the version, then updates the row
    /// and writes the audit entry in one transaction. A logo file is stored before the row
    /// points at it.
    @discardableResult
    public func updateGeneral(
        orgKey: String, by actor: Actor, _ change: GeneralSettingsChange,
        logos: LogoStore
    ) throws -> Organization {
        var errors = FieldErrors()
        change.validate(into: &errors)
        var storedLogo: String?
        if errors.isEmpty, case .replace(let image) = change.logo {
            storedLogo = try logos.store(image)
        }
        return try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.editGeneral)
            var org = access.org
            if let limit = change.memberLimit, errors.byField["member_limit"] == nil {
                // Pending invitations hold seats: the limit never drops below what is promised.
                let seats = try Self.memberCounts(db, orgId: org.id!, now: self.now())
                if limit < seats.total {
                    errors.add(
                        "member_limit",
                        "Member limit cannot be below the \(Plural.count(seats.total, "seat")) in use: "
                            + "\(Plural.count(seats.active, "active member")) and \(Plural.count(seats.pending, "pending invitation")). "
                            + "Revoke invitations or remove members first.")
                }
            }
            try errors.throwIfAny()
            guard org.version == change.expectedVersion else { throw DomainError.staleVersion }

            let before = org
            org.displayName = change.displayName
            org.description = change.description
            org.memberLimit = change.memberLimit!
            switch change.logo {
            case .keep: break
            case .remove: org.logoFile = nil
            case .replace: org.logoFile = storedLogo
            }
            if let zone = change.timeZone.flatMap(TimeZoneRule.canonical) { org.timeZone = zone }
            guard org != before else { return org }
            org.version += 1
            org.updatedAt = self.now()
            // The version in the WHERE clause makes the check and the write one step.
            try db.execute(
                sql: """
                    UPDATE organization SET displayName = ?, description = ?, memberLimit = ?, logoFile = ?,
                           timeZone = ?, version = ?, updatedAt = ? WHERE id = ? AND version = ?
                    """,
                arguments: [
                    org.displayName, org.description, org.memberLimit, org.logoFile,
                    org.timeZone, org.version, org.updatedAt, org.id, before.version,
                ])
            guard db.changesCount == 1 else { throw DomainError.staleVersion }
            if org.timeZone != before.timeZone {
                // Usage days are days in the zone: the rollups move with it, in batches (UsageRebuild).
                try UsageRebuild.schedule(db, orgId: org.id!, from: before.timeZone, to: org.timeZone, at: org.updatedAt)
            }
            try AuditEvent(
                org: org.id, actor: actor, action: .organizationUpdate, target: "org:\(org.key)",
                summary: Self.describeChanges(from: before, to: org), at: org.updatedAt
            ).insert(db)
            return org
        }
    }

    static func describeChanges(from a: Organization, to b: Organization) -> String {
        var parts: [String] = []
        if a.displayName != b.displayName { parts.append("display name “\(a.displayName)” → “\(b.displayName)”") }
        if a.description != b.description {
            parts.append("description changed (\(a.description.count) → \(Plural.count(b.description.count, "character")))")
        }
        if a.memberLimit != b.memberLimit { parts.append("member limit \(a.memberLimit) → \(b.memberLimit)") }
        if a.logoFile != b.logoFile { parts.append(b.logoFile == nil ? "logo removed" : "logo replaced") }
        if a.timeZone != b.timeZone {
            parts.append("time zone \(a.timeZone) → \(b.timeZone) (usage days recalculated, in the background for large organizations)")
        }
        return parts.joined(separator: "; ")
    }
}
