import Foundation
import GRDB

/// The readiness checklist of the overview (PRODUCT.md §5), per person and organization.
public enum ReadinessItem: String, CaseIterable, Sendable {
    case profile, sessions, credits, defaults, tokens

    public var title: String {
        switch self {
        case .profile: "Profile complete"
        case .sessions: "Sessions reviewed"
        case .credits: "Credits understood"
        case .defaults: "Defaults reviewed"
        case .tokens: "Tokens only where needed"
        }
    }

    /// Whether the item is this viewer's to look at: the page that fixes it must be one they may open.
    public func applies(to access: OrgAccess, saas: Bool) -> Bool {
        switch self {
        case .profile, .sessions, .defaults: true
        case .credits: saas && access.allows(.viewBilling)
        case .tokens: access.allows(.manageAPIKeys)
        }
    }
}

public enum ReadinessStatus: String, Sendable, Equatable {
    /// The state itself is right: nothing to review.
    case done
    /// Not right by the state, but the person looked at it less than 90 days ago.
    case reviewed
    /// Looked at more than 90 days ago: shown again as needing a look.
    case stale
    case open

    public var counts: Bool { self == .done || self == .reviewed }
}

public struct ReadinessCheck: Sendable, Equatable {
    public var item: ReadinessItem
    public var status: ReadinessStatus
    /// What the state is, in a sentence (why it is or is not done).
    public var detail: String
    public var reviewedAt: Date?
}

public enum ReadinessRules {
    /// A review counts for 90 days, then the item asks again.
    public static let reviewLifetime: TimeInterval = 90 * 86_400
    /// An API key not used for this long (or never, this long after it was made) is flagged.
    public static let unusedKeyAge: TimeInterval = 90 * 86_400
}

extension AppDatabase {
    /// Every item that applies to the viewer, computed from the state as it is now.
    public func readiness(userId: Int64, access: OrgAccess, saas: Bool) throws -> [ReadinessCheck] {
        let now = self.now()
        let orgId = access.org.id!
        return try reader.read { db in
            let reviews = try Dictionary(
                Row.fetchAll(
                    db, sql: "SELECT item, reviewedAt FROM readinessReview WHERE userId = ? AND orgId = ?", arguments: [userId, orgId]
                ).map { ($0[0] as String, $0[1] as Date) }, uniquingKeysWith: { a, _ in a })
            return try ReadinessItem.allCases.filter { $0.applies(to: access, saas: saas) }.map { item in
                let (done, detail) = try Self.readinessState(db, item, userId: userId, orgId: orgId, now: now)
                let reviewedAt = reviews[item.rawValue]
                let status: ReadinessStatus =
                    done
                    ? .done
                    : reviewedAt.map { now.timeIntervalSince($0) < ReadinessRules.reviewLifetime ? .reviewed : .stale } ?? .open
                return ReadinessCheck(item: item, status: status, detail: detail, reviewedAt: reviewedAt)
            }
        }
    }

    /// Marks an item reviewed now (again, if it was). An item that does not apply to the viewer
    /// is `notFound`. Personal: no audit entry.
    public func markReviewed(_ item: ReadinessItem, userId: Int64, access: OrgAccess, saas: Bool) throws {
        guard item.applies(to: access, saas: saas) else { throw DomainError.notFound }
        let now = self.now()
        try writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO readinessReview (userId, orgId, item, reviewedAt) VALUES (?, ?, ?, ?)
                    ON CONFLICT (userId, orgId, item) DO UPDATE SET reviewedAt = excluded.reviewedAt
                    """, arguments: [userId, access.org.id!, item.rawValue, now])
        }
    }

    static func readinessState(_ db: Database, _ item: ReadinessItem, userId: Int64, orgId: Int64, now: Date) throws -> (Bool, String) {
        switch item {
        case .profile:
            let name = try String.fetchOne(db, sql: "SELECT name FROM user WHERE id = ?", arguments: [userId]) ?? ""
            let twoFactor = try hasTwoFactor(db, userId: userId)
            if name.isEmpty { return (false, "Your name is not set.") }
            return twoFactor ? (true, "Your name is set and two-factor sign-in is on.") : (false, "Two-factor sign-in is off.")
        case .sessions:
            let live = try liveSessions(db, userId: userId, now: now).count
            return live <= 1
                ? (true, "Only this browser is signed in as you.") : (false, "\(live) browsers are signed in as you.")
        case .credits:
            let plan = try plan(db, orgId: orgId)
            return (false, "The \(plan.name) plan includes \(plan.monthlyRuns) workflow runs a month.")
        case .defaults:
            let chosen =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM chatModelChoice WHERE orgId = ? AND userId = ?", arguments: [orgId, userId]) ?? 0
            return chosen > 0
                ? (true, chosen == 1 ? "You chose 1 chat model." : "You chose \(chosen) chat models.")
                : (false, "You have not chosen any chat models.")
        case .tokens:
            let (neverExpire, unused) = try flaggedAPIKeys(db, orgId: orgId, now: now)
            if neverExpire + unused == 0 { return (true, "Every active API key expires and was used in the last 90 days.") }
            var parts: [String] = []
            if neverExpire > 0 { parts.append(neverExpire == 1 ? "1 key never expires" : "\(neverExpire) keys never expire") }
            if unused > 0 { parts.append(unused == 1 ? "1 key is unused for 90 days" : "\(unused) keys are unused for 90 days") }
            return (false, parts.joined(separator: ", ") + ".")
        }
    }

    /// Active keys (not revoked, not expired) that never expire, and those unused for 90 days
    /// (a key never used counts from when it was made).
    static func flaggedAPIKeys(_ db: Database, orgId: Int64, now: Date) throws -> (neverExpire: Int, unused: Int) {
        let cutoff = now.addingTimeInterval(-ReadinessRules.unusedKeyAge)
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT coalesce(sum(expiresAt IS NULL), 0), coalesce(sum(coalesce(lastUsedAt, createdAt) < ?), 0)
                FROM apiKey WHERE orgId = ? AND revokedAt IS NULL AND (expiresAt IS NULL OR expiresAt > ?)
                """, arguments: [cutoff, orgId, now])!
        return (row[0], row[1])
    }
}
