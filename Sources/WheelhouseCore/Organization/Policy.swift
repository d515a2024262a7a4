/// Everything a person may try to do in an organization. The policy below answers, for each
/// action, which roles may do it: the one place where permissions are decided (PRODUCT.md §3).
public enum Action: String, CaseIterable, Sendable {
    case viewOrganization
    case editGeneral
    case manageMembers
    case manageTeams
    case transferOwnership
    case deleteOrganization
    case createWorkspace
    /// Grant, change and revoke access to any shared workspace. Members who hold `admin` on a
    /// workspace may do it for that workspace only: `WorkspaceView.canManageAccess` adds that.
    case manageWorkspaceAccess
    case manageOrgCredentials
    /// Own Secrets and own Chat models (PRODUCT.md §3: every role, each for themselves).
    case useOwnCredentials
    /// See how many secrets each member holds (never their names or values).
    case viewMemberSecretCounts
    case viewUsage
    case viewBilling
    case manageBilling
    /// Read the organization's audit log and export it.
    case viewAuditLog
    /// Choose how long the audit log is kept (older entries are deleted by a background job).
    case manageAuditRetention
    /// See the Privacy tab: retention per data class, masking, the training opt-out, the job's last run.
    case viewPrivacy
    /// Change them.
    case managePrivacy
    /// Request a full export of the organization's data and download it (Compliance).
    case exportOrganizationData
    /// Make, rotate and revoke the organization's platform API keys and set their maximum lifetime.
    case manageAPIKeys
    /// Webhook endpoints, the Slack channel and everyone's editor tokens (Integrations); each
    /// person makes and revokes their own editor tokens with `useOwnCredentials`.
    case manageIntegrations
    /// Configure single sign-on: the OpenID Connect provider, verified domains, test sign-in and enforcement.
    case manageSSO
}

public enum Policy {
    /// Roles allowed to perform `action`. An exhaustive switch: a new action does not compile
    /// until someone decides who may do it.
    public static func roles(for action: Action) -> Set<Role> {
        switch action {
        case .viewOrganization, .useOwnCredentials: [.owner, .admin, .member]
        case .editGeneral, .manageMembers, .manageTeams, .createWorkspace, .manageWorkspaceAccess,
            .manageOrgCredentials, .viewUsage, .viewBilling, .viewAuditLog, .viewPrivacy, .manageAPIKeys, .manageIntegrations,
            .manageSSO:
            [.owner, .admin]
        case .transferOwnership, .deleteOrganization, .manageBilling, .viewMemberSecretCounts, .manageAuditRetention,
            .managePrivacy, .exportOrganizationData:
            [.owner]
        }
    }

    public static func allows(_ role: Role, _ action: Action) -> Bool {
        roles(for: action).contains(role)
    }

    /// The least role that may perform `action`, for the "you need the … role" message.
    public static func requiredRole(for action: Action) -> Role {
        Role.allCases.last { roles(for: action).contains($0) } ?? .owner
    }
}
