/// What a platform API key may do (PRODUCT.md §7). Two coarse scopes imply the granular
/// non-sensitive ones; the sensitive ones are never implied and must be granted by name, so a
/// key made "for everything" still cannot invite people or read the audit log by accident.
public enum APIScope: String, CaseIterable, Sendable, Comparable {
    case orgRead = "org:read"
    case orgWrite = "org:write"
    case membersRead = "members:read"
    case membersWrite = "members:write"
    case workspacesRead = "workspaces:read"
    case workspacesWrite = "workspaces:write"
    case usageRead = "usage:read"
    case usageWrite = "usage:write"
    case auditRead = "audit:read"
    case billingRead = "billing:read"

    /// Granted only by name: never implied by a coarse scope.
    public var isSensitive: Bool {
        switch self {
        case .membersWrite, .auditRead, .billingRead: true
        default: false
        }
    }

    /// The scopes this one brings with it, itself included. An exhaustive switch: a new scope
    /// does not compile until someone decides what it implies.
    public var implied: Set<APIScope> {
        switch self {
        case .orgRead: [.orgRead, .membersRead, .workspacesRead, .usageRead]
        case .orgWrite: [.orgWrite, .orgRead, .membersRead, .workspacesRead, .workspacesWrite, .usageRead, .usageWrite]
        case .membersRead, .membersWrite, .workspacesRead, .workspacesWrite, .usageRead, .usageWrite, .auditRead, .billingRead:
            [self]
        }
    }

    /// What the person creating the key must be allowed to do in the console to grant it: a key
    /// never carries more than its creator's role (PRODUCT.md §3).
    public var action: Action {
        switch self {
        case .orgRead, .membersRead, .workspacesRead: .viewOrganization
        case .orgWrite, .workspacesWrite: .createWorkspace
        case .membersWrite: .manageMembers
        case .usageRead, .usageWrite: .viewUsage
        case .auditRead: .viewAuditLog
        case .billingRead: .viewBilling
        }
    }

    public var title: String {
        switch self {
        case .orgRead: "Read the organization, members, workspaces and usage"
        case .orgWrite: "Everything in read, plus create workspaces and send usage"
        case .membersRead: "Read members"
        case .membersWrite: "Invite members"
        case .workspacesRead: "Read workspaces"
        case .workspacesWrite: "Create workspaces"
        case .usageRead: "Read usage"
        case .usageWrite: "Send usage events"
        case .auditRead: "Read the audit log"
        case .billingRead: "Read billing"
        }
    }

    /// Every scope `granted` brings, with the implications followed.
    public static func effective(_ granted: Set<APIScope>) -> Set<APIScope> {
        granted.reduce(into: Set()) { $0.formUnion($1.implied) }
    }

    /// The scopes a person of `role` may grant.
    public static func grantable(by role: Role) -> [APIScope] {
        allCases.filter { Policy.allows(role, $0.action) }
    }

    public static func < (a: APIScope, b: APIScope) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Why a presented key was refused: each is its own `401` code, so a caller can tell a typo from
/// a revoked key from one the organization's lifetime policy blocks.
public enum APIKeyRefusal: String, Error, Sendable, CaseIterable {
    /// No `Authorization: Bearer …` header.
    case missing = "key_missing"
    /// Not the shape of a key: wrong prefix, length or alphabet.
    case malformed = "key_malformed"
    /// The right shape, but its checksum does not match: a typo, found without a database read.
    case checksum = "key_checksum"
    /// Well formed, but no key has this secret.
    case unknown = "key_unknown"
    case revoked = "key_revoked"
    case expired = "key_expired"
    /// The key outlives the organization's maximum lifetime, set after it was made.
    case blockedByPolicy = "key_blocked_by_policy"

    public var detail: String {
        switch self {
        case .missing: "Send the key as “Authorization: Bearer whk_…”."
        case .malformed: "This is not a Wheelhouse API key."
        case .checksum: "This key has a typo: its checksum does not match."
        case .unknown: "No API key has this secret."
        case .revoked: "This API key was revoked."
        case .expired: "This API key has expired."
        case .blockedByPolicy: "This API key lives longer than the organization's maximum key lifetime allows. Make a new one."
        }
    }
}

/// A key that authenticated: whose it is and what it may do.
public struct APIKeyGrant: Sendable, Equatable {
    public var keyId: Int64
    public var orgId: Int64
    public var orgKey: String
    public var name: String
    /// As granted on the tab, for the `API-Scopes` response header.
    public var scopes: Set<APIScope>

    public init(keyId: Int64, orgId: Int64, orgKey: String, name: String, scopes: Set<APIScope>) {
        self.keyId = keyId
        self.orgId = orgId
        self.orgKey = orgKey
        self.name = name
        self.scopes = scopes
    }

    public func allows(_ scope: APIScope) -> Bool { APIScope.effective(scopes).contains(scope) }
}
