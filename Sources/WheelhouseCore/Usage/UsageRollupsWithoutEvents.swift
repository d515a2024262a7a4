import GRDB

extension AppDatabase {
    /// Adds pre-aggregated rows to an organization's rollups **without events**: for the
    /// benchmark's ten-million-event organization, which would take minutes to import event by
    /// event. Such rollups cannot be recomputed by a time-zone change (there are no events to
    /// recompute them from). `workspace` in each row is a workspace key of the organization.
    public func addRollupsWithoutEvents(orgKey: String, _ rows: [UsageExportRow]) throws {
        try writer.write { db in
            guard let target = try UsageWriter.loadTarget(db, orgKey: orgKey, zones: ZoneCache()) else { throw DomainError.notFound }
            var deltas: [RollupKey: RollupTotals] = [:]
            for row in rows {
                guard let workspaceId = target.workspaces[row.workspace] else { throw DomainError.notFound }
                let key = RollupKey(
                    orgId: target.id, day: row.date.dayNumber, workspaceId: workspaceId, kind: row.kind,
                    status: row.status, provider: row.provider, model: row.model)
                var totals = deltas[key, default: RollupTotals()]
                totals.events += row.events
                totals.byokEvents += row.byokEvents
                totals.inputTokens += row.inputTokens
                totals.outputTokens += row.outputTokens
                totals.costMicros += row.costMicros
                totals.creditsMicros += row.creditsMicros
                deltas[key] = totals
            }
            try UsageWriter.upsert(db, deltas)
        }
    }
}
