import Foundation
import GRDB

/// One limited quantity of a plan: how much is used against the plan's limit, and when it resets
/// (runs only: the other meters count what exists now).
public struct PlanMeter: Sendable, Equatable {
    public enum Kind: String, CaseIterable, Sendable {
        case runs, seats, sharedWorkspaces = "shared-workspaces", agents

        public var title: String {
            switch self {
            case .runs: "Workflow runs this month"
            case .seats: "Seats (members and pending invitations)"
            case .sharedWorkspaces: "Shared workspaces"
            case .agents: "Agents"
            }
        }

        public func limit(of plan: Plan) -> Int64 {
            switch self {
            case .runs: plan.monthlyRuns
            case .seats: Int64(plan.seats)
            case .sharedWorkspaces: Int64(plan.sharedWorkspaceLimit)
            case .agents: Int64(plan.agents)
            }
        }
    }

    public var kind: Kind
    public var used: Int64
    public var limit: Int64
    /// The first day of the next period in the organization's time zone (runs only).
    public var resetsOn: CivilDate?

    public var reached: Bool { used >= limit }
}

/// An organization's plan, its meters, and a downgrade waiting for the period's end.
public struct PlanStatus: Sendable, Equatable {
    public var plan: Plan
    public var meters: [PlanMeter]
    public var scheduled: ScheduledPlanChange?
    /// The current period: the calendar month of the organization's time zone.
    public var month: UsageMonth
}

/// A downgrade scheduled by an Owner, applied by the worker when the next period starts.
public struct ScheduledPlanChange: Sendable, Equatable {
    public var to: Plan
    public var effectiveOn: CivilDate
    public var version: Int
}

/// Why a lower plan would not fit what the organization uses now: each meter over the lower
/// plan's limit, in words, for the downgrade's preview.
public struct DowngradeBlocker: Sendable, Equatable {
    public var meter: PlanMeter.Kind
    public var used: Int64
    public var limit: Int64

    public var message: String {
        switch meter {
        case .runs: "This month’s \(used) workflow runs are over its \(limit); from next month runs past \(limit) are refused."
        case .seats:
            "\(used) seats are taken and it has \(limit): remove members or revoke invitations first, or new invitations stay blocked."
        case .sharedWorkspaces:
            "\(used) shared workspaces exist and it includes \(limit): archive some first, or no new one can be created."
        case .agents: "\(used) agents exist and it includes \(limit): no new agent can be added until some are removed."
        }
    }
}

enum PlanChangeSchema {
    static let sql = """
        CREATE TABLE planChange (
            orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
            toPlan TEXT NOT NULL CHECK (toPlan IN ('free', 'starter', 'pro', 'business')),
            effectiveOn TEXT NOT NULL CHECK (length(effectiveOn) = 10),
            requestedBy INTEGER,
            requestedAt DATETIME NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        );
        """
}

extension AppDatabase {
    public func planStatus(org: Organization) throws -> PlanStatus {
        let month = currentUsageMonth(of: org)
        let now = now()
        return try reader.read { db in try Self.planStatus(db, orgId: org.id!, month: month, now: now) }
    }

    static func planStatus(_ db: Database, orgId: Int64, month: UsageMonth, now: Date) throws -> PlanStatus {
        let plan = try plan(db, orgId: orgId)
        let range = month.days
        let runs =
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT coalesce(sum(events), 0) FROM usageDaily WHERE orgId = ? AND kind = ? AND day >= ? AND day < ?
                    """, arguments: [orgId, UsageReport.runKind, range.lowerBound, range.upperBound]) ?? 0
        let seats =
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT (SELECT count(*) FROM membership WHERE orgId = ?1)
                         + (SELECT count(*) FROM invitation WHERE orgId = ?1 AND status = 'pending' AND expiresAt > ?2)
                    """, arguments: [orgId, now]) ?? 0
        let shared = Int64(try sharedCount(db, orgId: orgId))
        let agents =
            try Int64.fetchOne(
                db, sql: "SELECT count(*) FROM agent a JOIN workspace w ON w.id = a.workspaceId WHERE w.orgId = ?", arguments: [orgId]) ?? 0
        let used: [PlanMeter.Kind: Int64] = [.runs: runs, .seats: seats, .sharedWorkspaces: shared, .agents: agents]
        let meters = PlanMeter.Kind.allCases.map { kind in
            PlanMeter(kind: kind, used: used[kind]!, limit: kind.limit(of: plan), resetsOn: kind == .runs ? month.next.first : nil)
        }
        let scheduled = try Row.fetchOne(db, sql: "SELECT toPlan, effectiveOn, version FROM planChange WHERE orgId = ?", arguments: [orgId])
            .flatMap { row -> ScheduledPlanChange? in
                guard let day = CivilDate(isoDay: row[1] as String) else { return nil }
                return ScheduledPlanChange(to: Plan.named(row[0]), effectiveOn: day, version: row[2])
            }
        return PlanStatus(plan: plan, meters: meters, scheduled: scheduled, month: month)
    }

    /// What would not fit on `lower` as the organization is now.
    public static func downgradeBlockers(_ status: PlanStatus, to lower: Plan) -> [DowngradeBlocker] {
        status.meters.compactMap { meter in
            let limit = meter.kind.limit(of: lower)
            return meter.used > limit ? DowngradeBlocker(meter: meter.kind, used: meter.used, limit: limit) : nil
        }
    }

    /// Schedules a move to a cheaper plan for the start of the next period (replacing any earlier
    /// one), audited. Nothing changes until then, and it can be cancelled until then.
    public func scheduleDowngrade(orgKey: String, to lower: Plan, by actor: Actor) throws -> ScheduledPlanChange {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageBilling)
            let current = try Self.plan(db, orgId: access.org.id!)
            guard lower.selfServe, lower.rank < current.rank else { throw DomainError.notFound }
            let month = currentUsageMonth(of: access.org)
            let effective = month.next.first
            try db.execute(
                sql: """
                    INSERT INTO planChange (orgId, toPlan, effectiveOn, requestedBy, requestedAt) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (orgId) DO UPDATE SET toPlan = excluded.toPlan, effectiveOn = excluded.effectiveOn,
                        requestedBy = excluded.requestedBy, requestedAt = excluded.requestedAt, version = version + 1
                    """, arguments: [access.org.id!, lower.id, effective.description, actor.user.id!, now()])
            try AuditEvent(
                org: access.org.id, actor: actor, action: .planDowngradeSchedule, target: "org:\(access.org.key)",
                summary: "plan: \(current.id) → \(lower.id) on \(effective)", at: now()
            ).insert(db)
            let version = try Int.fetchOne(db, sql: "SELECT version FROM planChange WHERE orgId = ?", arguments: [access.org.id!]) ?? 1
            return ScheduledPlanChange(to: lower, effectiveOn: effective, version: version)
        }
    }

    /// Cancels a scheduled downgrade; the plan stays. `notFound` when none is scheduled,
    /// `staleVersion` when it was changed since the page was loaded.
    public func cancelDowngrade(orgKey: String, expectedVersion: Int, by actor: Actor) throws {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageBilling)
            guard let row = try Row.fetchOne(db, sql: "SELECT toPlan, version FROM planChange WHERE orgId = ?", arguments: [access.org.id!])
            else { throw DomainError.notFound }
            guard row[1] as Int == expectedVersion else { throw DomainError.staleVersion }
            try db.execute(sql: "DELETE FROM planChange WHERE orgId = ?", arguments: [access.org.id!])
            try AuditEvent(
                org: access.org.id, actor: actor, action: .planDowngradeCancel, target: "org:\(access.org.key)",
                summary: "scheduled move to \(row[0] as String) cancelled", at: now()
            ).insert(db)
        }
    }

    /// Applies every scheduled downgrade whose day has come in its organization's time zone
    /// (the background worker and `billing run-due`). Returns how many it applied.
    @discardableResult
    public func applyDuePlanChanges(at: Date? = nil) throws -> Int {
        let at = at ?? now()
        let due = try reader.read { db in
            try Row.fetchAll(
                db, sql: "SELECT o.id, o.timeZone, p.toPlan, p.effectiveOn FROM planChange p JOIN organization o ON o.id = p.orgId")
        }
        var applied = 0
        for row in due {
            let zone = TimeZone(identifier: row[1] as String) ?? TimeZone(identifier: "UTC")!
            let today = CivilDate(dayNumber: ZoneDays(zone).day(at: Int64(at.timeIntervalSince1970)))
            guard let effective = CivilDate(isoDay: row[3] as String), effective <= today else { continue }
            try writer.write { db in
                let orgId: Int64 = row[0]
                guard
                    try Row.fetchOne(db, sql: "SELECT 1 FROM planChange WHERE orgId = ? AND effectiveOn = ?", arguments: [orgId, row[3]])
                        != nil
                else { return }
                let old = try Self.plan(db, orgId: orgId)
                try db.execute(sql: "UPDATE organization SET plan = ? WHERE id = ?", arguments: [row[2] as String, orgId])
                try db.execute(sql: "DELETE FROM planChange WHERE orgId = ?", arguments: [orgId])
                try AuditEvent(
                    org: orgId, actor: nil, action: .organizationPlan, target: "org:\(orgId)",
                    summary: "plan: \(old.id) → \(row[2] as String) (scheduled downgrade)", at: at
                ).insert(db)
                applied += 1
            }
        }
        return applied
    }
}

extension CivilDate {
    /// A `YYYY-MM-DD` day as `description` writes it; nil for anything else.
    init?(isoDay text: String) {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard text.count == 10, parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        self.init(year: parts[0], month: parts[1], day: parts[2])
    }
}

/// What an upgrade costs now: the difference of the two monthly prices for the part of the
/// period that is left, to the second, rounded half up to the minor unit. The charge uses the
/// same quote, so it equals the preview to the cent.
public struct UpgradeQuote: Sendable, Equatable {
    public var from: Plan
    public var to: Plan
    public var amountMinor: Int64
    public var periodEnd: Date
    public var secondsLeft: Int64
    public var periodSeconds: Int64

    /// `nil` when `to` is not a self-serve plan above `from`.
    public static func quote(from: Plan, to: Plan, now: Date, timeZone: TimeZone) -> UpgradeQuote? {
        guard to.selfServe, to.rank > from.rank, let newPrice = to.monthlyPriceMinor, let oldPrice = from.monthlyPriceMinor else {
            return nil
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month], from: now)
        guard let start = calendar.date(from: parts), let end = calendar.date(byAdding: .month, value: 1, to: start) else { return nil }
        let period = Int64(end.timeIntervalSince(start).rounded())
        let left = max(0, Int64(end.timeIntervalSince(now).rounded(.down)))
        let difference = newPrice - oldPrice
        // Integer arithmetic: difference × left / period, half up.
        let amount = (difference * left * 2 + period) / (period * 2)
        return UpgradeQuote(from: from, to: to, amountMinor: amount, periodEnd: end, secondsLeft: left, periodSeconds: period)
    }
}
