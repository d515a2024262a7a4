import Foundation
import GRDB

/// An organization's plan and how many of its shared workspaces it uses.
public struct PlanUsage: Sendable, Equatable {
    public var plan: Plan
    public var sharedWorkspaces: Int
    public var workspaceLimitReached: Bool { sharedWorkspaces >= plan.sharedWorkspaceLimit }
}

extension AppDatabase {
    /// The organization's plan alone (no counts).
    static func plan(_ db: Database, orgId: Int64) throws -> Plan {
        Plan.named(
            try String.fetchOne(db.cachedStatement(sql: "SELECT plan FROM organization WHERE id = ?"), arguments: [orgId])
                ?? Plan.default.id)
    }

    public func planUsage(orgId: Int64) throws -> PlanUsage {
        try reader.read { db in try Self.planUsage(db, orgId: orgId) }
    }

    static func planUsage(_ db: Database, orgId: Int64) throws -> PlanUsage {
        PlanUsage(plan: try plan(db, orgId: orgId), sharedWorkspaces: try sharedCount(db, orgId: orgId))
    }

    /// Puts an organization on a plan (Billing's job once it lands; the CLI and tests use it now).
    public func changePlan(orgId: Int64, to plan: Plan, actor: Actor?) throws {
        try writer.write { db in
            let old = try String.fetchOne(db, sql: "SELECT plan FROM organization WHERE id = ?", arguments: [orgId]) ?? "?"
            try db.execute(sql: "UPDATE organization SET plan = ? WHERE id = ?", arguments: [plan.id, orgId])
            try AuditEvent(
                org: orgId, actor: actor, action: .organizationPlan, target: "org:\(orgId)",
                summary: "plan: \(old) → \(plan.id)", at: now()
            ).insert(db)
        }
    }

    /// Adds workflow and agent rows to a workspace: the console only counts them (the demo seeds them).
    public func addWorkItems(workspaceKey: String, orgId: Int64, workflows: [String], agents: [String]) throws {
        try writer.write { db in
            guard
                let id = try Int64.fetchOne(
                    db, sql: "SELECT id FROM workspace WHERE orgId = ? AND key = ?",
                    arguments: [orgId, workspaceKey])
            else { throw DomainError.notFound }
            for name in workflows {
                try db.execute(sql: "INSERT INTO workflow (workspaceId, name, createdAt) VALUES (?, ?, ?)", arguments: [id, name, now()])
            }
            for name in agents {
                try db.execute(sql: "INSERT INTO agent (workspaceId, name, createdAt) VALUES (?, ?, ?)", arguments: [id, name, now()])
            }
        }
    }
}
