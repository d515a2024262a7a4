/// The parts of the console an audit action belongs to: the Audit log's action filter groups its
/// options by area (`<optgroup>`), in this order.
public enum AuditArea: String, CaseIterable, Sendable {
    case organization, members, teams, workspaces, credentials, audit, privacy, compliance, billing, sso

    public var title: String {
        switch self {
        case .organization: "Organization"
        case .members: "Members and invitations"
        case .teams: "Teams"
        case .workspaces: "Workspaces"
        case .credentials: "Credentials"
        case .audit: "Audit log"
        case .privacy: "Privacy"
        case .compliance: "Compliance"
        case .billing: "Billing"
        case .sso: "Single sign-on"
        }
    }

    /// The area's actions, in the enum's order (worked out once: the Audit log's filter lists them
    /// on every page view).
    public var actions: [AuditAction] { Self.actionsByArea[self] ?? [] }

    private static let actionsByArea = Dictionary(grouping: AuditAction.allCases, by: \.subjectArea)
}

extension AuditAction {
    public var area: AuditArea { Self.areas[self] ?? .credentials }

    private static let areas = Dictionary(uniqueKeysWithValues: AuditAction.allCases.map { ($0, $0.subjectArea) })

    /// Read from the raw value's subject, so a new case lands in its area without a second list.
    fileprivate var subjectArea: AuditArea {
        switch rawValue.prefix(while: { $0 != "." }) {
        case "organization": .organization
        case "member", "invitation": .members
        case "team": .teams
        case "workspace": .workspaces
        case "audit": .audit
        case "privacy": .privacy
        case "compliance": .compliance
        case "billing": .billing
        case "sso": .sso
        default: .credentials
        }
    }
}
