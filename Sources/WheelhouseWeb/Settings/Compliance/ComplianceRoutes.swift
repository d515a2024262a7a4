import WheelhouseCore

/// `/orgs/{org}/settings/compliance…`: Owner only (`exportOrganizationData`; deleting also needs
/// `deleteOrganization`). The organization's data export, and its deletion with a grace period.
public enum ComplianceRoute: TabRoutes {
    /// `GET` — the exports, their progress and download links.
    case show
    /// `POST exports` — queue a new export (one at a time per organization).
    case requestExport
    /// `GET exports/{id}/download?expires=&sig=` — the archive, through its signed link.
    case download(Int64)
    /// `POST deletion` — schedule the organization's deletion (the key typed to confirm).
    case scheduleDeletion
    /// `POST deletion/cancel` — cancel a scheduled deletion.
    case cancelDeletion

    public static let requiredAction = Action.exportOrganizationData
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .show }, .post("exports") { _ in .requestExport },
        .get("exports/{id}/download") { .download($0.id(0)) },
        .post("deletion") { _ in .scheduleDeletion }, .post("deletion/cancel") { _ in .cancelDeletion },
    ]

    public var method: HTTPMethod {
        switch self {
        case .show, .download: .get
        case .requestExport, .scheduleDeletion, .cancelDeletion: .post
        }
    }
    public var segments: [String] {
        switch self {
        case .show: []
        case .requestExport: ["exports"]
        case .download(let id): ["exports", String(id), "download"]
        case .scheduleDeletion: ["deletion"]
        case .cancelDeletion: ["deletion", "cancel"]
        }
    }
}
