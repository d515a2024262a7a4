import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("Usage tab, in process") struct UsageWebTests {
    static let usage = "/orgs/acme/settings/usage"

    /// Events in November and October 2026 (UTC) for `acme`'s workspace `lab`.
    static func seeded() throws -> TestApp {
        let t = try TestApp()
        try t.database.createWorkspace(orgId: t.org.id!, key: "lab", name: "Lab", shared: true)
        let nov3 = Int64(CivilDate(year: 2026, month: 11, day: 3).dayNumber * 86_400)
        let oct9 = Int64(CivilDate(year: 2026, month: 10, day: 9).dayNumber * 86_400)
        var events: [UsageEventInput] = []
        func add(_ at: Int64, _ kind: String, _ status: UsageStatus, _ provider: String, _ model: String, cost: Int64, byok: Bool = false) {
            events.append(UsageEventInput(org: "acme", at: at, workspace: "lab", kind: kind, status: status, provider: provider,
                                          model: model, inputTokens: 100, outputTokens: 20, costMicros: cost, byok: byok,
                                          idempotencyKey: "k\(events.count)"))
        }
        for i in 0..<7 { add(nov3 + Int64(i * 60), "workflow_run", i == 0 ? .error : .success, "", "", cost: 0) }
        add(nov3 + 86_400, "workflow_run", .success, "", "", cost: 0)
        add(nov3 + 100, "llm_call", .success, "openai", "gpt-4o", cost: 2_500_000)
        add(nov3 + 86_400 + 5, "llm_call", .success, "anthropic", "claude, \"quoted\"", cost: 1_250_000, byok: true)
        add(oct9, "workflow_run", .success, "", "", cost: 0)
        add(oct9 + 1, "workflow_run", .success, "", "", cost: 0)
        _ = try t.database.recordUsage(events)
        return t
    }

    @Test func ownerSeesCardsChartsAndTableForTheMonth() throws {
        let t = try Self.seeded()
        let page = try t.client(signedInAs: "owner@acme.test").get(Self.usage + "?month=2026-11")
        #expect(page.status == 200)
        print(page.html)
    }
}
