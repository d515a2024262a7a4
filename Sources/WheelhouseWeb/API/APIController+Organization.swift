import Foundation
import WheelhouseCore

/// Members, invitations, workspaces and the audit log, as the API lists and changes them.
extension APIController {
    func members(_ request: Request, grant: APIKeyGrant) throws -> Response {
        let query = try APIListQuery(request)
        let page = try database.apiMembers(orgId: grant.orgId, after: query.cursor, limit: query.limit)
        return try APIJSON.response(
            APIBody.MemberList(members: page.items.map(APIBody.Member.init), nextCursor: page.next.map(String.init)))
    }

    /// `{"emails": [...], "role": "member"|"admin", "message": "..."}`: the invite form's rules,
    /// one result per address (invited, or refused with a code and reason).
    func invite(_ request: Request, grant: APIKeyGrant) throws -> Response {
        var body = try APIJSON.object(request, fields: ["emails", "role", "message"])
        // Trimmed as the form trims what is typed; each result is then found by the domain's own
        // spelling of its address (NFC, lower case), so a refused address never reads "invited".
        let emails = body.strings("emails").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let roleText = body.string("role", default: "member")
        let message = body.string("message", default: "")
        let role = Role(rawValue: roleText)
        if role == nil, body.errors.messages(for: "role").isEmpty { body.errors.add("role", "must be “member” or “admin”") }
        try body.errors.throwIfAny()
        let outcome = try database.invite(
            orgKey: grant.orgKey, addresses: emails, role: role!, message: message, enforcePlan: shell.config.mode == .saas,
            by: try actor(request, grant: grant))
        // The domain reports refusals in its one spelling of an address (composed, lower-cased).
        let refused = Dictionary(outcome.refused.map { ($0.email, $0.problem) }, uniquingKeysWith: { a, _ in a })
        let results = emails.map { email -> APIBody.InvitationResult in
            if let problem = refused[EmailRules.normalized(email)] {
                return APIBody.InvitationResult(email: email, status: "refused", code: problem.code, reason: problem.message)
            }
            return APIBody.InvitationResult(email: email, status: "invited")
        }
        return try APIJSON.response(APIBody.InvitationResults(results: results), status: outcome.invited.isEmpty ? 200 : 201)
    }

    func workspaces(_ request: Request, grant: APIKeyGrant) throws -> Response {
        let query = try APIListQuery(request)
        let page = try database.apiWorkspaces(orgId: grant.orgId, after: query.cursor, limit: query.limit)
        return try APIJSON.response(
            APIBody.WorkspaceList(workspaces: page.items.map(APIBody.Workspace.init), nextCursor: page.next.map(String.init)))
    }

    /// `{"name": "...", "key": "...", "description": "...", "language": "en"}`: a shared workspace, on the
    /// form's rules and the plan's limit.
    func createWorkspace(_ request: Request, grant: APIKeyGrant) throws -> Response {
        var body = try APIJSON.object(request, fields: ["name", "key", "description", "language"])
        let new = NewWorkspace(
            name: body.string("name"), key: body.string("key"), description: body.string("description", default: ""),
            language: body.string("language", default: WorkLanguages.default))
        try body.errors.throwIfAny()
        let made = try database.createWorkspace(
            orgKey: grant.orgKey, new, enforcePlan: shell.config.mode == .saas, by: try actor(request, grant: grant))
        var response = try APIJSON.response(APIBody.Workspace(made), status: 201)
        response.headers.append(("Location", Route.api(.workspace(made.key)).path))
        return response
    }

    /// `?actor=<user id>|system&action=&target=&since=&until=&cursor=&limit=`: newest first.
    func auditEvents(_ request: Request, grant: APIKeyGrant) throws -> Response {
        let query = try APIListQuery(request)
        var filter = AuditFilter()
        var errors = FieldErrors()
        if let text = query.items["action"] {
            if let action = AuditAction(rawValue: text) { filter.action = action } else { errors.add("action", "is not an audit action") }
        }
        if let text = query.items["actor"] {
            if text == "system" {
                filter.actor = .system
            } else if let id = Int64(text), id > 0 {
                filter.actor = .user(id)
            } else {
                errors.add("actor", "must be a user id or “system”")
            }
        }
        if let text = query.items["target"] {
            if text.isEmpty || text.count > 200 { errors.add("target", "must be 1 to 200 characters") } else { filter.text = text }
        }
        for (name, keyPath) in [("since", \AuditFilter.since), ("until", \AuditFilter.until)] {
            guard let text = query.items[name] else { continue }
            if let seconds = RFC3339.seconds(Array(text.utf8)) {
                filter[keyPath: keyPath] = Date(timeIntervalSince1970: Double(seconds))
            } else {
                errors.add(name, "must be an RFC 3339 time")
            }
        }
        if !errors.isEmpty {
            var problem = Problem.api(400, "Invalid query", "A query parameter is not valid.", kind: "invalid_query")
            problem.fieldErrors = errors
            throw problem
        }
        let page = try database.apiAuditEvents(orgId: grant.orgId, filter: filter, before: query.cursor, limit: query.limit)
        return try APIJSON.response(
            APIBody.AuditEventList(events: page.items.map(AuditExport.Line.init), nextCursor: page.next.map(String.init)))
    }
}

extension InviteProblem {
    /// The refusal's code in the API's invitation results.
    var code: String {
        switch self {
        case .malformed: "malformed"
        case .alreadyMember: "already_member"
        case .alreadyInvited: "already_invited"
        case .seatLimit: "seat_limit"
        case .planSeats: "plan_seats"
        }
    }
}
