import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("Usage tab, in process") struct UsageWebTests {
    static let usage = "/orgs/acme/settings/usage"
    static let export = "/orgs/acme/settings/usage/export.csv"

    /// Events in November and October 2026 (UTC) for `acme`'s workspace `lab`.
    static func seeded(mode: DeploymentMode = .saas) throws -> TestApp {
        let t = try TestApp(mode: mode)
        try t.database.createWorkspace(orgId: t.org.id!, key: "lab", name: "Lab", shared: true)
        let nov3 = Int64(CivilDate(year: 2026, month: 11, day: 3).dayNumber * 86_400)
        let oct9 = Int64(CivilDate(year: 2026, month: 10, day: 9).dayNumber * 86_400)
        var events: [UsageEventInput] = []
        func add(_ at: Int64, _ kind: String, _ status: UsageStatus, _ provider: String, _ model: String, cost: Int64, byok: Bool = false) {
            events.append(
                UsageEventInput(
                    org: "acme", at: at, workspace: "lab", kind: kind, status: status, provider: provider,
                    model: model, inputTokens: 100, outputTokens: 20, costMicros: cost, byok: byok,
                    idempotencyKey: "k\(events.count)"))
        }
        for i in 0..<7 { add(nov3 + Int64(i * 60), "workflow_run", i == 0 ? .error : .success, "", "", cost: 0) }
        add(nov3 + 86_400, "workflow_run", .success, "", "", cost: 0)
        add(nov3 + 100, "llm_call", .success, "openai", "gpt-4o", cost: 2_500_000)
        add(nov3 + 86_400 + 5, "llm_call", .success, "anthropic", "claude-sonnet-4", cost: 1_250_000, byok: true)
        add(oct9, "workflow_run", .success, "", "", cost: 0)
        add(oct9 + 1, "workflow_run", .success, "", "", cost: 0)
        #expect(try t.database.recordUsage(events).imported == events.count)
        return t
    }

    /// Every `<svg>…</svg>` of a page, parsed as XML: the bars' titles by series class.
    final class SVGBars: NSObject, XMLParserDelegate {
        var series: [String: [String]] = [:]
        private var group: String?
        private var inTitle = false
        private var text = ""
        private var depth = 0

        func parse(_ svg: String) -> Bool {
            let parser = XMLParser(data: Data(svg.utf8))
            parser.delegate = self
            return parser.parse()
        }

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if name == "g" { group = attributes["class"] }
            if name == "path", group != nil { depth += 1 }
            if name == "title", depth > 0 { inTitle = true; text = "" }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { if inTitle { text += string } }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "title", inTitle { series[group!, default: []].append(text); inTitle = false }
            if name == "path", depth > 0 { depth -= 1 }
            if name == "g" { group = nil }
        }
    }

    static func svgs(_ html: String) -> [String] {
        html.components(separatedBy: "<svg ").dropFirst().map { "<svg " + $0.components(separatedBy: "</svg>")[0] + "</svg>" }
    }

    /// The daily table's rows: date → cells.
    static func tableRows(_ html: String) -> [String: [String]] {
        var rows: [String: [String]] = [:]
        for chunk in html.components(separatedBy: "<tr><th scope=\"row\"><time datetime=\"").dropFirst() {
            let date = String(chunk.prefix(10))
            let cells = chunk.components(separatedBy: "<td class=\"num\">").dropFirst().map { String($0.prefix { $0 != "<" }) }
            rows[date] = cells
        }
        return rows
    }

    @Test func ownerSeesCardsChartsAndTableAndTheChartsAreWellFormedAndMatchTheTable() throws {
        let t = try Self.seeded()
        let page = try t.client(signedInAs: "owner@acme.test").get(Self.usage + "?month=2026-11")
        #expect(page.status == 200)
        #expect(page.contains("<div><dt>Total runs</dt><dd>8</dd><dd class=\"change change-up\">▲ +300.0 % vs October</dd></div>"))
        #expect(page.contains("<div><dt>Success rate</dt><dd>87.5 %</dd>"))
        #expect(page.contains("<div><dt>AI credits used</dt><dd>€2.50 EUR</dd>"), "BYOK spend costs no credits")
        #expect(page.contains("<div><dt>Monthly spend</dt><dd>€3.75 EUR</dd></div>"), "BYOK spend is still counted")
        #expect(page.contains("<div><dt>Total tokens</dt><dd>1,200</dd>"))
        #expect(page.contains("<span class=\"badge\">BYOK</span> claude-sonnet-4 ran on your organization’s own provider key"))
        #expect(page.contains("<meter id=\"runs-meter\" min=\"0\" max=\"10000\" value=\"8\">"))
        #expect(page.contains("resets on <time datetime=\"2026-12-01\">1 December 2026</time>") || !page.contains("resets on"))

        let svgs = Self.svgs(page.html)
        #expect(svgs.count == 2 + 2, "two charts and two breakdown bars")
        let bars = SVGBars()
        for svg in svgs { #expect(bars.parse(svg), "well-formed XML: \(svg.prefix(80))") }
        #expect(bars.series["c-ok"] == ["Nov 3, successful runs: 6", "Nov 4, successful runs: 1"])
        #expect(bars.series["c-err"] == ["Nov 3, failed runs: 1"])
        #expect(bars.series["c-m0"] == ["Nov 3, spent on gpt-4o: 2.50"])
        #expect(bars.series["c-m1"] == ["Nov 4, spent on claude-sonnet-4: 1.25"])

        // The table has the same numbers: successful, failed, one column per model, spend, credits, tokens.
        let rows = Self.tableRows(page.html)
        // Days up to today: all 30 once November 2026 is over.
        let today = Int(Date().timeIntervalSince1970) / 86_400
        let expectedRows =
            UsageMonth(containing: CivilDate(dayNumber: today)) == UsageMonth(year: 2026, month: 11)
            ? CivilDate(dayNumber: today).day : 30
        #expect(rows.count == expectedRows)
        #expect(rows["2026-11-03"] == ["6", "1", "2.50", "0.00", "2.50", "2.50", "960"])
        #expect(rows["2026-11-04"] == ["1", "0", "0.00", "1.25", "1.25", "0.00", "240"])
        for (series, titles) in bars.series {
            for title in titles {
                let parts = title.components(separatedBy: ", ")
                let value = parts.last!.components(separatedBy: ": ").last!
                let day = Int(parts[0].split(separator: " ")[1])!
                let column = ["c-ok": 0, "c-err": 1, "c-m0": 2, "c-m1": 3][series]!
                #expect(rows[String(format: "2026-11-%02d", day)]?[column] == value, "\(title)")
            }
        }
    }

    @Test func monthsSwitchByLinkAndSelectAndEmptyMonthsSaySo() throws {
        let t = try Self.seeded()
        let client = try t.client(signedInAs: "admin@acme.test")
        let october = client.get(Self.usage + "?month=2026-10")
        #expect(october.status == 200)
        #expect(
            october.contains("<div><dt>Total runs</dt><dd>2</dd><dd class=\"change change-flat\">none in September either</dd>")
                || october.contains("<div><dt>Total runs</dt><dd>2</dd><dd class=\"change change-up\">new since September</dd>"))
        #expect(october.contains("<a class=\"button\" href=\"/orgs/acme/settings/usage?month=2026-11\" rel=\"next\">November 2026 →</a>"))
        #expect(october.contains("<option value=\"2026-10\" selected>October 2026</option>"))
        #expect(october.contains("<option value=\"2026-11\">November 2026</option>"))
        try t.database.createWorkspace(orgId: t.org.id!, key: "quiet", name: "Quiet", shared: true)
        let empty = client.get(Self.usage + "?month=2026-10&workspace=quiet")
        #expect(empty.status == 200)
        #expect(empty.contains("No usage in October 2026"))
        #expect(!empty.contains("<svg viewBox=\"0 0 720 250\""))
        let bad = client.get(Self.usage + "?month=2026-13")
        #expect(bad.status == 400)
        #expect(bad.contains("“2026-13” is not a month (YYYY-MM)."))
    }

    @Test func memberGets403OutsiderGets404AndTheNavShowsUsageOnlyToOwnersAndAdmins() throws {
        let t = try Self.seeded()
        let member = try t.client(signedInAs: "member@acme.test")
        #expect(member.get(Self.usage).status == 403)
        #expect(member.get(Self.usage).contains("You need the Admin role"))
        #expect(member.get(Self.export + "?month=2026-11").status == 403)
        #expect(!member.get("/orgs/acme/settings/general").contains("/settings/usage"))
        let outsider = try t.client(signedInAs: "out@other.test")
        #expect(outsider.get(Self.usage).status == 404)
        #expect(outsider.get(Self.export + "?month=2026-11").status == 404)
        let owner = try t.client(signedInAs: "owner@acme.test")
        #expect(owner.get("/orgs/acme/settings/general").contains("<a href=\"/orgs/acme/settings/usage\">Usage</a>"))
        #expect(owner.get(Self.usage + "/nothing").status == 404)
        #expect(owner.send("POST", Self.usage).status == 405)
        #expect(t.client().get(Self.usage).status == 303, "signed out: to the sign-in page")
    }

    @Test func csvExportParsesBackToTheRollups() throws {
        let t = try Self.seeded()
        let response = try t.client(signedInAs: "owner@acme.test").get(Self.export + "?month=2026-11")
        #expect(response.status == 200)
        #expect(response.raw.header("Content-Type") == "text/csv; charset=utf-8")
        #expect(response.raw.header("Content-Disposition") == "attachment; filename=\"usage-acme-2026-11.csv\"")
        let records = Self.parseCSV(response.html)
        // The money columns name the deployment's currency.
        #expect(records.first == UsageCSV.header(.eur))
        #expect(records.first?.suffix(2) == ["cost_eur", "credits_eur"])
        let body = records.dropFirst()
        #expect(body.count == 5)
        let events = body.reduce(0) { $0 + Int($1[6])! }
        #expect(events == 10)
        #expect(body.map { $0[10] }.sorted() == ["0.000000", "0.000000", "0.000000", "1.250000", "2.500000"])
        #expect(body.first { $0[5] == "claude-sonnet-4" }?[11] == "0.000000", "BYOK: no credits")
        #expect(body.allSatisfy { $0[1] == "lab" && $0[0].hasPrefix("2026-11-0") })
    }

    @Test func csvQuotesCommasQuotesAndLineBreaks() {
        #expect(UsageCSV.line(["plain", "a,b", "say \"hi\"", "two\nlines", ""]) == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n")
        #expect(Self.parseCSV(UsageCSV.line(["a,b", "say \"hi\"", "two\r\nlines"])) == [["a,b", "say \"hi\"", "two\r\nlines"]])
    }

    /// RFC 4180, for reading the export back.
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = [], record: [String] = [], field = "", quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                record.append(field); field = ""
            } else if c == "\r\n" || c == "\n" {
                record.append(field); records.append(record); record = []; field = ""
            } else {
                field.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }

    @Test func enterpriseModeHasNoPlanMeter() throws {
        let t = try Self.seeded(mode: .enterprise)
        let page = try t.client(signedInAs: "owner@acme.test").get(Self.usage + "?month=2026-11")
        #expect(page.status == 200)
        #expect(!page.contains("runs-meter"))
    }

    @Test func generalRefusesAnUnknownTimeZoneWith422AndStoresAValidOne() throws {
        let t = try Self.seeded()
        let client = try t.client(signedInAs: "owner@acme.test")
        let general = "/orgs/acme/settings/general"
        let page = client.get(general)
        #expect(page.contains("name=\"time_zone\" type=\"text\" value=\"UTC\""))
        let before = try t.snapshot()
        for bad in ["Mars/Olympus_Mons", "", "Europe/Berlin\u{7}"] {
            let response = client.post(
                general,
                [
                    ("_csrf", page.csrf), ("version", "1"), ("display_name", "Acme"),
                    ("description", ""), ("member_limit", "25"), ("time_zone", bad),
                ])
            #expect(response.status == 422, "\(bad)")
            #expect(response.contains("Time zone") && response.contains("aria-invalid=\"true\""))
            #expect(try t.snapshot() == before)
        }
        let saved = client.post(
            general,
            [
                ("_csrf", page.csrf), ("version", "1"), ("display_name", "Acme"),
                ("description", ""), ("member_limit", "25"), ("time_zone", "Asia/Tokyo"),
            ])
        #expect(saved.status == 303)
        #expect(try t.snapshot().org.timeZone == "Asia/Tokyo")
        #expect(client.get(Self.usage + "?month=2026-11").contains("days in the Asia/Tokyo time zone"))
    }
}
