/// The plans of the SaaS mode and their limits. Every organization starts on `team` (the column
/// default of `organization.plan`, added by "v2-people"); Billing changes plans.
public struct Plan: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Workflow runs included per calendar month of the organization's time zone.
    public var monthlyRuns: Int64
    /// Shared workspaces; default (private) workspaces never count.
    public var sharedWorkspaceLimit: Int
    /// The longest audit retention the plan offers (SaaS mode): Free 90 days, the paid plans forever.
    public var auditRetentionCap: AuditRetention

    public static let free = Plan(id: "free", name: "Free", monthlyRuns: 1_000, sharedWorkspaceLimit: 1, auditRetentionCap: .days90)
    public static let team = Plan(id: "team", name: "Team", monthlyRuns: 25_000, sharedWorkspaceLimit: 5, auditRetentionCap: .forever)
    public static let business = Plan(
        id: "business", name: "Business", monthlyRuns: 250_000, sharedWorkspaceLimit: 50, auditRetentionCap: .forever)
    public static let all = [free, team, business]
    public static let `default` = team

    public static func named(_ id: String) -> Plan { all.first { $0.id == id } ?? .default }
}
