import WheelhouseCore

/// `/orgs/{org}/settings/compliance…`: Owner only (`exportOrganizationData`). The organization's
/// data export today; deleting the organization joins this tab later.
public enum ComplianceRoute: TabRoutes {
    /// `GET` — the exports, their progress and download links.
    case show
    /// `POST exports` — queue a new export (one at a time per organization).
    case requestExport
    /// `GET exports/{id}/download?expires=&sig=` — the archive, through its signed link.
    case download(Int64)

    public static let requiredAction = Action.exportOrganizationData
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .show }, .post("exports") { _ in .requestExport },
        .get("exports/{id}/download") { .download($0.id(0)) },
    ]

    public var method: HTTPMethod { self == .requestExport ? .post : .get }
    public var segments: [String] {
        switch self {
        case .show: []
        case .requestExport: ["exports"]
        case .download(let id): ["exports", String(id), "download"]
        }
    }
}
