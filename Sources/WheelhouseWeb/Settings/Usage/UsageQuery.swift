import WheelhouseCore

/// The Usage page's and export's query (`?month=YYYY-MM&workspace=key`), read by one parser so
/// both answer a bad value the same way (400, with the same sentence).
struct UsageQuery {
    var month: UsageMonth
    /// nil: the whole organization.
    var workspace: UsageWorkspace?
    /// Why the query was refused (the page then shows the current month of the whole organization).
    var problem: String?

    /// `months`: the organization's months, first to current (`AppDatabase.usageMonths(of:)`).
    static func parse(_ query: String, months: ClosedRange<UsageMonth>, workspaces: [UsageWorkspace]) -> UsageQuery {
        var result = UsageQuery(month: months.upperBound)
        var monthProblem: String?, workspaceProblem: String?
        for (name, value) in URLEncodedForm.pairs(Array(query.utf8)) where !value.isEmpty {
            let shown = String(decoding: value.prefix(40), as: UTF8.self)
            switch String(decoding: name, as: UTF8.self) {
            case "month":
                guard let text = String(validating: value, as: UTF8.self), let month = UsageMonth(text) else {
                    monthProblem = "“\(shown)” is not a month (YYYY-MM)."
                    continue
                }
                if month > months.upperBound {
                    monthProblem = "\(month.title) has not begun yet: the latest month is \(months.upperBound.title)."
                } else if month < months.lowerBound {
                    monthProblem = "\(month.title) is before this organization’s first month, \(months.lowerBound.title)."
                } else {
                    result.month = month
                    monthProblem = nil
                }
            case "workspace":
                let key = String(validating: value, as: UTF8.self)
                if let found = workspaces.first(where: { $0.key == key }) {
                    result.workspace = found
                    workspaceProblem = nil
                } else {
                    workspaceProblem = "This organization has no workspace with the key “\(shown)”."
                }
            default:
                continue
            }
        }
        let problems = [monthProblem, workspaceProblem].compactMap { $0 }
        if !problems.isEmpty {
            result = UsageQuery(month: months.upperBound, workspace: nil, problem: problems.joined(separator: " "))
        }
        return result
    }
}
