/// One slug per settings tab: the path segment, the template `settings/<slug>`, the nav entry,
/// the folder `Settings/<Tab>/`.
public enum SettingsTab: String, CaseIterable, Sendable {
    case general
    case members
    case teams
    case workspaces
    case secrets
    case providers
    case apiKeys = "api-keys"
    case chatModels = "chat-models"
    case usage
    case billing
    case audit
    case privacy
    case compliance
    case integrations
    case sso

    /// `/settings/{slug}`, spelled out once.
    var path: String {
        switch self {
        case .general: "/settings/general"
        case .members: "/settings/members"
        case .teams: "/settings/teams"
        case .workspaces: "/settings/workspaces"
        case .secrets: "/settings/secrets"
        case .providers: "/settings/providers"
        case .apiKeys: "/settings/api-keys"
        case .chatModels: "/settings/chat-models"
        case .usage: "/settings/usage"
        case .billing: "/settings/billing"
        case .audit: "/settings/audit"
        case .privacy: "/settings/privacy"
        case .compliance: "/settings/compliance"
        case .integrations: "/settings/integrations"
        case .sso: "/settings/sso"
        }
    }

    public var title: String {
        switch self {
        case .general: "General"
        case .members: "Members"
        case .teams: "Teams"
        case .workspaces: "Workspaces"
        case .secrets: "Secrets"
        case .providers: "Providers"
        case .apiKeys: "API keys"
        case .chatModels: "Chat models"
        case .usage: "Usage"
        case .billing: "Billing"
        case .audit: "Audit log"
        case .privacy: "Privacy"
        case .compliance: "Compliance"
        case .integrations: "Integrations"
        case .sso: "SSO"
        }
    }
}
