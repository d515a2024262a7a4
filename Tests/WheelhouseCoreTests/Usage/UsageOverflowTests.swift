import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Sums of maximal events are held below Int64's bound instead of stopping the process: a hostile
/// stream of them (through the API or an import) cannot take the responder down.
@Suite("Usage sums at their bound") struct UsageOverflowTests {
    @Test func heldAdditionStopsAtTheBound() {
        #expect(Int64.max.plusHeld(1) == .max)
        #expect(Int64.min.plusHeld(-1) == .min)
        #expect(Int64(40).plusHeld(2) == 42)
        var x = Int64.max - 1
        x.addHeld(5)
        #expect(x == .max)
    }

    @Test func rollupsAndReportsOfMaximalEventsStayIntegers() throws {
        let f = try UsageTests.fixture()
        let day = Int64(Date().timeIntervalSince1970) - 3_600
        // Batches of the largest events the import accepts, until the day's sums pass 9.2 × 10¹⁸.
        for batch in 0..<2 {
            let events = (0..<3_000).map { n in
                UsageEventInput(
                    org: "acme", at: day, workspace: "lab", kind: "llm_call", status: .success, provider: "openai", model: "gpt-4o",
                    inputTokens: UsageEventInput.maxTokens, outputTokens: UsageEventInput.maxTokens,
                    costMicros: UsageEventInput.maxCostMicros, byok: false,
                    idempotencyKey: "max-\(batch)-\(n)")
            }
            #expect(try f.database.recordUsage(events).imported == 3_000)
            // After the first batch the row is pushed to the edge directly, as years of such
            // batches would; the second batch passes the bound.
            if batch == 0 {
                try f.database.writer.write { db in try db.execute(sql: "UPDATE usageDaily SET costMicros = 9000000000000000000 - 1") }
            }
        }
        #expect(try f.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM usageDaily") } == 1)
        let stored = try f.database.read { db in try Row.fetchAll(db, sql: "SELECT typeof(costMicros), costMicros FROM usageDaily") }
        #expect(stored.allSatisfy { ($0[0] as String) == "integer" })
        #expect(stored.allSatisfy { ($0[1] as Int64) == 9_000_000_000_000_000_000 })
        let org = try f.database.access(orgKey: "acme", userId: f.owner.id!).org
        let report = try f.database.usageReport(orgId: org.id!, month: f.database.currentUsageMonth(of: org))
        #expect(report.totals.costMicros >= 9_000_000_000_000_000_000)
    }
}
