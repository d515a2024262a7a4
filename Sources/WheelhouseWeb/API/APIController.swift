import Foundation
import WheelhouseCore

/// Answers `/api/v1/…`: authenticates the bearer key, checks the route's scope, then hands the
/// request to the route's handler, which calls the same domain functions as the console's forms.
/// No cookie is read and none is set; there is no CSRF token (nothing here is reachable by a
/// browser's ambient credentials) and no CORS header (keys are for servers).
struct APIController {
    let shell: Shell
    let database: AppDatabase
    /// The OpenAPI document's bytes, read at start-up.
    let document: [UInt8]
    /// Requests per key and window, shared by every responder of the data directory.
    let limiter: APIRateLimiter

    private var documentResponse: Response {
        Response(status: 200, headers: [("Content-Type", "application/json")], body: document)
    }

    func respond(_ route: APIRoute, _ visit: Visit) throws -> Response {
        // The document needs no key: answered before any is read.
        if route == .openAPI { return documentResponse }
        let grant: APIKeyGrant
        do {
            grant = try database.authenticateAPIKey(Self.bearer(visit.request), address: visit.request.remoteAddress)
        } catch let refusal as APIKeyRefusal {
            throw Self.problem(refusal)
        }
        // Counted after the key is known (a refused key costs its sender nothing to try again)
        // and before anything else: a key over its limit gets only the 429.
        let quota = limiter.take(keyId: grant.keyId, now: Date())
        var extra = quota.headers + [("API-Scopes", grant.scopes.sorted().map(\.rawValue).joined(separator: ", "))]
        do {
            guard quota.allowed else {
                throw Problem.api(
                    429, "Too many requests",
                    "This key has made its \(quota.limit) requests of this \(quota.window)-second window; try again in \(quota.resetSeconds) s.",
                    kind: "rate_limited")
            }
            if let scope = route.scope, !grant.allows(scope) {
                extra.append(("API-Accepted-Scopes", route.acceptedScopes.map(\.rawValue).joined(separator: ", ")))
                throw Problem.api(
                    403, "Missing scope", "This key lacks the “\(scope.rawValue)” scope this request needs.", kind: "scope_missing")
            }
            var response = try handle(route, grant: grant, visit: visit)
            response.headers.append(contentsOf: extra)
            return response
        } catch {
            var problem = apiProblem(error, requestID: visit.id)
            problem.headers.append(contentsOf: extra)
            throw problem
        }
    }

    private func handle(_ route: APIRoute, grant: APIKeyGrant, visit: Visit) throws -> Response {
        let request = visit.request
        switch route {
        case .openAPI: return documentResponse
        case .org:
            let body = APIBody.Org(try database.apiOrganization(orgId: grant.orgId), mode: shell.config.mode)
            return Response(status: 200, headers: [("Content-Type", "application/json")], body: body.json)
        case .members: return try members(request, grant: grant)
        case .invite: return try invite(request, grant: grant)
        case .workspaces: return try workspaces(request, grant: grant)
        case .createWorkspace: return try createWorkspace(request, grant: grant)
        case .workspace(let key):
            return try APIJSON.response(APIBody.Workspace(try database.apiWorkspace(orgId: grant.orgId, key: key)))
        case .usageEvents: return try usageEvents(request, grant: grant)
        case .usageDaily: return try usageDaily(request, grant: grant)
        case .usageSummary: return try usageSummary(request, grant: grant)
        case .auditEvents: return try auditEvents(request, grant: grant)
        case .entitlements:
            let answers = try database.entitlements(orgId: grant.orgId, saas: shell.config.mode == .saas)
            return try APIJSON.response(APIBody.Entitlements(answers))
        }
    }

    /// The person a changing request acts as (the key's maker), with the key named in the audit entry.
    func actor(_ request: Request, grant: APIKeyGrant) throws -> Actor {
        try database.apiActor(keyId: grant.keyId, address: request.remoteAddress, userAgent: request.header("user-agent") ?? "")
    }

    /// The key in `Authorization: Bearer <key>` (the scheme is case-insensitive); nil when the
    /// header is absent, "" when it holds something else. Read on bytes: it runs on every request.
    static func bearer(_ request: Request) -> String? {
        guard let value = request.header("authorization") else { return nil }
        let bytes = Array(value.utf8)
        func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 }
        var i = 0
        while i < bytes.count, isSpace(bytes[i]) { i += 1 }
        let scheme = Array("bearer".utf8)
        guard bytes.count >= i + scheme.count + 1, zip(bytes[i..<i + scheme.count], scheme).allSatisfy({ $0 | 0x20 == $1 }),
            isSpace(bytes[i + scheme.count])
        else { return "" }
        var start = i + scheme.count
        while start < bytes.count, isSpace(bytes[start]) { start += 1 }
        var end = bytes.count
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    static func problem(_ refusal: APIKeyRefusal) -> Problem {
        // RFC 6750: a request without credentials gets the challenge alone, a bad key its error.
        let challenge = refusal == .missing ? "Bearer realm=\"wheelhouse\"" : "Bearer realm=\"wheelhouse\", error=\"invalid_token\""
        return Problem.api(401, "Unauthorized", refusal.detail, kind: refusal.rawValue, headers: [("WWW-Authenticate", challenge)])
    }

    /// A failure as the API words it: field errors of a request body rather than of a form, and
    /// the key's maker where the console would speak of the signed-in person.
    func apiProblem(_ error: Error, requestID: String) -> Problem {
        switch error {
        case let problem as Problem: return problem
        case DomainError.invalid(let errors):
            var problem = Problem.api(
                422, "Invalid request", "The request could not be applied, so nothing was changed. See `errors`.", kind: "invalid_request")
            problem.fieldErrors = errors
            return problem
        case DomainError.notFound:
            return Problem.api(404, "Not found", "There is no such resource in this key's organization.", kind: "not_found")
        case DomainError.forbidden:
            return Problem.api(
                403, "Role required", "The person who made this key no longer has the role this request needs.", kind: "maker_role")
        case APIWriteRefusal.makerGone:
            return Problem.api(
                403, "Key maker gone",
                "The person who made this key is no longer a member of the organization, so it can only read. Make a new key.",
                kind: "maker_gone")
        case DomainError.pendingDeletion(let purgeAt):
            // The code `GET /entitlements` gives for the same state, spelt as the API's codes are.
            return Problem.api(409, "This organization is being deleted", PendingDeletionWords.refusal(purgeAt), kind: "pending_deletion")
        case WorkspaceRule.planLimit(let plan):
            var problem = Problem.api(
                422, "Plan limit", "The request could not be applied, so nothing was changed. See `errors`.", kind: "plan_limit")
            problem.fieldErrors.addForm(
                "The \(plan.name) plan includes \(plan.sharedWorkspaceLimit) shared workspaces and all are in use. An Owner can upgrade the plan on Billing."
            )
            return problem
        case DomainError.staleVersion:
            return Problem.api(409, "Conflict", "Something changed meanwhile; nothing was changed. Try again.", kind: "conflict")
        default: return shell.problem(for: error, requestID: requestID)
        }
    }
}
