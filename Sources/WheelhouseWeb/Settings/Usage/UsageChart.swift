import WheelhouseCore

/// A stacked daily bar chart as template values: the template draws the SVG from these numbers
/// (coordinates in the viewBox's units, a bar as path data), so no markup is ever built in Swift. Each series is one
/// `<g class=…>` of bars; empty bars are left out. Colours come from the classes (app.css), so the
/// dark theme and the colour-blind-safe palette live in one place.
struct StackedBarChart {
    struct Series {
        var cls: String
        var label: String
        /// One value per column (day).
        var values: [Int64]
    }

    var id: String
    var title: String
    var desc: String
    var days: [CivilDate]
    var series: [Series]
    /// Tick labels and bar titles: `format(value)`.
    var format: (Int64) -> String
    var hatched = false

    static let width = 720, height = 250
    static let left = 64, right = 712, top = 12, bottom = 216

    /// A round step so that about four steps cover `maximum`: 1, 2 or 5 × a power of ten.
    static func niceStep(_ maximum: Int64) -> Int64 {
        let raw = max(1, (maximum + 3) / 4)
        var magnitude: Int64 = 1
        while magnitude * 10 <= raw { magnitude *= 10 }
        for factor: Int64 in [1, 2, 5, 10] where factor * magnitude >= raw { return factor * magnitude }
        return 10 * magnitude
    }

    var context: TemplateObject {
        let n = max(1, days.count)
        var totals = [Int64](repeating: 0, count: n)
        for s in series { for (i, v) in s.values.enumerated() where i < n { totals[i] += v } }
        let step = Self.niceStep(totals.max() ?? 0)
        let top = max(step, ((totals.max() ?? 0) + step - 1) / step * step)
        let plot = Int64(Self.bottom - Self.top)
        func y(_ value: Int64) -> Int { Self.bottom - Int((value * plot + top / 2) / top) }
        let slot = Double(Self.right - Self.left) / Double(n)
        let barWidth = max(1, Int(slot * 0.72))
        func x(_ i: Int) -> Int { Self.left + Int(Double(i) * slot + (slot - Double(barWidth)) / 2) }

        var stacked = [Int64](repeating: 0, count: n)
        // Where the next segment of each day's stack starts: every non-zero value gets at least
        // one pixel, so a value the table shows is never missing from the chart.
        var stackTop = [Int](repeating: Self.bottom, count: n)
        var groups: [TemplateValue] = []
        for s in series {
            var bars: [TemplateValue] = []
            for (i, value) in s.values.enumerated() where i < n && value > 0 {
                stacked[i] += value
                let lower = stackTop[i], upper = min(y(stacked[i]), lower - 1)
                stackTop[i] = upper
                // One path per bar ("M x y h w v h h -w z"): one value for the template instead of
                // three attributes, which keeps the page's render cost down.
                bars.append(
                    .object([
                        "d": .text("M\(x(i)) \(upper)h\(barWidth)v\(lower - upper)h-\(barWidth)z"),
                        "title": .text("\(UsageFormat.shortDay(days[i])), \(s.label): \(format(value))"),
                    ]))
            }
            groups.append(.object(["cls": .text(s.cls), "bars": .list(bars)]))
        }
        var ticks: [TemplateValue] = []
        var tick: Int64 = 0
        while tick <= top {
            ticks.append(.object(["y": .text(String(y(tick))), "textY": .text(String(y(tick) + 4)), "label": .text(format(tick))]))
            tick += step
        }
        var labels: [TemplateValue] = []
        for (i, day) in days.enumerated() where day.day % 7 == 1 {
            labels.append(.object(["x": .text(String(x(i) + barWidth / 2)), "label": .text(UsageFormat.shortDay(day))]))
        }
        return [
            "id": .text(id), "title": .text(title), "desc": .text(desc),
            "left": .number(Self.left - 4), "right": .number(Self.right),
            "labelX": .number(Self.left - 8), "axisY": .number(Self.bottom), "labelY": .number(Self.bottom + 18),
            "hatched": .flag(hatched),
            "ticks": .list(ticks), "series": .list(groups), "xLabels": .list(labels),
            "legend": .list(series.map { .object(["cls": .text($0.cls), "label": .text($0.label)]) }),
        ]
    }
}
