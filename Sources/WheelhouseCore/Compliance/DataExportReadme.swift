import Foundation

extension DataExportContents {
    /// README.txt: what the archive is, then each file and its columns.
    static func readme(orgKey: String, orgName: String, exportId: Int64, at date: Date) -> String {
        var text = """
            Data export of the organization "\(orgName)" (\(orgKey)), export \(exportId)
            Built \(ISO8601DateFormatter().string(from: date)) by Wheelhouse.

            Each data class is in two files with the same rows: <name>.json (a JSON array of objects,
            one per row, keys as below) and <name>.csv (RFC 4180, UTF-8, a header line, CRLF). Times are
            UTC in RFC 3339; an empty CSV cell or a JSON null means "none". In the CSV files a text cell
            that starts with =, +, - or @ has a ' put before it, so a spreadsheet never runs it as a
            formula; the JSON files hold the text exactly.

            Never included: secret values and provider API keys (not even encrypted; only their names,
            ids and masked hints), passwords, sessions, invitation and confirmation link tokens.

            Not in this archive yet: API keys and billing (ledger, invoices). This console has neither
            yet; they will be added to the export when those features arrive.


            """
        for dataset in datasets {
            text += "\(dataset.name).json, \(dataset.name).csv\n    \(dataset.about)\n"
            for column in dataset.columns { text += "    - \(column.name): \(column.about)\n" }
            text += "\n"
        }
        return text
    }
}
