import Foundation
import WheelhouseCore

/// The JSON the API answers with: one type per schema of the OpenAPI document
/// (`api/openapi.json`), named as it names them.
enum APIBody {
    struct Org: Encodable {
        var key: String
        var name: String
        var description: String
        var timeZone: String
        var createdAt: Date
        /// SaaS only: enterprise deployments have no plans.
        var plan: PlanRef?
        var members: Int
        var memberLimit: Int
        var sharedWorkspaces: Int
        var trainingOptOut: Bool
        /// When an organization pending deletion is removed for good; absent otherwise.
        var purgeAt: Date?

        init(_ view: APIOrgView, mode: DeploymentMode) {
            key = view.org.key
            name = view.org.displayName
            description = view.org.description
            timeZone = view.org.timeZone
            createdAt = view.org.createdAt
            plan = mode == .saas ? PlanRef(id: view.plan.id, name: view.plan.name) : nil
            members = view.members
            memberLimit = view.org.memberLimit
            sharedWorkspaces = view.sharedWorkspaces
            trainingOptOut = view.trainingOptOut
            purgeAt = view.org.purgeAt
        }
    }

    struct PlanRef: Encodable {
        var id: String
        var name: String
    }

    struct Member: Encodable {
        var id: Int64
        var name: String
        var email: String
        var role: String
        var joinedAt: Date

        init(_ member: APIMember) {
            (id, name, email, role, joinedAt) = (member.userId, member.name, member.email, member.role.rawValue, member.joinedAt)
        }
    }

    struct MemberList: Encodable {
        var members: [Member]
        var nextCursor: String?
    }

    struct InvitationResult: Encodable {
        var email: String
        /// `invited`, or `refused` with `reason` and `code`.
        var status: String
        var code: String?
        var reason: String?
    }

    struct InvitationResults: Encodable {
        var results: [InvitationResult]
    }

    struct Workspace: Encodable {
        var key: String
        var name: String
        var description: String
        var createdAt: Date
        var archived: Bool
        var language: String

        init(_ workspace: WheelhouseCore.Workspace) {
            key = workspace.key
            name = workspace.name
            description = workspace.description
            createdAt = workspace.createdAt
            archived = workspace.archivedAt != nil
            language = workspace.language
        }
    }

    struct WorkspaceList: Encodable {
        var workspaces: [Workspace]
        var nextCursor: String?
    }

    struct AuditEventList: Encodable {
        /// The JSON Lines export's lines, one per event.
        var events: [AuditExport.Line]
        var nextCursor: String?
    }
}

extension APIBody {
    struct EventResult: Encodable {
        var index: Int
        /// `accepted`, `duplicate` or `rejected`.
        var status: String
        var reason: String?

        static func accepted(_ index: Int) -> Self { Self(index: index, status: "accepted") }
        static func duplicate(_ index: Int) -> Self { Self(index: index, status: "duplicate") }
        static func rejected(_ index: Int, _ reason: String) -> Self { Self(index: index, status: "rejected", reason: reason) }
    }

    struct EventResults: Encodable {
        var accepted: Int
        var duplicates: Int
        var rejected: Int
        var results: [EventResult]
    }

    struct Totals: Encodable {
        var runs: Int64
        var failedRuns: Int64
        var events: Int64
        var byokEvents: Int64
        var tokens: Int64
        var costMicros: Int64
        var creditsMicros: Int64

        init(_ t: UsageTotals) {
            (runs, failedRuns, events, byokEvents) = (t.runs, t.failedRuns, t.events, t.byokEvents)
            (tokens, costMicros, creditsMicros) = (t.tokens, t.costMicros, t.creditsMicros)
        }
    }

    struct Day: Encodable {
        var date: String
        var events: Int64
        var successfulRuns: Int64
        var failedRuns: Int64
        var tokens: Int64
        var costMicros: Int64
        var creditsMicros: Int64
    }

    struct UsageDaily: Encodable {
        var month: String
        var timeZone: String
        var days: [Day]

        init(_ report: UsageReport) {
            month = report.month.description
            timeZone = report.timeZone
            days = report.days.map { d in
                Day(
                    date: d.date.description, events: d.events, successfulRuns: d.successfulRuns, failedRuns: d.failedRuns,
                    tokens: d.tokens,
                    costMicros: d.costMicros, creditsMicros: d.creditsMicros)
            }
        }
    }

    struct ModelTotals: Encodable {
        var provider: String
        var model: String
        var events: Int64
        var byokEvents: Int64
        var tokens: Int64
        var costMicros: Int64
        var creditsMicros: Int64
    }

    struct UsageSummary: Encodable {
        var month: String
        var timeZone: String
        var totals: Totals
        var previousMonth: Totals
        var models: [ModelTotals]

        init(_ report: UsageReport) {
            month = report.month.description
            timeZone = report.timeZone
            totals = Totals(report.totals)
            previousMonth = Totals(report.previous)
            models = report.models.map { m in
                ModelTotals(
                    provider: m.provider, model: m.model, events: m.events, byokEvents: m.byokEvents, tokens: m.tokens,
                    costMicros: m.costMicros, creditsMicros: m.creditsMicros)
            }
        }
    }

    struct Answer: Encodable {
        var allowed: Bool
        var code: String?
        var reason: String?

        init(_ e: Entitlement) { (allowed, code, reason) = (e.allowed, e.code, e.reason) }
    }

    struct Entitlements: Encodable {
        var runWorkflow: Answer
        var usePaidAI: Answer
        var addSeat: Answer

        init(_ e: WheelhouseCore.Entitlements) {
            (runWorkflow, usePaidAI, addSeat) = (Answer(e.runWorkflow), Answer(e.usePaidAI), Answer(e.addSeat))
        }
    }
}

extension APIBody.Org {
    /// The answer as `JSONEncoder` writes it (sorted keys, nil members left out), written
    /// directly: `GET /org` is the API's most frequent call, and the encoder cost a quarter of it.
    var json: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        func key(_ name: String) { out += "\"\(name)\":".utf8 }
        func text(_ name: String, _ value: String) { key(name); JSONText.append(value, to: &out); out.append(44) }
        func number(_ name: String, _ value: Int) { key(name); out += String(value).utf8; out.append(44) }
        out.append(UInt8(ascii: "{"))
        text("createdAt", Dates.isoTime(createdAt))
        text("description", description)
        text("key", self.key)
        number("memberLimit", memberLimit)
        number("members", members)
        text("name", name)
        if let plan {
            key("plan")
            out += "{\"id\":".utf8
            JSONText.append(plan.id, to: &out)
            out += ",\"name\":".utf8
            JSONText.append(plan.name, to: &out)
            out += "},".utf8
        }
        if let purgeAt { text("purgeAt", Dates.isoTime(purgeAt)) }
        number("sharedWorkspaces", sharedWorkspaces)
        text("timeZone", timeZone)
        key("trainingOptOut")
        out += (trainingOptOut ? "true" : "false").utf8
        out.append(UInt8(ascii: "}"))
        return out
    }
}
