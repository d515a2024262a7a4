/// The plans of the SaaS mode, their monthly prices and their limits: the one catalog, as data
/// (`Plan.catalog`); every page, meter, check and the API read it from here.
///
/// Organizations made before this catalog were on `team` (the column default of
/// `organization.plan`, added by "v2-people"): migration "v25-plan-catalog" moved them to Pro, and
/// `named(_:)` reads a stray `team` as Pro too.
public struct Plan: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Price per calendar month in minor units of the deployment's currency; nil for "Custom".
    public var monthlyPriceMinor: Int64?
    /// Workflow runs included per calendar month of the organization's time zone.
    public var monthlyRuns: Int64
    /// Members plus pending invitations.
    public var seats: Int
    /// Shared workspaces; default (private) workspaces never count.
    public var sharedWorkspaceLimit: Int
    /// Agents across the organization's workspaces.
    public var agents: Int
    /// The longest audit retention the plan offers (SaaS mode): Free 90 days, the paid plans forever.
    public var auditRetentionCap: AuditRetention
    /// Enterprise is arranged with sales: no Upgrade button, a contact link instead.
    public var selfServe: Bool = true

    public static let free = Plan(
        id: "free", name: "Free", monthlyPriceMinor: 0, monthlyRuns: 100, seats: 3, sharedWorkspaceLimit: 1, agents: 2,
        auditRetentionCap: .days90)
    public static let starter = Plan(
        id: "starter", name: "Starter", monthlyPriceMinor: 2_900, monthlyRuns: 2_500, seats: 10, sharedWorkspaceLimit: 3, agents: 10,
        auditRetentionCap: .days365)
    public static let pro = Plan(
        id: "pro", name: "Pro", monthlyPriceMinor: 4_900, monthlyRuns: 10_000, seats: 25, sharedWorkspaceLimit: 10, agents: 50,
        auditRetentionCap: .forever)
    public static let business = Plan(
        id: "business", name: "Business", monthlyPriceMinor: 67_000, monthlyRuns: 50_000, seats: 100, sharedWorkspaceLimit: 50,
        agents: 250, auditRetentionCap: .forever)
    public static let enterprise = Plan(
        id: "enterprise", name: "Enterprise", monthlyPriceMinor: nil, monthlyRuns: 1_000_000, seats: 10_000,
        sharedWorkspaceLimit: 10_000, agents: 100_000, auditRetentionCap: .forever, selfServe: false)

    /// Cheapest first: the order of the Plan page and of "upgrade" / "downgrade".
    public static let catalog = [free, starter, pro, business, enterprise]
    /// `catalog` under its older name.
    public static var all: [Plan] { catalog }
    /// A new organization from `create-owner` or the demo seed; the console's New organization
    /// starts on Free in SaaS mode.
    public static let `default` = pro

    public static func named(_ id: String) -> Plan {
        if id == "team" { return .pro }
        return catalog.first { $0.id == id } ?? .default
    }

    /// Where this plan sits in `catalog`: a higher rank is an upgrade.
    public var rank: Int { Self.catalog.firstIndex { $0.id == id } ?? 0 }
}
