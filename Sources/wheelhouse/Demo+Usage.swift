import Foundation
import WheelhouseCore

extension Demo {
    /// 90 days of usage for the demo organization, about 100 000 events, written through the same
    /// batched path as `usage import` (events and rollups in one transaction per batch).
    static func seedUsage(_ database: AppDatabase, orgKey: String, workspaces: [String]) throws -> Int {
        var generator = UsageGenerator(org: orgKey, workspaces: workspaces, weekdayRuns: 470, seed: 2026, keyPrefix: "demo")
        let now = Int64(Date().timeIntervalSince1970)
        let today = Int(now / 86_400)
        let zones = ZoneCache()
        var batch: [UsageEventInput] = []
        var imported = 0
        for day in (today - 89)...today {
            generator.events(day: day, until: now, into: &batch)
            if batch.count >= 5_000 || day == today {
                imported += try database.recordUsage(batch, zones: zones).imported
                batch.removeAll(keepingCapacity: true)
            }
        }
        return imported
    }
}
