import Foundation
import WheelhouseCore

/// The Usage tab: a month of an organization's usage, read from the daily rollups.
///
/// - `GET /orgs/{org}/settings/usage?month=YYYY-MM` — Owner, Admin (`viewUsage`); the current month
///   of the org's time zone when `month` is absent; an unreadable `month` answers 400 with the
///   current month and a notice
/// - `GET /orgs/{org}/settings/usage/export.csv?month=YYYY-MM` — Owner, Admin (`viewUsage`): the
///   month's rollup rows (day × workspace × provider × model × kind × status) as RFC 4180 CSV
struct UsageController {
    let app: WebApp

    /// The pages below the tab.
    enum Page {
        case export

        init?(_ segments: [String]) {
            switch segments {
            case ["export.csv"]: self = .export
            default: return nil
            }
        }
    }

    func show(_ visit: Visit, access: OrgAccess) throws -> Response {
        try access.require(.viewUsage)
        let today = app.database.usageToday(of: access.org)
        let current = UsageMonth(containing: today)
        let (month, problem) = requestedMonth(visit, current: current)
        let report = try app.database.usageReport(orgId: access.org.id!, month: month)
        var context = try app.layout(visit, title: "Usage · \(access.org.displayName)", access: access, tab: .usage)
        UsagePage(report: report, today: today, orgKey: access.org.key, saas: app.config.mode == .saas)
            .fill(&context)
        if let problem { context["monthProblem"] = problem }
        return app.page("settings/usage", context, status: problem == nil ? 200 : 400)
    }

    func page(_ segments: [String], visit: Visit, access: OrgAccess) throws -> Response {
        guard let page = Page(segments) else { throw WebError.notFound }
        try access.require(.viewUsage)
        switch page {
        case .export:
            let (month, problem) = requestedMonth(visit, current: app.database.currentUsageMonth(of: access.org))
            if problem != nil { throw WebError.notFound }
            let rows = try app.database.usageExportRows(orgId: access.org.id!, month: month)
            return Response(status: 200, headers: [
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Disposition", "attachment; filename=\"usage-\(access.org.key)-\(month).csv\""),
            ], body: Array(UsageCSV.document(rows).utf8))
        }
    }

    /// The `month` query parameter, or the current month (with a notice when it was unreadable).
    private func requestedMonth(_ visit: Visit, current: UsageMonth) -> (UsageMonth, String?) {
        guard let text = visit.request.queryItems["month"], !text.isEmpty else { return (current, nil) }
        guard let month = UsageMonth(text) else {
            return (current, "“\(String(text.prefix(20)))” is not a month (YYYY-MM): showing \(current.title) instead.")
        }
        return (month, nil)
    }
}

/// The export: one header line, then one line per rollup row, CRLF line ends, fields quoted when
/// they hold a comma, a quote or a line break (RFC 4180). Money in exact micro-units as decimals.
enum UsageCSV {
    static let header = ["date", "workspace", "kind", "status", "provider", "model", "events", "byok_events",
                         "input_tokens", "output_tokens", "cost", "credits"]

    static func document(_ rows: [UsageExportRow]) -> String {
        var out = line(header)
        for r in rows {
            out += line([r.date.description, r.workspace, r.kind, r.status.rawValue, r.provider, r.model,
                         String(r.events), String(r.byokEvents), String(r.inputTokens), String(r.outputTokens),
                         UsageFormat.exactMoney(r.costMicros), UsageFormat.exactMoney(r.creditsMicros)])
        }
        return out
    }

    static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    static func field(_ value: String) -> String {
        // Bytes, not Characters: "\r\n" is one Character and equals neither "\r" nor "\n".
        guard value.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
