import Foundation
import GRDB

/// The onboarding path an Owner sees on the overview until they dismiss it or every step is done.
public enum TutorialStep: String, CaseIterable, Sendable {
    case nameOrganization, inviteTeam, addProviderKey, chooseChatModels, reviewBilling

    public var title: String {
        switch self {
        case .nameOrganization: "Name the organization"
        case .inviteTeam: "Invite the team"
        case .addProviderKey: "Add a provider key"
        case .chooseChatModels: "Choose chat models"
        case .reviewBilling: "Review billing"
        }
    }
}

public struct Tutorial: Sendable, Equatable {
    /// Each step with whether the state says it is done (never because it was clicked).
    public var steps: [(step: TutorialStep, done: Bool)]
    public var dismissed: Bool

    public var isComplete: Bool { steps.allSatisfy(\.done) }
    /// Shown while it has something left to do and the Owner has not put it away.
    public var isShown: Bool { !dismissed && !isComplete }

    public static func == (a: Tutorial, b: Tutorial) -> Bool {
        a.dismissed == b.dismissed && a.steps.map(\.step) == b.steps.map(\.step) && a.steps.map(\.done) == b.steps.map(\.done)
    }
}

extension AppDatabase {
    /// The tutorial for an Owner (nil for anyone else). Steps: General saved once (name,
    /// description or logo), a second member or a pending invitation, any provider key, a chat
    /// model chosen by this Owner, and in SaaS mode "Credits understood" reviewed in the last 90 days.
    public func tutorial(userId: Int64, access: OrgAccess, saas: Bool) throws -> Tutorial? {
        guard access.role == .owner else { return nil }
        let orgId = access.org.id!
        let now = self.now()
        return try reader.read { db in
            func exists(_ sql: String, _ arguments: StatementArguments) throws -> Bool {
                try Bool.fetchOne(db, sql: "SELECT EXISTS (\(sql))", arguments: arguments) ?? false
            }
            var steps: [(TutorialStep, Bool)] = [
                (
                    .nameOrganization,
                    try exists(
                        "SELECT 1 FROM organization WHERE id = ? AND (version > 1 OR description != '' OR logoFile IS NOT NULL)", [orgId])
                ),
                (
                    .inviteTeam,
                    try exists(
                        "SELECT 1 FROM membership WHERE orgId = ? AND userId != ? UNION ALL SELECT 1 FROM invitationTally WHERE orgId = ? AND pending > 0",
                        [orgId, userId, orgId])
                ),
                (.addProviderKey, try exists("SELECT 1 FROM provider WHERE orgId = ?", [orgId])),
                (.chooseChatModels, try exists("SELECT 1 FROM chatModelChoice WHERE orgId = ? AND userId = ?", [orgId, userId])),
            ]
            if saas {
                let reviewed = try Date.fetchOne(
                    db, sql: "SELECT reviewedAt FROM readinessReview WHERE userId = ? AND orgId = ? AND item = ?",
                    arguments: [userId, orgId, ReadinessItem.credits.rawValue])
                steps.append((.reviewBilling, reviewed.map { now.timeIntervalSince($0) < ReadinessRules.reviewLifetime } ?? false))
            }
            let dismissed = try exists("SELECT 1 FROM tutorialDismissal WHERE userId = ? AND orgId = ?", [userId, orgId])
            return Tutorial(steps: steps.map { (step: $0.0, done: $0.1) }, dismissed: dismissed)
        }
    }

    /// Puts the tutorial away in this organization. Personal: no audit entry.
    public func dismissTutorial(userId: Int64, orgId: Int64) throws {
        let now = self.now()
        try writer.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO tutorialDismissal (userId, orgId, dismissedAt) VALUES (?, ?, ?)",
                arguments: [userId, orgId, now])
        }
    }

    /// "Show tutorial again": back in every organization where the person is an Owner.
    public func showTutorialAgain(userId: Int64) throws {
        try writer.write { db in try db.execute(sql: "DELETE FROM tutorialDismissal WHERE userId = ?", arguments: [userId]) }
    }
}
