import WheelhouseCore

/// `/api/v1/…`: the JSON API, for servers holding a platform API key (`Authorization: Bearer`).
/// Every route but the OpenAPI document needs a key of the route's organization with `scope`;
/// answers are JSON, failures `application/problem+json`. No route manages API keys: that is the
/// console's alone (PRODUCT.md §7), and a test tries every route with every scope.
public enum APIRoute: RouteLeaves {
    /// `GET openapi.json` — the OpenAPI 3.1 document describing every route here (no key needed).
    case openAPI
    /// `GET org` — the key's organization.
    case org
    /// `GET members` — members, by `cursor` (keyset: stable under concurrent inserts).
    case members
    /// `POST members/invitations` — invites addresses, with the form's rules; one result per address.
    case invite
    /// `GET workspaces`, `POST workspaces`, `GET workspaces/{key}`.
    case workspaces, createWorkspace, workspace(String)
    /// `POST usage/events` — a batch of usage events in the `usage import` format.
    case usageEvents
    /// `GET usage/daily?month=`, `GET usage/summary?month=`.
    case usageDaily, usageSummary
    /// `GET audit/events` — the audit log, filtered, by `cursor`.
    case auditEvents
    /// `GET entitlements` — what the organization may do now, and if not, why.
    case entitlements

    public static let patterns: [RoutePattern<Self>] = [
        .get("openapi.json") { _ in .openAPI },
        .get("org") { _ in .org },
        .get("members") { _ in .members },
        .post("members/invitations") { _ in .invite },
        .get("workspaces") { _ in .workspaces },
        .post("workspaces") { _ in .createWorkspace },
        .get("workspaces/{key}") { .workspace($0.key(0)) },
        .post("usage/events") { _ in .usageEvents },
        .get("usage/daily") { _ in .usageDaily },
        .get("usage/summary") { _ in .usageSummary },
        .get("audit/events") { _ in .auditEvents },
        .get("entitlements") { _ in .entitlements },
    ]

    public var method: HTTPMethod {
        switch self {
        case .invite, .createWorkspace, .usageEvents: .post
        case .openAPI, .org, .members, .workspaces, .workspace, .usageDaily, .usageSummary, .auditEvents, .entitlements: .get
        }
    }

    public var segments: [String] {
        switch self {
        case .openAPI: ["openapi.json"]
        case .org: ["org"]
        case .members: ["members"]
        case .invite: ["members", "invitations"]
        case .workspaces, .createWorkspace: ["workspaces"]
        case .workspace(let key): ["workspaces", key]
        case .usageEvents: ["usage", "events"]
        case .usageDaily: ["usage", "daily"]
        case .usageSummary: ["usage", "summary"]
        case .auditEvents: ["audit", "events"]
        case .entitlements: ["entitlements"]
        }
    }

    /// The scope a key needs; nil: no key at all (the document describing the API).
    public var scope: APIScope? {
        switch self {
        case .openAPI: nil
        case .org, .entitlements: .orgRead
        case .members: .membersRead
        case .invite: .membersWrite
        case .workspaces, .workspace: .workspacesRead
        case .createWorkspace: .workspacesWrite
        case .usageEvents: .usageWrite
        case .usageDaily, .usageSummary: .usageRead
        case .auditEvents: .auditRead
        }
    }

    /// Scopes that carry `scope`, for the `API-Accepted-Scopes` header: the scope itself and the
    /// coarse ones implying it.
    public var acceptedScopes: [APIScope] {
        guard let scope else { return [] }
        return APIScope.allCases.filter { $0.implied.contains(scope) }
    }
}
