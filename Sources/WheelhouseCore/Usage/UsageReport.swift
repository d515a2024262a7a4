import Foundation
import GRDB

/// Sums over a set of rollup rows. A "run" is an event of kind `workflow_run`.
public struct UsageTotals: Sendable, Equatable {
    public var runs: Int64 = 0
    public var failedRuns: Int64 = 0
    public var events: Int64 = 0
    public var byokEvents: Int64 = 0
    public var tokens: Int64 = 0
    public var costMicros: Int64 = 0
    public var creditsMicros: Int64 = 0

    public init() {}

    public var successfulRuns: Int64 { runs - failedRuns }

    mutating func add(kind: String, status: UsageStatus, _ row: RowSums) {
        if kind == UsageReport.runKind {
            runs.addHeld(row.events)
            if status == .error { failedRuns.addHeld(row.events) }
        }
        events.addHeld(row.events)
        byokEvents.addHeld(row.byokEvents)
        tokens.addHeld(row.inputTokens.plusHeld(row.outputTokens))
        costMicros.addHeld(row.costMicros)
        creditsMicros.addHeld(row.creditsMicros)
    }
}

struct RowSums {
    var events: Int64, byokEvents: Int64, inputTokens: Int64, outputTokens: Int64, costMicros: Int64, creditsMicros: Int64
}

/// One model's month.
public struct UsageModelTotals: Sendable, Equatable {
    public var provider: String
    public var model: String
    public var events: Int64 = 0
    public var byokEvents: Int64 = 0
    public var tokens: Int64 = 0
    public var costMicros: Int64 = 0
    public var creditsMicros: Int64 = 0
}

/// One local day of the month.
public struct UsageDay: Sendable, Equatable {
    public var date: CivilDate
    public var events: Int64 = 0
    public var successfulRuns: Int64 = 0
    public var failedRuns: Int64 = 0
    /// Cost per model, in the order of `UsageReport.models`.
    public var costByModel: [Int64]
    public var costMicros: Int64 = 0
    public var creditsMicros: Int64 = 0
    public var tokens: Int64 = 0
}

/// Everything the Usage page shows for one month of one organization, read from the rollups only.
public struct UsageReport: Sendable, Equatable {
    public static let runKind = "workflow_run"

    public var month: UsageMonth
    /// The zone of the days shown: the previous zone while a rebuild for a new one runs.
    public var timeZone: String
    /// A rebuild for a new time zone in progress, if any.
    public var rebuild: UsageRebuildProgress?
    public var plan: Plan
    /// Months that have usage, newest first.
    public var monthsWithData: [UsageMonth]
    public var totals: UsageTotals
    public var previous: UsageTotals
    /// Every day of the month, in order.
    public var days: [UsageDay]
    /// Models with usage this month, by cost (highest first), then name.
    public var models: [UsageModelTotals]

    public var isEmpty: Bool { totals.events == 0 }
}

/// One rollup row for the CSV export, with its workspace's key.
public struct UsageExportRow: Sendable, Equatable {
    public var date: CivilDate
    public var workspace: String
    public var kind: String
    public var status: UsageStatus
    public var provider: String
    public var model: String
    public var events: Int64
    public var byokEvents: Int64
    public var inputTokens: Int64
    public var outputTokens: Int64
    public var costMicros: Int64
    public var creditsMicros: Int64

    public init(
        date: CivilDate, workspace: String, kind: String, status: UsageStatus, provider: String, model: String,
        events: Int64, byokEvents: Int64, inputTokens: Int64, outputTokens: Int64, costMicros: Int64,
        creditsMicros: Int64
    ) {
        self.date = date
        self.workspace = workspace
        self.kind = kind
        self.status = status
        self.provider = provider
        self.model = model
        self.events = events
        self.byokEvents = byokEvents
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costMicros = costMicros
        self.creditsMicros = creditsMicros
    }
}

extension AppDatabase {
    /// The month that contains `now` in the organization's time zone.
    public func currentUsageMonth(of org: Organization) -> UsageMonth {
        UsageMonth(containing: usageToday(of: org))
    }

    /// Today's date in the organization's time zone.
    public func usageToday(of org: Organization) -> CivilDate {
        let days = ZoneDays(TimeZone(identifier: org.timeZone) ?? TimeZone(identifier: "UTC")!)
        return days.date(at: Int64(now().timeIntervalSince1970))
    }

    /// The Usage page's numbers for `month`, read from rollups (about as many rows as the month
    /// has days × kinds × statuses × models × workspaces) and remembered per reader connection
    /// until something is committed.
    /// `workspaceId`: only that workspace's usage (the org's months with data stay org-wide).
    public func usageReport(orgId: Int64, month: UsageMonth, workspaceId: Int64? = nil) throws -> UsageReport {
        try threadReaders.read(or: reader) { db in
            try usageReads.value(db, key: "\(orgId)/\(month)/\(workspaceId ?? 0)") { db in
                try Self.usageReport(db, orgId: orgId, month: month, workspaceId: workspaceId)
            }
        }
    }

    static func usageReport(_ db: Database, orgId: Int64, month: UsageMonth, workspaceId: Int64?) throws -> UsageReport {
        let org = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT timeZone, plan FROM organization WHERE id = ?"),
            arguments: [orgId])
        guard let org else { throw DomainError.notFound }
        let range = month.days
        let rows = try db.cachedStatement(
            sql: """
                SELECT day, kind, status, provider, model, events, byokEvents, inputTokens, outputTokens, costMicros, creditsMicros
                FROM usageDaily WHERE orgId = ? AND day >= ? AND day < ? AND (? IS NULL OR workspaceId = ?)
                """)
        var totals = UsageTotals()
        var days = range.map { UsageDay(date: CivilDate(dayNumber: $0), costByModel: []) }
        var modelIndex: [String: Int] = [:]
        var models: [UsageModelTotals] = []
        var perDayModel: [(day: Int, model: Int, cost: Int64)] = []
        let cursor = try Row.fetchCursor(rows, arguments: [orgId, range.lowerBound, range.upperBound, workspaceId, workspaceId])
        while let row = try cursor.next() {
            let d = (row[0] as Int) - range.lowerBound
            let kind: String = row[1]
            let status = UsageStatus(rawValue: row[2]) ?? .error
            let sums = RowSums(
                events: row[5], byokEvents: row[6], inputTokens: row[7], outputTokens: row[8],
                costMicros: row[9], creditsMicros: row[10])
            totals.add(kind: kind, status: status, sums)
            if kind == UsageReport.runKind {
                if status == .error { days[d].failedRuns.addHeld(sums.events) } else { days[d].successfulRuns.addHeld(sums.events) }
            }
            days[d].events.addHeld(sums.events)
            days[d].costMicros.addHeld(sums.costMicros)
            days[d].creditsMicros.addHeld(sums.creditsMicros)
            days[d].tokens.addHeld(sums.inputTokens.plusHeld(sums.outputTokens))
            let model: String = row[4]
            guard !model.isEmpty else { continue }
            let provider: String = row[3]
            let name = provider + "\u{1}" + model
            let index =
                modelIndex[name]
                ?? {
                    models.append(UsageModelTotals(provider: provider, model: model))
                    modelIndex[name] = models.count - 1
                    return models.count - 1
                }()
            models[index].events.addHeld(sums.events)
            models[index].byokEvents.addHeld(sums.byokEvents)
            models[index].tokens.addHeld(sums.inputTokens.plusHeld(sums.outputTokens))
            models[index].costMicros.addHeld(sums.costMicros)
            models[index].creditsMicros.addHeld(sums.creditsMicros)
            perDayModel.append((d, index, sums.costMicros))
        }
        // Rank models by spend; each day's costs follow the ranking.
        let order = models.indices.sorted {
            (models[$0].costMicros, models[$1].model) > (models[$1].costMicros, models[$0].model)
        }
        var rank = [Int](repeating: 0, count: models.count)
        for (position, index) in order.enumerated() { rank[index] = position }
        for d in days.indices { days[d].costByModel = [Int64](repeating: 0, count: models.count) }
        for entry in perDayModel { days[entry.day].costByModel[rank[entry.model]].addHeld(entry.cost) }

        let rebuild = try UsageRebuild.progress(db, orgId: orgId)
        return UsageReport(
            month: month, timeZone: rebuild?.liveZone ?? org[0], rebuild: rebuild, plan: Plan.named(org[1]),
            monthsWithData: try Self.monthsWithData(db, orgId: orgId),
            totals: totals, previous: try Self.totals(db, orgId: orgId, days: month.previous.days, workspaceId: workspaceId),
            days: days, models: order.map { models[$0] })
    }

    static func totals(_ db: Database, orgId: Int64, days: Range<Int>, workspaceId: Int64?) throws -> UsageTotals {
        let statement = try db.cachedStatement(
            sql: """
                SELECT kind, status, sum(events), sum(byokEvents), sum(inputTokens), sum(outputTokens), sum(costMicros),
                       sum(creditsMicros)
                FROM usageDaily WHERE orgId = ? AND day >= ? AND day < ? AND (? IS NULL OR workspaceId = ?)
                GROUP BY kind, status
                """)
        var totals = UsageTotals()
        for row in try Row.fetchAll(statement, arguments: [orgId, days.lowerBound, days.upperBound, workspaceId, workspaceId]) {
            totals.add(
                kind: row[0], status: UsageStatus(rawValue: row[1]) ?? .error,
                RowSums(
                    events: row[2], byokEvents: row[3], inputTokens: row[4], outputTokens: row[5],
                    costMicros: row[6], creditsMicros: row[7]))
        }
        return totals
    }

    /// Months with at least one rollup row, newest first: one index seek per month found.
    static func monthsWithData(_ db: Database, orgId: Int64) throws -> [UsageMonth] {
        let first = try db.cachedStatement(sql: "SELECT min(day) FROM usageDaily WHERE orgId = ? AND day >= ?")
        var months: [UsageMonth] = []
        var from = Int.min / 2
        while let day = try Int.fetchOne(first, arguments: [orgId, from]) {
            let month = UsageMonth(containing: CivilDate(dayNumber: day))
            months.append(month)
            from = month.next.first.dayNumber
        }
        return months.reversed()
    }

    /// The month's rollup rows for the CSV export, by day, workspace, model, kind and status.
    public func usageExportRows(orgId: Int64, month: UsageMonth, workspaceId: Int64? = nil) throws -> [UsageExportRow] {
        try reader.read { db in
            let range = month.days
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT u.day, w.key, u.kind, u.status, u.provider, u.model, u.events, u.byokEvents, u.inputTokens,
                           u.outputTokens, u.costMicros, u.creditsMicros
                    FROM usageDaily u JOIN workspace w ON w.id = u.workspaceId
                    WHERE u.orgId = ? AND u.day >= ? AND u.day < ? AND (? IS NULL OR u.workspaceId = ?)
                    ORDER BY u.day, w.key, u.provider, u.model, u.kind, u.status
                    """, arguments: [orgId, range.lowerBound, range.upperBound, workspaceId, workspaceId]
            ).map { row in
                UsageExportRow(
                    date: CivilDate(dayNumber: row[0]), workspace: row[1], kind: row[2],
                    status: UsageStatus(rawValue: row[3]) ?? .error, provider: row[4], model: row[5],
                    events: row[6], byokEvents: row[7], inputTokens: row[8], outputTokens: row[9],
                    costMicros: row[10], creditsMicros: row[11])
            }
        }
    }
}

extension Int64 {
    /// `self + other`, held at `Int64.max` (or `.min`) instead of trapping. Real sums are far below
    /// it (9.2 × 10¹⁸ micro-units); the hold keeps a hostile stream of maximal events — through
    /// `usage import` or the API — from stopping the process that adds them up.
    public func plusHeld(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    public mutating func addHeld(_ other: Int64) { self = plusHeld(other) }
}
