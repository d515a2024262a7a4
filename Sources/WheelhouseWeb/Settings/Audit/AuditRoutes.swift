import WheelhouseCore

/// `/orgs/{org}/settings/audit…`: Owner and Admin (`viewAuditLog`). Read-only: no route of the
/// console edits or deletes an audit entry.
public enum AuditRoute: TabRoutes {
    /// `GET` — the log, newest first (`?action=&actor=&from=&to=&q=&before=|after=`).
    case show
    /// `GET export.csv` — the filtered entries as CSV.
    case exportCSV
    /// `GET export.jsonl` — the filtered entries as JSON Lines.
    case exportJSONLines

    public static let requiredAction = Action.viewAuditLog
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .show }, .get("export.csv") { _ in .exportCSV }, .get("export.jsonl") { _ in .exportJSONLines },
    ]

    public var method: HTTPMethod { .get }
    public var segments: [String] {
        switch self {
        case .show: []
        case .exportCSV: ["export.csv"]
        case .exportJSONLines: ["export.jsonl"]
        }
    }
}
