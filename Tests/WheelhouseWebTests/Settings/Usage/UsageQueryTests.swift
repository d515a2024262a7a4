import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// The Usage page's and export's query: one parser, one answer (month range, workspace filter).
@Suite("Usage query: months and workspaces") struct UsageQueryWebTests {
    static let usage = UsageWebTests.usage
    static let export = UsageWebTests.export

    /// The current month in UTC (the seeded org's zone), as the server computes it.
    static var current: UsageMonth { UsageMonth(containing: CivilDate(dayNumber: Int(Date().timeIntervalSince1970) / 86_400)) }

    @Test func monthsOutsideTheOrganizationAreRefusedWithTheSameStatusAndWordsOnPageAndCSV() throws {
        let t = try UsageWebTests.seeded()
        let client = try t.client(signedInAs: "owner@acme.test")
        let future = Self.current.next
        let cases: [(String, String)] = [
            (future.description, "\(future.title) has not begun yet: the latest month is \(Self.current.title)."),
            ("2999-12", "December 2999 has not begun yet"),
            ("1970-01", "January 1970 is before this organization’s first month, October 2026."),
            ("%FF", "“\u{FFFD}” is not a month (YYYY-MM)."),
            ("2026-13", "“2026-13” is not a month (YYYY-MM)."),
            ("2026-1%00", "is not a month (YYYY-MM)."),
        ]
        for (month, words) in cases {
            let page = client.get(Self.usage + "?month=" + month)
            #expect(page.status == 400, "\(month)")
            #expect(page.contains(words), "\(month)")
            #expect(page.contains("Showing \(Self.current.title) for the whole organization instead."))
            let csv = client.get(Self.export + "?month=" + month)
            #expect(csv.status == 400, "\(month)")
            #expect(csv.html.contains(words), "\(month): \(csv.html)")
            #expect(csv.raw.header("Content-Type") == "text/plain; charset=utf-8")
        }
        // The first and the current month are fine; the links stop at them.
        let first = client.get(Self.usage + "?month=2026-10")
        #expect(first.status == 200)
        #expect(!first.contains("rel=\"prev\""), "nothing before the organization's first month")
        let now = client.get(Self.usage + "?month=\(Self.current)")
        #expect(now.status == 200)
        #expect(!now.contains("rel=\"next\""), "the next link stops at the current month")
        #expect(!now.contains("<option value=\"\(future)\""))
        #expect(client.get(Self.export + "?month=2026-10").status == 200)
    }

    @Test func aWorkspaceFilterNarrowsPageAndCSVAndAnUnknownKeyIsA400OnBoth() throws {
        let t = try UsageWebTests.seeded()
        try t.database.createWorkspace(orgId: t.org.id!, key: "ops", name: "Operations", shared: true)
        let nov5 = Int64(CivilDate(year: 2026, month: 11, day: 5).dayNumber * 86_400)
        let outcome = try t.database.recordUsage([
            UsageEventInput(
                org: "acme", at: nov5, workspace: "ops", kind: "workflow_run", status: .success, provider: "",
                model: "", inputTokens: 0, outputTokens: 0, costMicros: 0, byok: false, idempotencyKey: "ops-1")
        ])
        #expect(outcome.imported == 1)
        let client = try t.client(signedInAs: "admin@acme.test")

        let all = client.get(Self.usage + "?month=2026-11")
        #expect(all.contains("<div><dt>Total runs</dt><dd>9</dd>"))
        #expect(all.contains("<option value=\"\">All workspaces</option>"))
        #expect(all.contains("<option value=\"ops\">Operations</option>"))

        let ops = client.get(Self.usage + "?month=2026-11&workspace=ops")
        #expect(ops.status == 200)
        #expect(ops.contains("<div><dt>Total runs</dt><dd>1</dd>"))
        #expect(ops.contains("<option value=\"ops\" selected>Operations</option>"))
        #expect(ops.contains(", workspace <strong>Operations</strong> only"))
        #expect(ops.contains("href=\"/orgs/acme/settings/usage?month=2026-10&amp;workspace=ops\" rel=\"prev\""))
        #expect(ops.contains("/usage/export.csv?month=2026-11&amp;workspace=ops"))
        let lab = client.get(Self.usage + "?month=2026-11&workspace=lab")
        #expect(lab.contains("<div><dt>Total runs</dt><dd>8</dd>"))

        let csv = client.get(Self.export + "?month=2026-11&workspace=ops")
        #expect(csv.status == 200)
        let lines = csv.html.split(separator: "\r\n")
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix("2026-11-05,ops,workflow_run,success,") == true)
        #expect(csv.raw.header("Content-Disposition") == "attachment; filename=\"usage-acme-ops-2026-11.csv\"")

        let words = "This organization has no workspace with the key “nope”."
        let page = client.get(Self.usage + "?month=2026-11&workspace=nope")
        #expect(page.status == 400)
        #expect(page.contains(words))
        let badCSV = client.get(Self.export + "?month=2026-11&workspace=nope")
        #expect(badCSV.status == 400)
        #expect(badCSV.html.contains(words))
    }

    @Test func theEmptyPageSpeaksToABrowserUserNotToAShell() throws {
        let t = try TestApp()
        let page = try t.client(signedInAs: "owner@acme.test").get(Self.usage)
        #expect(page.status == 200)
        #expect(page.contains("No usage in \(Self.current.title)"))
        #expect(page.contains("ask the person who operates your Wheelhouse server"))
        #expect(!page.contains("wheelhouse usage import"))
        #expect(!page.contains("<code>"))
    }

    @Test func aTimeZoneChangeShowsTheRebuildsProgressAndOneZoneAtATime() throws {
        let t = try UsageWebTests.seeded()
        let nov10 = Int64(CivilDate(year: 2026, month: 11, day: 10).dayNumber * 86_400)
        // Enough events for a background rebuild (more than one batch).
        let events = (0..<6_000).map { i in
            UsageEventInput(
                org: "acme", at: nov10 + Int64(i * 37), workspace: "lab", kind: "workflow_run", status: .success,
                provider: "", model: "", inputTokens: 0, outputTokens: 0, costMicros: 0, byok: false,
                idempotencyKey: "bulk-\(i)")
        }
        #expect(try t.database.recordUsage(events).imported == 6_000)
        let client = try t.client(signedInAs: "owner@acme.test")
        let general = "/orgs/acme/settings/general"
        let form = client.get(general)
        let saved = client.post(
            general,
            [
                ("_csrf", form.csrf), ("version", form.inputValue("version") ?? "1"),
                ("display_name", "Acme"), ("description", ""), ("member_limit", "25"),
                ("time_zone", "Asia/Tokyo"),
            ])
        #expect(saved.status == 303)
        let during = client.get(Self.usage + "?month=2026-11")
        #expect(during.contains("Recalculating for the new time zone: 0 %."))
        #expect(during.contains("still days in UTC until the usage of every day has been moved to Asia/Tokyo"))
        #expect(during.contains("days in the UTC time zone"))
        #expect(try t.database.runUsageRebuildBatch(batchSize: 3_000))
        #expect(client.get(Self.usage + "?month=2026-11").contains("Recalculating for the new time zone: 49 %."))
        while try t.database.runUsageRebuildBatch(batchSize: 3_000) {}
        let after = client.get(Self.usage + "?month=2026-11")
        #expect(!after.contains("Recalculating"))
        #expect(after.contains("days in the Asia/Tokyo time zone"))
        #expect(after.contains("<div><dt>Total runs</dt><dd>6,008</dd>"))
    }
}
