import Foundation
import WheelhouseCore

/// A failure as the client is told it, whatever the format: the members of an RFC 9457 problem
/// document. `WebApp.problem(for:requestID:)` maps every domain and web failure to one, in one
/// place; `errorResponse` renders it as the HTML error page or as `application/problem+json`.
/// A controller may also throw one directly.
struct Problem: Error {
    var status: Int
    var title: String
    var detail: String
    /// Names this kind of problem where the status alone does not (a 403 for an expired form is
    /// not a 403 for a missing role); nil: the type is `about:blank`, the status says it all.
    var kind: String?
    /// Headers the response carries in either format, e.g. `Retry-After`.
    var headers: [(String, String)] = []
    /// For 422: the messages per field, and those about the form as a whole.
    var fieldErrors = FieldErrors()
    /// Written to the log, never shown: what went wrong on the server.
    var logLine: String?
}

extension Shell {
    /// Every failure a request can end in, as the problem the client is told.
    func problem(for error: Error, requestID: String) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case WebError.notFound, DomainError.notFound:
            return Problem(status: 404, title: "Page not found", detail: "There is no such page, or you do not have access to it.")
        case WebError.methodNotAllowed(let allowed):
            let methods = allowed.flatMap { $0 == .get ? ["GET", "HEAD"] : [$0.rawValue] }
            return Problem(
                status: 405, title: "Method not allowed", detail: "This address does not accept that kind of request.",
                headers: [("Allow", methods.joined(separator: ", "))])
        case WebError.csrf:
            return Problem(
                status: 403, title: "Form expired",
                detail:
                    "This form has expired or did not come from this site, so nothing was changed. Go back, reload the page and try again.",
                kind: "form-expired")
        case WebError.payloadTooLarge:
            return Problem(
                status: 413, title: "Upload too large",
                detail:
                    "The request was larger than \(config.maxBodyBytes / 1_048_576) MB, so nothing was changed. A logo may be at most 2 MB."
            )
        case WebError.unsupportedMediaType:
            return Problem(
                status: 415, title: "Unsupported form encoding",
                detail: "Send forms as application/x-www-form-urlencoded or multipart/form-data.")
        case WebError.tooManyFields:
            return Problem(
                status: 400, title: "Too many fields",
                detail: "The form sent more than \(FormData.maxFields) fields, more than any form here takes, so nothing was changed.",
                kind: "too-many-fields")
        case WebError.malformedBody(let reason):
            return Problem(
                status: 400, title: "Malformed request", detail: "The form could not be read (\(reason)); nothing was changed.",
                kind: "malformed-body")
        case DomainError.forbidden(let action):
            let role = Policy.requiredRole(for: action) == .owner ? "Owner" : "Admin"
            return Problem(
                status: 403, title: "You need the \(role) role",
                detail: "Your role in this organization does not allow this. Ask an \(role) of the organization if you need it.",
                kind: "role-required")
        case DomainError.invalid(let errors):
            return Problem(
                status: 422, title: "There is a problem",
                detail: "The form could not be saved, so nothing was changed. Correct the values and send it again.",
                kind: "invalid-form", fieldErrors: errors)
        case DomainError.staleVersion:
            return Problem(
                status: 409, title: "This could not be saved",
                detail: "Someone changed this after you opened it, so nothing was saved. Reload the page and try again.",
                kind: "stale-version")
        case DomainError.pendingDeletion(let purgeAt):
            return Problem(
                status: 409, title: "This organization is being deleted",
                detail: PendingDeletionWords.refusal(purgeAt), kind: "pending-deletion")
        case DomainError.throttled(let seconds):
            return Problem(
                status: 429, title: "Too many attempts",
                detail: "Too many attempts from this address. Try again in \(Plural.wait(seconds)).",
                headers: [("Retry-After", String(seconds))])
        case let failure where StorageFailure(failure) == .full:
            return Problem(
                status: 507, title: "Storage is full",
                detail:
                    "The server ran out of disk space, so nothing was saved. Pages can still be read. Try again once an administrator has freed space.",
                logLine: "request \(requestID): storage is full, nothing was saved: \(String(describing: error))")
        case let failure where StorageFailure(failure) == .readOnly:
            return Problem(
                status: 503, title: "Saving is unavailable",
                detail:
                    "The server cannot write to its database right now, so nothing was saved. Pages can still be read. Try again later.",
                kind: "read-only",
                logLine: "request \(requestID): the database cannot be written, nothing was saved: \(String(describing: error))")
        case MasterKeyError.changedSinceStart:
            return Problem(
                status: 503, title: "Restart needed",
                detail:
                    "The encryption key was rotated after this server started, so nothing was changed. An administrator must restart Wheelhouse; then try again.",
                kind: "restart-needed", logLine: "request \(requestID): the master key was rotated after this responder started; restart it"
            )
        default:
            return Problem(
                status: 500, title: "Something went wrong",
                detail: "The error has been logged. Quote request id \(requestID) when you report it.",
                logLine: "request \(requestID) failed: \(String(describing: error))")
        }
    }

    /// The response for any failure: logged if the server is at fault, then rendered in the
    /// format the request asked for.
    func errorResponse(_ error: Error, visit: Visit) -> Response {
        let problem = problem(for: error, requestID: visit.id)
        if let line = problem.logLine { logger.error("\(line)") }
        var response = ProblemFormat(visit.request) == .json ? problemJSON(problem, requestID: visit.id) : errorPage(problem, visit: visit)
        response.headers.append(contentsOf: problem.headers)
        return response
    }

    /// The HTML error page, inside the layout when the layout can be built.
    func errorPage(_ problem: Problem, visit: Visit) -> Response {
        var context = (try? layout(visit, title: problem.title)) ?? ["title": .text(problem.title), "requestID": .text(visit.id)]
        context["status"] = problem.status
        context["message"] = problem.detail
        if !problem.fieldErrors.isEmpty {
            // The error page has no fields to link to: the summary lists the messages only.
            let messages =
                problem.fieldErrors.form + problem.fieldErrors.byField.keys.sorted().flatMap { problem.fieldErrors.messages(for: $0) }
            context["errorItems"] = TemplateValue.list(messages.map { .object(["text": .text($0)]) })
        }
        return page(.error, context, status: problem.status)
    }

    /// `application/problem+json` (RFC 9457), encoded by `JSONEncoder`.
    func problemJSON(_ problem: Problem, requestID: String) -> Response {
        let document = ProblemDocument(
            type: problem.kind.map { "\(config.baseURL)/problems/\($0)" } ?? "about:blank",
            title: problem.title, status: problem.status, detail: problem.detail, requestId: requestID,
            // Always for 422; for any other status (a 400 about query parameters) when there are some.
            errors: problem.status == 422 || !problem.fieldErrors.isEmpty ? ProblemDocument.FieldProblem.list(problem.fieldErrors) : nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and integers only: encoding cannot fail; if it ever did, the status still tells.
        let body = (try? encoder.encode(document)) ?? Data()
        return Response(status: problem.status, headers: [("Content-Type", "application/problem+json")], body: Array(body))
    }
}

/// The JSON members of a problem; `requestId` is an extension member, as the HTML page shows it too.
struct ProblemDocument: Codable, Equatable {
    struct FieldProblem: Codable, Equatable {
        /// The form field's name; absent for a message about the form as a whole.
        var field: String?
        var detail: String

        static func list(_ errors: FieldErrors) -> [FieldProblem] {
            errors.form.map { FieldProblem(field: nil, detail: $0) }
                + errors.byField.keys.sorted().flatMap { field in errors.messages(for: field).map { FieldProblem(field: field, detail: $0) }
                }
        }
    }

    var type: String
    var title: String
    var status: Int
    var detail: String
    var requestId: String
    var errors: [FieldProblem]?
}

/// Which rendering a failure gets: JSON for the API (`/api/…`) and for clients that accept JSON
/// but not HTML (no `text/html`, `application/xhtml+xml`, `text/*` or `*/*`); the HTML page for
/// everything else, browsers included.
enum ProblemFormat: Equatable {
    case html, json

    init(_ request: Request) {
        if request.path == "/api" || request.path.hasPrefix("/api/") {
            self = .json
            return
        }
        var acceptsJSON = false
        for range in (request.header("accept") ?? "").split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            // A range with q=0 is one the client refuses.
            if parts.dropFirst().contains(where: { $0.hasPrefix("q=") && Double($0.dropFirst(2)) == 0 }) { continue }
            switch parts.first ?? "" {
            case "application/json", "application/problem+json": acceptsJSON = true
            case "text/html", "application/xhtml+xml", "text/*", "*/*":
                self = .html
                return
            default: break
            }
        }
        self = acceptsJSON ? .json : .html
    }
}
