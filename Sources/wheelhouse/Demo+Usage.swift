import Foundation
import WheelhouseCore

extension Demo {
    /// 90 days of usage for the demo organization, about 100 000 events, written through the same
    /// batched path as `usage import` (events and rollups in one transaction per batch), which
    /// debits the organization's AI credits: so the credits are seeded first (`seedCredits`),
    /// and the ledger agrees with the usage because the usage itself wrote it.
    static func seedUsage(_ database: AppDatabase, org: Organization, owner: User, workspaces: [String]) throws -> Int {
        let now = Int64(Date().timeIntervalSince1970)
        var paid: Int64 = 0
        try usageBatches(orgKey: org.key, workspaces: workspaces, now: now) { batch in
            for event in batch where !event.byok { paid.addHeld(event.costMicros) }
        }
        try seedCredits(database, org: org, owner: owner, usageMicros: paid, now: Date(timeIntervalSince1970: TimeInterval(now)))
        let zones = ZoneCache()
        var imported = 0
        try usageBatches(orgKey: org.key, workspaces: workspaces, now: now) { batch in
            imported += try database.recordUsage(batch, zones: zones).imported
        }
        try database.grantPromotionalCredits(
            orgId: org.id!, micros: 10_000_000, expiresAt: Date(timeIntervalSince1970: TimeInterval(now) + 20 * 86_400),
            reference: "Welcome promotion")
        return imported
    }

    /// The same events each time for the same `now` (a fixed seed), in batches of about 5 000.
    private static func usageBatches(
        orgKey: String, workspaces: [String], now: Int64, _ body: ([UsageEventInput]) throws -> Void
    ) throws {
        var generator = UsageGenerator(org: orgKey, workspaces: workspaces, weekdayRuns: 470, seed: 2026, keyPrefix: "demo")
        let today = Int(now / 86_400)
        var batch: [UsageEventInput] = []
        for day in (today - 89)...today {
            generator.events(day: day, until: now, into: &batch)
            if batch.count >= 5_000 || day == today {
                try body(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
    }

    /// An opening balance 90 days ago that, with the paid purchases and refill seeded before
    /// (`seedPayments`), covers the seeded usage and leaves €27 (with the €10 welcome promotion
    /// granted after the usage, expiring in 20 days: about €37), and a warning at €15.
    static func seedCredits(_ database: AppDatabase, org: Organization, owner: User, usageMicros: Int64, now: Date) throws {
        let paid = max(0, try database.creditBalance(orgId: org.id!).balanceMicros)
        let wholeUnits = (max(0, usageMicros - paid) + 999_999) / 1_000_000
        try database.seedCreditLot(
            orgId: org.id!, kind: .promotion, micros: (wholeUnits + 27) * 1_000_000, reference: "Opening balance",
            at: now.addingTimeInterval(-90 * 86_400))
        try database.setCreditWarning(
            orgKey: org.key, typed: "15", currency: database.currency, expectedVersion: 0, by: Actor(user: owner, address: "demo"))
    }
}
