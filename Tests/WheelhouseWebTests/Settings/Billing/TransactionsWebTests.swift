import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// The Transactions section: every ledger entry newest first with the balance after it, the kind
/// and month filters as a GET form, pages, and the CSV (escaped, formula-safe, the filter in its name).
@Suite("Billing transactions, in process") struct TransactionsWebTests {
    static let transactions = "/orgs/acme/settings/billing/transactions"

    /// Usage recorded as `usage import` records it (one batch), in workspace `lab` of acme (UTC).
    static func spend(_ t: TestApp, _ costs: [(Date, Int64)]) throws {
        if try t.database.usageWorkspaces(orgId: t.org.id!).first(where: { $0.key == "lab" }) == nil {
            try t.database.createWorkspace(orgId: t.org.id!, key: "lab", name: "Lab", shared: true)
        }
        let events = costs.enumerated().map { i, cost in
            UsageEventInput(
                org: "acme", at: Int64(cost.0.timeIntervalSince1970), workspace: "lab", kind: "llm_call", status: .success,
                provider: "openai", model: "gpt-4o", inputTokens: 1, outputTokens: 1, costMicros: cost.1, byok: false,
                idempotencyKey: "spend-\(UUID())-\(i)")
        }
        #expect(try t.database.recordUsage(events).imported == costs.count)
    }

    /// A purchase in October, two days of usage in November, then a promotion with a hostile reference.
    static func seeded() throws -> TestApp {
        let t = try TestApp()
        let october = Date(timeIntervalSince1970: 1_792_065_600)  // 2026-10-15 12:00 UTC
        let november = Date(timeIntervalSince1970: 1_794_052_800)  // 2026-11-07 12:00 UTC
        try t.database.seedCreditLot(orgId: t.org.id!, kind: .purchase, micros: 20_000_000, reference: "Order 7", at: october)
        try spend(t, [(november.addingTimeInterval(-86_400), 1_250_000), (november, 500_000)])
        try t.database.seedCreditLot(
            orgId: t.org.id!, kind: .promotion, micros: 5_000_000, reference: "=HYPERLINK(\"x\"),\"quoted\"",
            at: Date().addingTimeInterval(3_600))
        return t
    }

    @Test func everyEntryNewestFirstWithTheRunningBalance() throws {
        let t = try Self.seeded()
        let page = try t.client(signedInAs: "admin@acme.test").get(Self.transactions)
        #expect(page.status == 200)
        let rows = page.html.components(separatedBy: "<tr><td>").dropFirst().map { String($0.prefix(400)) }
        #expect(rows.count == 4)
        #expect(rows[0].contains("Promotional credits") && rows[0].contains("+€5.00 EUR") && rows[0].contains("€23.25 EUR"))
        #expect(rows[1].contains("AI usage of 2026-11-07") && rows[1].contains("−€0.50 EUR") && rows[1].contains("€18.25 EUR"))
        #expect(rows[2].contains("AI usage of 2026-11-06") && rows[2].contains("€18.75 EUR"))
        #expect(rows[3].contains("Purchase") && rows[3].contains("+€20.00 EUR") && rows[3].contains("€20.00 EUR"))
        #expect(page.contains("<form class=\"card filters transactions-filter\" method=\"get\""))
    }

    @Test func theKindAndMonthFiltersWorkAsAPlainGETAndTheExportKeepsThem() throws {
        let t = try Self.seeded()
        let client = try t.client(signedInAs: "owner@acme.test")
        let usage = client.get(Self.transactions + "?kind=usage")
        #expect(usage.html.components(separatedBy: "<tr><td>").count - 1 == 2)
        #expect(usage.contains("<option value=\"usage\" selected>AI usage</option>"))
        #expect(usage.contains("href=\"/orgs/acme/settings/billing/transactions.csv?kind=usage\""))
        let october = client.get(Self.transactions + "?month=2026-10")
        #expect(october.html.components(separatedBy: "<tr><td>").count - 1 == 1 && october.contains("Purchase"))
        let none = client.get(Self.transactions + "?kind=refund&month=2026-11")
        #expect(none.contains("No transaction matches this filter."))
        let bad = client.get(Self.transactions + "?kind=%3Cscript%3E&month=2026-13")
        #expect(bad.status == 400 && bad.contains("is not a kind of transaction") && bad.contains("is not a month (YYYY-MM)"))
        #expect(!bad.contains("<script>") && bad.html.components(separatedBy: "<tr><td>").count - 1 == 4)
    }

    @Test func pagesOfFifty() throws {
        let t = try TestApp()
        // 55 days of usage: 55 ledger entries.
        try Self.spend(t, (0..<55).map { (Date(timeIntervalSince1970: 1_788_000_000 + Double($0) * 86_400), 1_000) })
        let client = try t.client(signedInAs: "owner@acme.test")
        let first = client.get(Self.transactions)
        #expect(first.html.components(separatedBy: "<tr><td>").count - 1 == 50)
        #expect(first.contains("href=\"/orgs/acme/settings/billing/transactions?page=2\" rel=\"next\""))
        let second = client.get(Self.transactions + "?page=2")
        #expect(second.html.components(separatedBy: "<tr><td>").count - 1 == 5 && second.contains("rel=\"prev\""))
        #expect(client.get(Self.transactions + "?page=0").status == 400)
    }

    @Test func theCSVIsRFC4180FormulaSafeInTheCurrencyWithTheFilterInItsName() throws {
        let t = try Self.seeded()
        let client = try t.client(signedInAs: "owner@acme.test")
        let all = client.get(Self.transactions + ".csv")
        #expect(all.status == 200 && all.raw.header("Content-Type") == "text/csv; charset=utf-8")
        #expect(all.raw.header("Content-Disposition") == "attachment; filename=\"transactions-acme.csv\"")
        let records = UsageWebTests.parseCSV(all.html)
        #expect(records.first == TransactionsCSV.header)
        #expect(records.count == 5)
        #expect(records[1][2] == "promotion" && records[1][4] == "5.000000" && records[1][5] == "23.250000" && records[1][6] == "EUR")
        #expect(records[1][8] == "'=HYPERLINK(\"x\"),\"quoted\"", "a formula is defused and the quotes and comma survive")
        #expect(records[2][4] == "-0.500000" && records[2][7] == "2026-11-07", "a minus of an amount stays a number")
        #expect(all.html.contains("\r\n"))
        let filtered = client.get(Self.transactions + ".csv?kind=usage&month=2026-11")
        #expect(filtered.raw.header("Content-Disposition") == "attachment; filename=\"transactions-acme-kind-usage-month-2026-11.csv\"")
        #expect(UsageWebTests.parseCSV(filtered.html).count == 3)
        let refused = client.get(Self.transactions + ".csv?kind=nope")
        #expect(refused.status == 400 && refused.html.contains("is not a kind of transaction"))
        #expect(try t.client(signedInAs: "member@acme.test").get(Self.transactions + ".csv").status == 403)
    }
}
