import Foundation
import WheelhouseCore

/// The Usage tab: a month of an organization's usage, read from the daily rollups.
///
/// - `GET /orgs/{org}/settings/usage?month=YYYY-MM` — Owner, Admin (`viewUsage`); the current month
///   of the org's time zone when `month` is absent; `workspace=key` narrows it to one workspace. A
///   `month` that is unreadable, before the organization's first month or after the current one,
///   or an unknown workspace, answers 400 with the current month and a notice (`UsageQuery`)
/// - `GET /orgs/{org}/settings/usage/export.csv?month=YYYY-MM` — Owner, Admin (`viewUsage`): the
///   month's rollup rows (day × workspace × provider × model × kind × status) as RFC 4180 CSV, with
///   the same `workspace` filter; a query the page refuses is a 400 here too, in plain text
struct UsageController {
    let shell: Shell
    let database: AppDatabase

    func respond(_ route: UsageRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        switch route {
        case .show: try show(visit, access: access)
        case .export: try export(visit, access: access)
        }
    }

    func show(_ visit: Visit, access: OrgAccess) throws -> Response {
        try access.require(.viewUsage)
        let today = database.usageToday(of: access.org)
        let (query, months, workspaces) = try parse(visit, access: access)
        let report = try database.usageReport(orgId: access.org.id!, month: query.month, workspaceId: query.workspace?.id)
        var context = try shell.layout(visit, title: "Usage · \(access.org.displayName)", access: access, tab: .usage)
        UsagePage(
            report: report, today: today, orgKey: access.org.key, saas: shell.config.mode == .saas,
            firstMonth: months.lowerBound, workspace: query.workspace, workspaces: workspaces, currency: shell.config.currency
        )
        .fill(&context)
        if let problem = query.problem {
            context["monthProblem"] = TemplateValue.text("\(problem) Showing \(query.month.title) for the whole organization instead.")
        }
        return shell.page(.usage, context, status: query.problem == nil ? 200 : 400)
    }

    func export(_ visit: Visit, access: OrgAccess) throws -> Response {
        try access.require(.viewUsage)
        let (query, _, _) = try parse(visit, access: access)
        if let problem = query.problem {
            return Response(
                status: 400, headers: [("Content-Type", "text/plain; charset=utf-8")],
                body: Array("\(problem)\n".utf8))
        }
        let rows = try database.usageExportRows(
            orgId: access.org.id!, month: query.month,
            workspaceId: query.workspace?.id)
        // Only safe characters of the workspace key go into the header's quoted file name.
        let workspace = query.workspace.map { "-" + $0.key.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } }
        let name = "usage-\(access.org.key)\(workspace ?? "")-\(query.month).csv"
        return Response(
            status: 200,
            headers: [
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Disposition", "attachment; filename=\"\(name)\""),
            ], body: Array(UsageCSV.document(rows, currency: shell.config.currency).utf8))
    }

    /// The query, with the organization's months and workspaces it was checked against.
    private func parse(_ visit: Visit, access: OrgAccess) throws
        -> (UsageQuery, ClosedRange<UsageMonth>, [UsageWorkspace])
    {
        let months = try database.usageMonths(of: access.org)
        let workspaces = try database.usageWorkspaces(orgId: access.org.id!)
        return (UsageQuery.parse(visit.request.query, months: months, workspaces: workspaces), months, workspaces)
    }
}

/// The export: one header line, then one line per rollup row, CRLF line ends, fields quoted when
/// they hold a comma, a quote or a line break (RFC 4180). Money in exact micro-units as decimals.
enum UsageCSV {
    static let header = [
        "date", "workspace", "kind", "status", "provider", "model", "events", "byok_events",
        "input_tokens", "output_tokens", "cost", "credits",
    ]

    /// The money columns name the currency: `cost_eur`, `credits_eur`.
    static func header(_ currency: Currency) -> [String] {
        header.map { $0 == "cost" || $0 == "credits" ? "\($0)_\(currency.code.lowercased())" : $0 }
    }

    static func document(_ rows: [UsageExportRow], currency: Currency = .eur) -> String {
        var out = line(header(currency))
        for r in rows {
            out += line([
                r.date.description, r.workspace, r.kind, r.status.rawValue, r.provider, r.model,
                String(r.events), String(r.byokEvents), String(r.inputTokens), String(r.outputTokens),
                UsageFormat.exactMoney(r.costMicros), UsageFormat.exactMoney(r.creditsMicros),
            ])
        }
        return out
    }

    static func line(_ fields: [String]) -> String { CSV.line(fields) }

    static func field(_ value: String) -> String { CSV.field(value) }
}
