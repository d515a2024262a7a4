/// The parts of the console an audit action belongs to: the Audit log's action filter groups its
/// options by area (`<optgroup>`), in this order.
public enum AuditArea: String, CaseIterable, Sendable {
    case organization, members, teams, workspaces, credentials, audit, privacy, compliance

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
        }
    }

    /// The area's actions, in the enum's order.
    public var actions: [AuditAction] { AuditAction.allCases.filter { $0.area == self } }
}

extension AuditAction {
    /// Read from the raw value's subject, so a new case lands in its area without a second list.
    public var area: AuditArea {
        switch rawValue.prefix(while: { $0 != "." }) {
        case "organization": .organization
        case "member", "invitation": .members
        case "team": .teams
        case "workspace": .workspaces
        case "audit": .audit
        case "privacy": .privacy
        case "compliance": .compliance
        default: .credentials
        }
    }
}
