import Synchronization
import WheelhouseCore

/// The Usage page's template values for one report: month picker, cards, the two charts, the
/// model breakdown, the plan meter and the table behind the charts.
struct UsagePage {
    let report: UsageReport
    /// Today in the org's zone: its month is the last the picker offers, and the table stops
    /// at it (later days of the month have no usage yet).
    let today: CivilDate
    var current: UsageMonth { UsageMonth(containing: today) }
    let orgKey: String
    let saas: Bool
    /// The organization's first month: the previous link stops there.
    let firstMonth: UsageMonth
    /// The workspace the page is narrowed to, nil for the whole organization.
    let workspace: UsageWorkspace?
    let workspaces: [UsageWorkspace]
    /// The deployment's currency: the money cards show its symbol and code, the tables' headers its code.
    var currency: Currency = .eur

    /// Models drawn in their own colour; the rest are summed as "Other models".
    static let shownModels = 5

    func href(_ month: UsageMonth) -> String {
        Route.org(orgKey, .usage(.show)).path(query: query(month))
    }

    /// `month=…` and, when narrowed, `workspace=…`: what the page's links keep.
    func query(_ month: UsageMonth) -> [(String, String)] {
        [("month", "\(month)")] + (workspace.map { [("workspace", $0.key)] } ?? [])
    }

    /// Adds the page's values to the layout's context, built once per report (`UsagePageMemo`).
    func fill(_ context: inout TemplateObject) {
        for (key, value) in UsagePageMemo.shared.values(for: self).entries { context[key] = value }
    }

    /// Everything the page adds to the layout, as a pure function of the report, the current
    /// month, the org key and the mode.
    var values: TemplateObject {
        var context: TemplateObject = [:]
        context["currencyCode"] = TemplateValue.text(currency.code)
        let month = report.month
        let previous = month.previous
        context["usage"] =
            [
                "month": .text(month.title), "timeZone": .text(report.timeZone), "toDate": .flag(month == current),
                "formAction": .text(Route.org(orgKey, .usage(.show)).path),
                "exportHref": .text(Route.org(orgKey, .usage(.export)).path(query: query(month))),
                "workspace": workspace.map { .text($0.name) } ?? .flag(false),
                "workspaceOptions": .list(
                    workspaces.map { option in
                        .object(["value": .text(option.key), "title": .text(option.name), "selected": .flag(option == workspace)])
                    }),
            ] as TemplateObject
        if month > firstMonth {
            context["previousMonth"] = ["href": .text(href(previous)), "title": .text(previous.title)] as TemplateObject
        }
        if month < current {
            context["nextMonth"] = ["href": .text(href(month.next)), "title": .text(month.next.title)] as TemplateObject
        }
        var options = report.monthsWithData.filter { $0 >= firstMonth && $0 <= current }
        if !options.contains(month) { options.append(month) }
        if !options.contains(current) { options.append(current) }
        options.sort(by: >)
        context["monthOptions"] = TemplateValue.list(
            options.map { option in
                .object(["value": .text(option.description), "title": .text(option.title), "selected": .flag(option == month)])
            })
        if let rebuild = report.rebuild {
            context["rebuild"] =
                [
                    "banner": .object([
                        "kind": "info", "heading": .text("Recalculating for the new time zone: \(rebuild.percent) %."),
                        "text": .text(
                            "Days on this page are still days in \(rebuild.liveZone) until the usage of every day has been "
                                + "moved to \(rebuild.targetZone); then the whole page switches at once. Reload to see the progress."),
                    ])
                ] as TemplateObject
        }
        context["cards"] = cards(previous: previous)
        if saas {
            let used = report.totals.runs, limit = report.plan.monthlyRuns
            let reset = month.next.first
            context["meter"] =
                [
                    "plan": .text(report.plan.name), "used": .text(UsageFormat.count(used)), "usedValue": .number(Int(min(used, limit))),
                    "limit": .text(UsageFormat.count(limit)), "limitValue": .number(Int(limit)),
                    "percent": .text(UsageFormat.percent(used, of: limit) ?? "0.0 %"), "over": .flag(used >= limit),
                    "reset": .text(UsageFormat.longDay(reset)), "resetISO": .text(reset.description),
                    "isCurrent": .flag(month == current),
                ] as TemplateObject
        }
        if report.isEmpty {
            context["empty"] = ["month": .text(month.title)] as TemplateObject
            return context
        }
        let spend = spendChart
        context["runsChart"] = runsChart.context
        context["ai"] = ai(spend)
        context["table"] = table(spend)
        return context
    }

    /// The table behind the charts: per day, the runs chart's two series, the spend chart's
    /// series (one column per drawn model), and the day's totals.
    private func table(_ chart: StackedBarChart) -> TemplateObject {
        let spend = chart.series
        // Up to today, or to the last day with usage if events were dated later.
        let lastWithData = report.days.last { $0.events > 0 }?.date
        let lastShown = max(today, lastWithData ?? today)
        return [
            "models": .list(spend.map { .text(String($0.label.dropFirst("spent on ".count))) }),
            "rows": .list(
                report.days.enumerated().filter { _, day in day.date <= lastShown }.map { i, day in
                    .object([
                        "date": .text(UsageFormat.longDay(day.date)), "iso": .text(day.date.description),
                        "ok": .text(UsageFormat.count(day.successfulRuns)), "failed": .text(UsageFormat.count(day.failedRuns)),
                        "costs": .list(spend.map { .text(UsageFormat.money($0.values[i])) }),
                        "spend": .text(UsageFormat.money(day.costMicros)), "credits": .text(UsageFormat.money(day.creditsMicros)),
                        "tokens": .text(UsageFormat.count(day.tokens)),
                    ])
                }),
        ]
    }

    private func cards(previous: UsageMonth) -> TemplateValue {
        let t = report.totals, p = report.previous
        func card(_ label: String, _ value: String, _ change: (String, String)) -> TemplateValue {
            .object(["label": .text(label), "value": .text(value), "change": .text(change.0), "direction": .text(change.1)])
        }
        return .list([
            card("Total runs", UsageFormat.count(t.runs), UsageFormat.change(t.runs, p.runs, previous: previous)),
            card(
                "Success rate", UsageFormat.percent(t.successfulRuns, of: t.runs) ?? "–",
                UsageFormat.pointsChange(t.successfulRuns, of: t.runs, p.successfulRuns, of: p.runs, previous: previous)),
            card(
                "AI credits used", currency.format(micros: t.creditsMicros, withCode: true),
                UsageFormat.change(t.creditsMicros, p.creditsMicros, previous: previous)),
            card("Total tokens", UsageFormat.count(t.tokens), UsageFormat.change(t.tokens, p.tokens, previous: previous)),
        ])
    }

    var runsChart: StackedBarChart {
        let t = report.totals
        return StackedBarChart(
            id: "runs-chart", title: "Daily executions, \(report.month.title)",
            desc: "Workflow runs per day in \(report.timeZone): \(UsageFormat.count(t.successfulRuns)) successful (green) and "
                + "\(UsageFormat.count(t.failedRuns)) failed (red, striped), stacked.",
            days: report.days.map(\.date),
            series: [
                .init(cls: "c-ok", label: "successful runs", values: report.days.map(\.successfulRuns)),
                .init(cls: "c-err", label: "failed runs", values: report.days.map(\.failedRuns)),
            ],
            format: UsageFormat.count, hatched: true)
    }

    var spendChart: StackedBarChart {
        let models = report.models
        var series: [StackedBarChart.Series] = []
        for (i, model) in models.prefix(Self.shownModels).enumerated() {
            series.append(.init(cls: "c-m\(i)", label: "spent on \(model.model)", values: report.days.map { $0.costByModel[i] }))
        }
        if models.count > Self.shownModels {
            series.append(
                .init(
                    cls: "c-m\(Self.shownModels)", label: "spent on other models",
                    values: report.days.map {
                        $0.costByModel.dropFirst(Self.shownModels).reduce(0) { $0.plusHeld($1) }
                    }))
        }
        return StackedBarChart(
            id: "spend-chart", title: "Daily spending by model, \(report.month.title)",
            desc: "AI spend per day in \(report.timeZone), stacked by model, \(UsageFormat.money(report.totals.costMicros)) in total.",
            days: report.days.map(\.date), series: series, format: UsageFormat.money)
    }

    private func ai(_ chart: StackedBarChart) -> TemplateObject {
        let t = report.totals
        let activeDays = max(1, report.days.filter { $0.costMicros > 0 }.count)
        let top = max(1, report.models.first?.costMicros ?? 1)
        let byok = report.models.filter { $0.byokEvents > 0 }.map(\.model)
        var object: TemplateObject = [
            "spend": .text(currency.format(micros: t.costMicros, withCode: true)),
            "credits": .text(currency.format(micros: t.creditsMicros, withCode: true)), "models": .text(String(report.models.count)),
            "dailyAverage": .text(currency.format(micros: t.costMicros / Int64(activeDays), withCode: true)),

            "activeDays": .text(String(activeDays)), "chart": .object(chart.context),
            "breakdown": .list(
                report.models.enumerated().map { i, m in
                    .object([
                        "model": .text(m.model), "provider": .text(m.provider),
                        "cls": .text("c-m\(min(i, Self.shownModels))"), "cost": .text(UsageFormat.money(m.costMicros)),
                        "credits": .text(UsageFormat.money(m.creditsMicros)), "events": .text(UsageFormat.count(m.events)),
                        "tokens": .text(UsageFormat.count(m.tokens)), "byok": .flag(m.byokEvents > 0),
                        "share": .text(UsageFormat.percent(m.costMicros, of: max(1, t.costMicros)) ?? "0.0 %"),
                        "bar": .number(max(1, Int(m.costMicros * 200 / top))),
                    ])
                }),
        ]
        if !byok.isEmpty {
            object["byok"] =
                [
                    "models": .text(byok.joined(separator: ", ")),
                    "saved": .text(currency.format(micros: t.costMicros - t.creditsMicros, withCode: true)),
                ] as TemplateObject
        }
        return object
    }
}

/// The Usage page's values per organization and month, kept while the report they were built
/// from is unchanged: a page view then costs a report lookup (remembered per connection by the
/// core) and a comparison, not the formatting of a thousand numbers.
final class UsagePageMemo: Sendable {
    static let shared = UsagePageMemo()

    struct Key: Hashable {
        var orgKey: String
        var month: UsageMonth
        var today: CivilDate
        var saas: Bool
        var workspace: UsageWorkspace?
        var workspaces: [UsageWorkspace]
        var firstMonth: UsageMonth
        var currencyCode: String
    }

    private let entries = Mutex<[Key: (UsageReport, TemplateObject)]>([:])
    static let capacity = 256

    func values(for page: UsagePage) -> TemplateObject {
        let key = Key(
            orgKey: page.orgKey, month: page.report.month, today: page.today, saas: page.saas,
            workspace: page.workspace, workspaces: page.workspaces, firstMonth: page.firstMonth,
            currencyCode: page.currency.code)
        if let (report, values) = entries.withLock({ $0[key] }), report == page.report { return values }
        let values = page.values
        entries.withLock { all in
            if all.count >= Self.capacity { all.removeAll() }
            all[key] = (page.report, values)
        }
        return values
    }
}
