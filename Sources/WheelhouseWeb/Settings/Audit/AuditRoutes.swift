import WheelhouseCore

/// `/orgs/{org}/settings/audit…`: Owner and Admin (`viewAuditLog`). No route of the console edits
/// or deletes an audit entry; only the retention job removes old ones.
public enum AuditRoute: TabRoutes {
    /// `GET` — the log, newest first (`?action=&actor=&from=&to=&q=&before=|after=`).
    case show
    /// `GET export.csv` — the filtered entries as CSV.
    case exportCSV
    /// `GET export.jsonl` — the filtered entries as JSON Lines.
    case exportJSONLines
    /// `POST retention` — how long entries are kept (Owner only, `manageAuditRetention`).
    case retention

    public static let requiredAction = Action.viewAuditLog
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .show }, .get("export.csv") { _ in .exportCSV }, .get("export.jsonl") { _ in .exportJSONLines },
        .post("retention") { _ in .retention },
    ]

    public var method: HTTPMethod { self == .retention ? .post : .get }
    public var segments: [String] {
        switch self {
        case .show: []
        case .exportCSV: ["export.csv"]
        case .exportJSONLines: ["export.jsonl"]
        case .retention: ["retention"]
        }
    }
}
