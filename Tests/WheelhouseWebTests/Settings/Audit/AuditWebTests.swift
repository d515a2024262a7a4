import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("Audit log tab, in process") struct AuditWebTests {
    static let audit = "/orgs/acme/settings/audit"
    /// 2026-11-03 00:30:00 UTC: 09:30 the same day in Tokyo.
    static let instant = Date(timeIntervalSince1970: Double(CivilDate(year: 2026, month: 11, day: 3).dayNumber * 86_400 + 1800))

    static func seed(_ t: TestApp, _ count: Int, action: AuditAction = .teamCreate, target: String = "t", summary: String = "s") throws {
        try t.database.seedAuditEvents(
            (0..<count).map { i in
                AuditEvent(
                    orgId: t.org.id!, actorUserId: t.admin.id!, action: action, target: "\(target)\(i)", summary: summary,
                    address: "192.0.2.7", createdAt: instant.addingTimeInterval(Double(i)))
            })
    }

    /// A change made through the console is found by its action, in the org's time zone, with UTC on hover.
    @Test func aChangeIsFoundByItsActionInTheOrganizationsTimeZone() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let general = client.get("/orgs/acme/settings/general")
        let saved = client.post(
            "/orgs/acme/settings/general",
            [
                ("_csrf", general.csrf), ("version", "1"), ("display_name", "Acme"), ("description", ""),
                ("member_limit", "25"), ("time_zone", "Asia/Tokyo"),
            ])
        #expect(saved.status == 303)
        try Self.seed(t, 1)
        let page = client.get(Self.audit + "?action=organization.update")
        #expect(page.status == 200)
        #expect(page.contains("Organization settings changed") && page.contains("Olga Owner"))
        #expect(!page.contains("<span title=\"team.create\">"))
        #expect(page.contains("<option value=\"organization.update\" selected>"))
        #expect(page.contains("<optgroup label=\"Members and invitations\">"))
        let teams = client.get(Self.audit + "?action=team.create")
        #expect(teams.contains("<time datetime=\"2026-11-03T00:30:00Z\" title=\"3 Nov 2026, 00:30 UTC\">3 Nov 2026, 09:30</time>"))
        #expect(teams.contains("Ada Admin") && teams.contains("192.0.2.7") && teams.contains("When (Asia/Tokyo)"))
        // Days of the range are Tokyo days: 3 Nov in Tokyo begins at 15:00 UTC on 2 Nov.
        #expect(client.get(Self.audit + "?action=team.create&from=2026-11-03&to=2026-11-03").contains("t0"))
        #expect(!client.get(Self.audit + "?action=team.create&from=2026-11-04").contains("t0"))
        #expect(client.get(Self.audit + "?actor=\(t.admin.id!)").contains("t0"))
        #expect(!client.get(Self.audit + "?actor=system").contains("t0"))
        #expect(client.get(Self.audit + "?q=T0").contains("t0"))
    }

    /// Bad values: the page with a 400 and the message beside the field; the exports refuse them in plain text.
    static let badQueries: [(query: String, message: String)] = [
        ("action=member.explode", "“member.explode” is not an action of the audit log."),
        ("actor=99999", "“99999” is not a person of this organization’s log."),
        ("actor=abc", "“abc” is not a person of this organization’s log."),
        ("from=2026-13-01", "“2026-13-01” is not a date (YYYY-MM-DD)."),
        ("to=2026-02-30", "“2026-02-30” is not a date (YYYY-MM-DD)."),
        ("from=yesterday", "“yesterday” is not a date (YYYY-MM-DD)."),
        ("from=2026-11-02&to=2026-11-01", "The end date is before the start date."),
        ("q=" + String(repeating: "x", count: 201), "The search text is longer than 200 characters."),
        ("before=abc", "“abc” is not a page of the log: showing the newest entries."),
        ("after=-4", "“-4” is not a page of the log: showing the newest entries."),
        ("from=%FF%FE", "is not a date (YYYY-MM-DD)."),
    ]

    @Test(arguments: badQueries)
    func aBadValueIsA400WithAMessageBesideItsField(_ bad: (query: String, message: String)) throws {
        let t = try TestApp()
        try Self.seed(t, 2)
        let client = try t.client(signedInAs: "admin@acme.test")
        let page = client.get(Self.audit + "?" + bad.query)
        #expect(page.status == 400, "\(bad.query)")
        #expect(page.contains(bad.message), "\(bad.query)")
        #expect(page.contains("t1"), "the log is still shown")
        #expect(!page.contains("type=\"date\" value=\"2026-13") && !page.contains("value=\"yesterday\""), "a date input holds dates only")
        if !bad.query.hasPrefix("before") && !bad.query.hasPrefix("after") { #expect(page.contains("aria-invalid=\"true\"")) }
        for export in ["/export.csv", "/export.jsonl"] {
            let refused = client.get(Self.audit + export + "?" + bad.query)
            #expect(refused.status == 400 && refused.raw.header("Content-Type")?.hasPrefix("text/plain") == true)
        }
    }

    /// Pages of 50 by id, the filter kept in the Next and Previous links.
    @Test func pagesKeepTheFilter() throws {
        let t = try TestApp()
        try Self.seed(t, 70)
        try Self.seed(t, 5, action: .secretRotate, target: "other")
        let client = try t.client(signedInAs: "owner@acme.test")
        let first = client.get(Self.audit + "?action=team.create&q=t")
        #expect(first.html.components(separatedBy: "<tr><td><time").count - 1 == 50)
        #expect(first.contains("t69") && !first.contains("other0") && !first.contains("rel=\"prev\""))
        let next = try #require(first.html.firstMatch(of: /href="([^"]+)" rel="next"/)).1
        #expect(next.hasPrefix(Self.audit + "?action=team.create&amp;q=t&amp;before="))
        let second = client.get(String(next).replacingOccurrences(of: "&amp;", with: "&"))
        #expect(second.html.components(separatedBy: "<tr><td><time").count - 1 == 20)
        #expect(second.contains("t0") && !second.contains("t69") && !second.contains("rel=\"next\""))
        #expect(second.contains("rel=\"prev\"") && second.contains("action=team.create&amp;q=t&amp;after="))
    }

    /// Cells that a spreadsheet would run get a leading `'`; quotes, commas and line breaks are quoted.
    @Test func theCSVIsSafeInASpreadsheet() throws {
        let t = try TestApp()
        let risky = ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "a,b", "two\r\nlines"]
        try t.database.seedAuditEvents(
            risky.map { text in
                AuditEvent(
                    orgId: t.org.id!, actorUserId: nil, action: .providerUpdate, target: text, summary: "safe", address: "cli",
                    createdAt: Self.instant)
            })
        let client = try t.client(signedInAs: "owner@acme.test")
        let csv = client.get(Self.audit + "/export.csv?action=provider.update")
        #expect(csv.status == 200)
        #expect(csv.raw.header("Content-Disposition") == "attachment; filename=\"audit-acme-action-provider.update.csv\"")
        let lines = csv.html.components(separatedBy: "\r\n")
        #expect(lines.first == "id,time_utc,actor_name,actor_email,action,action_title,target,summary,address,user_agent")
        for expected in [
            ",\"'=HYPERLINK(\"\"http://x\"\")\",", ",'+1,", ",'-2,", ",'@SUM(A1),", ",'\tx,", ",\"'\rx\",", ",\"a,b\",",
            ",\"two\r\nlines\",",
        ] {
            #expect(csv.html.contains(expected), "\(expected.debugDescription)")
        }
        #expect(csv.contains(",System,,provider.update,Provider changed,"))
        let jsonl = client.get(Self.audit + "/export.jsonl?action=provider.update&q=%3D")
        #expect(jsonl.raw.header("Content-Disposition") == "attachment; filename=\"audit-acme-action-provider.update-q-_.jsonl\"")
        let objects = jsonl.html.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == 1 && objects.first??["target"] as? String == "=HYPERLINK(\"http://x\")")
    }

    @Test func anEmptyLogSaysSo() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        #expect(client.get(Self.audit + "?action=masterKey.rotate").contains("No entry matches this filter."))
        #expect(client.get(Self.audit).contains("Audit log</a>"))
    }
}
