import Foundation
import WheelhouseCore

/// The Transactions section of Billing (SaaS only).
///
/// - `GET …/billing/transactions?kind=&month=YYYY-MM&page=N` — Owner, Admin (`viewBilling`): every
///   ledger entry, newest first, with the balance after it, 50 a page; a GET form filters, so it
///   works without JavaScript. A bad value answers 400 with the unfiltered list and a message.
/// - `GET …/billing/transactions.csv` — the same filter, every entry, RFC 4180, formula-safe cells,
///   amounts as decimal text with a currency column; the filter is in the file name.
struct TransactionsController {
    let shell: Shell
    let database: AppDatabase

    static let pageSize = 50
    /// Rows per file: a bound on the response's memory (a ledger has about one row a day).
    static let exportCap = 100_000

    func show(_ visit: Visit, access: OrgAccess) throws -> Response {
        try access.require(.viewBilling)
        let query = TransactionsQuery.parse(visit.request.query)
        let (entries, more) = try database.creditTransactions(
            org: access.org, filter: query.filter, offset: (query.page - 1) * Self.pageSize, limit: Self.pageSize)
        let layout = try shell.layout(visit, title: "Transactions · \(access.org.displayName)", access: access, tab: .billing)
        let page = TransactionsPage(
            orgKey: access.org.key, currency: shell.config.currency, query: query, entries: entries, more: more)
        return shell.render(.billingTransactions, page, layout: layout, status: query.problems.isEmpty ? 200 : 400)
    }

    func csv(_ visit: Visit, access: OrgAccess) throws -> Response {
        try access.require(.viewBilling)
        let query = TransactionsQuery.parse(visit.request.query)
        if !query.problems.isEmpty {
            return Response(
                status: 400, headers: [("Content-Type", "text/plain; charset=utf-8")],
                body: Array((query.problems.joined(separator: "\n") + "\n").utf8))
        }
        let (entries, _) = try database.creditTransactions(org: access.org, filter: query.filter, limit: Self.exportCap)
        let name = "transactions-\(access.org.key)\(query.fileNamePart).csv"
        return Response(
            status: 200,
            headers: [("Content-Type", "text/csv; charset=utf-8"), ("Content-Disposition", "attachment; filename=\"\(name)\"")],
            body: Array(TransactionsCSV.document(entries, currency: shell.config.currency).utf8))
    }
}

/// `?kind=&month=&page=`, read once for the page and the export. A bad value is dropped from the
/// filter and said in words.
struct TransactionsQuery {
    var filter = CreditTransactionFilter()
    var page = 1
    var typedKind = ""
    var typedMonth = ""
    var problems: [String] = []

    static func parse(_ query: String) -> TransactionsQuery {
        var result = TransactionsQuery()
        for (name, value) in URLEncodedForm.pairs(Array(query.utf8)) where !value.isEmpty {
            let text = String(decoding: value, as: UTF8.self)
            let shown = TextRules.displayable(String(text.prefix(40)))
            switch String(decoding: name, as: UTF8.self) {
            case "kind":
                if let kind = CreditEntryKind(rawValue: text) {
                    result.filter.kind = kind
                    result.typedKind = text
                } else {
                    result.problems.append("“\(shown)” is not a kind of transaction: showing every kind.")
                }
            case "month":
                if let month = UsageMonth(text) {
                    result.filter.month = month
                    result.typedMonth = text
                } else {
                    result.problems.append("“\(shown)” is not a month (YYYY-MM): showing every month.")
                }
            case "page":
                if let page = Int(text), (1...100_000).contains(page) {
                    result.page = page
                } else {
                    result.problems.append("“\(shown)” is not a page number: showing the first page.")
                }
            default: break
            }
        }
        return result
    }

    /// The accepted filter as query items (the pager and the export keep it).
    var items: [(String, String)] {
        [("kind", typedKind), ("month", typedMonth)].filter { !$0.1.isEmpty }
    }

    /// `-kind-usage-month-2026-11`: only values the parser accepted, so only safe characters.
    var fileNamePart: String { items.map { "-\($0.0)-\($0.1)" }.joined() }
}

/// The export: one line per ledger entry, newest first, times in UTC, amounts exact.
enum TransactionsCSV {
    static let header = ["id", "time_utc", "kind", "kind_title", "amount", "balance_after", "currency", "usage_day", "reference"]

    static func document(_ entries: [CreditTransaction], currency: Currency) -> String {
        var out = CSV.line(header)
        for e in entries {
            let fields = [
                String(e.id), Dates.isoTime(e.createdAt), e.kind.rawValue, e.kind.title, decimal(e.amountMicros, currency),
                decimal(e.balanceAfterMicros, currency), currency.code, e.day ?? "",
                // The one text that came from outside (a gateway's or a person's reference): made
                // formula-safe. The amounts are numbers this code wrote, so a minus stays a minus.
                CSV.cell(e.reference),
            ]
            out += CSV.line(fields)
        }
        return out
    }

    /// The exact micro-units as decimal text in the currency (`-3.200000`): a spreadsheet reads it
    /// as a number; the sign is ASCII so it stays one.
    static func decimal(_ micros: Int64, _ currency: Currency) -> String {
        let magnitude = micros.magnitude
        let rest = String(magnitude % 1_000_000)
        return (micros < 0 ? "-" : "") + String(magnitude / 1_000_000) + "." + String(repeating: "0", count: 6 - rest.count) + rest
    }
}
