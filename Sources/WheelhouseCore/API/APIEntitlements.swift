import Foundation
import GRDB

/// May the organization do something now, and if not, why: what a platform asks before it starts
/// a workflow, calls a paid model or adds a person (`GET /api/v1/entitlements`).
public struct Entitlement: Sendable, Equatable {
    public var allowed: Bool
    /// A stable code for a refusal (`pending_deletion`, `run_limit`, `seat_limit`, `credits_exhausted`); nil when allowed.
    public var code: String?
    /// The refusal in words.
    public var reason: String?

    static let yes = Entitlement(allowed: true)

    init(allowed: Bool, code: String? = nil, reason: String? = nil) {
        (self.allowed, self.code, self.reason) = (allowed, code, reason)
    }
}

public struct Entitlements: Sendable, Equatable {
    public var runWorkflow: Entitlement
    public var usePaidAI: Entitlement
    public var addSeat: Entitlement
}

extension AppDatabase {
    /// The answers, from the plan (SaaS only), this month's runs, the seats, a pending deletion
    /// and (SaaS with billing on) the AI-credit balance: `entitlement(orgId:for: .paidAI)`.
    public func entitlements(orgId: Int64, saas: Bool) throws -> Entitlements {
        let now = self.now()
        let view = try apiOrganization(orgId: orgId)
        let month = currentUsageMonth(of: view.org)
        let runs = saas ? try usageReport(orgId: orgId, month: month).totals.runs : 0
        let seats = try reader.read { db in try Self.memberCounts(db, orgId: orgId, now: now).total }
        if let purgeAt = view.org.purgeAt {
            let no = Entitlement(
                allowed: false, code: "pending_deletion",
                reason: "The organization is being deleted (for good on \(OrgDeletionRules.dateText(purgeAt))); nothing new may start.")
            return Entitlements(runWorkflow: no, usePaidAI: no, addSeat: no)
        }
        let runWorkflow =
            saas && runs >= view.plan.monthlyRuns
            ? Entitlement(
                allowed: false, code: "run_limit",
                reason: "The \(view.plan.name) plan's \(view.plan.monthlyRuns) workflow runs for \(month) are used up.")
            : .yes
        let addSeat =
            seats >= view.org.memberLimit
            ? Entitlement(
                allowed: false, code: "seat_limit",
                reason:
                    "All \(view.org.memberLimit) seats are taken (members and pending invitations); an Owner or Admin can raise the limit on General."
            )
            : .yes
        let paidAI = saas ? try entitlement(orgId: orgId, for: .paidAI) : .yes
        return Entitlements(runWorkflow: runWorkflow, usePaidAI: paidAI, addSeat: addSeat)
    }
}
