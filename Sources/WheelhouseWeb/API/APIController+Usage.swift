import Foundation
import WheelhouseCore

/// Usage in (`POST usage/events`) and out (`GET usage/daily`, `GET usage/summary`).
extension APIController {
    /// Events per request at most: a batch is one transaction.
    static let maxEvents = 5_000

    /// `{"events": [ {…}, … ]}`, each event in the `wheelhouse usage import` format and read by
    /// the same parser, written by the same domain call in one transaction with its rollups. One
    /// result per event, in order: `accepted`, `duplicate` (its idempotency key was seen), or
    /// `rejected` with the reason. Events may name no organization or the key's own.
    func usageEvents(_ request: Request, grant: APIKeyGrant) throws -> Response {
        try APIJSON.requireJSON(request)
        // Writes act as the key's maker: one who left, or lost the role, leaves the key read-only.
        let maker = try actor(request, grant: grant)
        try database.access(orgKey: grant.orgKey, userId: maker.user.id!).require(APIScope.usageWrite.action)
        let ranges = try EventBatch.split(request.body)
        guard ranges.count <= Self.maxEvents else {
            var problem = Problem.api(
                422, "Too many events", "Send at most \(Self.maxEvents) events per request; nothing was recorded.", kind: "invalid_request")
            problem.fieldErrors.add("events", "has \(ranges.count) events; the most is \(Self.maxEvents)")
            throw problem
        }
        var results = [APIBody.EventResult?](repeating: nil, count: ranges.count)
        var events: [UsageEventInput] = []
        var indexes: [Int] = []
        events.reserveCapacity(ranges.count)
        request.body.withUnsafeBufferPointer { body in
            for (index, range) in ranges.enumerated() {
                switch UsageJSONLine.parse(UnsafeBufferPointer(rebasing: body[range])) {
                case .success(let event) where event.org == nil || event.org == grant.orgKey:
                    events.append(event)
                    indexes.append(index)
                case .success:
                    results[index] = .rejected(index, "the event names another organization than this key's")
                case .failure(let failure):
                    results[index] = .rejected(index, failure.reason)
                }
            }
        }
        let outcome = try database.recordParsedUsage(events, defaultOrg: grant.orgKey, zones: ZoneCache())
        let rejected = Dictionary(outcome.rejected.map { ($0.index, $0.reason) }, uniquingKeysWith: { a, _ in a })
        let duplicates = Set(outcome.duplicateIndexes)
        for (position, index) in indexes.enumerated() {
            if let reason = rejected[position] {
                results[index] = .rejected(index, reason)
            } else {
                results[index] = duplicates.contains(position) ? .duplicate(index) : .accepted(index)
            }
        }
        let list = results.map { $0! }
        let summary = APIBody.EventResults(
            accepted: outcome.imported, duplicates: outcome.duplicates, rejected: list.filter { $0.status == "rejected" }.count,
            results: list)
        return Response(status: 200, headers: [("Content-Type", "application/json")], body: summary.json)
    }

    func usageDaily(_ request: Request, grant: APIKeyGrant) throws -> Response {
        let report = try database.usageReport(orgId: grant.orgId, month: try month(request, grant: grant))
        return try APIJSON.response(APIBody.UsageDaily(report))
    }

    func usageSummary(_ request: Request, grant: APIKeyGrant) throws -> Response {
        let report = try database.usageReport(orgId: grant.orgId, month: try month(request, grant: grant))
        return try APIJSON.response(APIBody.UsageSummary(report))
    }

    /// `month=YYYY-MM`, in the organization's time zone; absent: the current month there.
    private func month(_ request: Request, grant: APIKeyGrant) throws -> UsageMonth {
        guard let text = request.queryItems["month"] else {
            return database.currentUsageMonth(of: try database.apiOrganization(orgId: grant.orgId).org)
        }
        guard let month = UsageMonth(text), (2000...2100).contains(month.year) else {
            var problem = Problem.api(400, "Invalid query", "A query parameter is not valid.", kind: "invalid_query")
            problem.fieldErrors.add("month", "must be a month written YYYY-MM, e.g. 2026-11")
            throw problem
        }
        return month
    }
}

/// The events of `{"events": [ … ]}`: where each object starts and ends, found without decoding
/// them (each is then read by the import's own parser). Anything else at the top level — another
/// field, a trailing comma, text after the object — is refused before anything is written.
enum EventBatch {
    static func split(_ body: [UInt8]) throws -> [Range<Int>] {
        // The event parser reads bytes: the encoding is checked once here, as the other POSTs check it.
        guard String(validating: body, as: UTF8.self) != nil else {
            throw Problem.api(400, "Invalid JSON", "The body is not valid UTF-8; nothing was recorded.", kind: "invalid_json")
        }
        do {
            return try scan(body)
        } catch let problem as Problem {
            throw explained(body) ?? problem
        }
    }

    /// Why a body the fast scan refused is wrong, in the words of the other POSTs: JSON that is
    /// not valid or not an object (400), a field other than `events` or `events` that is not a
    /// list of objects (422, naming the field). Only refused bodies get here, so decoding the
    /// whole body costs the accepted ones nothing. nil: the scan's own words stand.
    private static func explained(_ body: [UInt8]) -> Problem? {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(body)) else {
            return Problem.api(400, "Invalid JSON", "The body is not valid JSON; nothing was recorded.", kind: "invalid_json")
        }
        guard let object = parsed as? [String: Any] else {
            return Problem.api(400, "Invalid JSON", "The body must be a JSON object; nothing was recorded.", kind: "invalid_json")
        }
        var problem = Problem.api(
            422, "Invalid request", "The body must be {\"events\": [...]}; nothing was recorded.", kind: "invalid_request")
        for key in object.keys.sorted() where key != "events" {
            problem.fieldErrors.add(String(key.prefix(100)), "is not a field of this request")
        }
        switch object["events"] {
        case nil: problem.fieldErrors.add("events", "is required")
        case let list as [Any] where list.allSatisfy({ $0 is [String: Any] }): break
        default: problem.fieldErrors.add("events", "must be a list of event objects")
        }
        return problem.fieldErrors.isEmpty ? nil : problem
    }

    private static func scan(_ body: [UInt8]) throws -> [Range<Int>] {
        var i = 0
        func space() { while i < body.count, [32, 9, 10, 13].contains(body[i]) { i += 1 } }
        func invalid(_ what: String) -> Problem {
            Problem.api(400, "Invalid JSON", "\(what) (at byte \(i + 1)); nothing was recorded.", kind: "invalid_json")
        }
        func expect(_ byte: UInt8, _ what: String) throws {
            space()
            guard i < body.count, body[i] == byte else { throw invalid("Expected \(what)") }
            i += 1
        }
        try expect(UInt8(ascii: "{"), "a JSON object")
        space()
        let field = Array("\"events\"".utf8)
        guard body[i...].starts(with: field) else {
            var problem = Problem.api(
                422, "Invalid request", "The body must be {\"events\": [...]}; nothing was recorded.", kind: "invalid_request")
            problem.fieldErrors.add("events", "is required, and is the only field")
            throw problem
        }
        i += field.count
        try expect(UInt8(ascii: ":"), "“:”")
        try expect(UInt8(ascii: "["), "a list of events")
        var ranges: [Range<Int>] = []
        space()
        if i < body.count, body[i] == UInt8(ascii: "]") {
            i += 1
        } else {
            while true {
                space()
                guard i < body.count, body[i] == UInt8(ascii: "{") else { throw invalid("Expected an event object") }
                let start = i
                try skipObject(body, &i)
                ranges.append(start..<i)
                if ranges.count > APIController.maxEvents { return ranges + [i..<i] }  // counted, not read further
                space()
                guard i < body.count else { throw invalid("The list of events ends early") }
                if body[i] == UInt8(ascii: "]") { i += 1; break }
                try expect(UInt8(ascii: ","), "“,” or “]”")
            }
        }
        try expect(UInt8(ascii: "}"), "“}” after the list (“events” is the only field)")
        space()
        guard i == body.count else { throw invalid("Unexpected text after the object") }
        return ranges
    }

    /// Moves past one object, strings and nesting included.
    private static func skipObject(_ body: [UInt8], _ i: inout Int) throws {
        var depth = 0
        while i < body.count {
            switch body[i] {
            case UInt8(ascii: "\""):
                i += 1
                while i < body.count, body[i] != UInt8(ascii: "\"") { i += body[i] == UInt8(ascii: "\\") ? 2 : 1 }
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { i += 1; return }
            default: break
            }
            i += 1
        }
        throw Problem.api(400, "Invalid JSON", "An event object is not closed; nothing was recorded.", kind: "invalid_json")
    }
}

extension APIBody.EventResults {
    /// The answer as `JSONEncoder` would write it (sorted keys), written directly: a batch has
    /// 5 000 results, and encoding them took longer than writing the batch to the database.
    var json: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + results.count * 40)
        out += "{\"accepted\":\(accepted),\"duplicates\":\(duplicates),\"rejected\":\(rejected),\"results\":[".utf8
        for (n, result) in results.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out += "{\"index\":\(result.index),".utf8
            if let reason = result.reason {
                out += "\"reason\":".utf8
                JSONText.append(reason, to: &out)
                out.append(UInt8(ascii: ","))
            }
            out += "\"status\":\"\(result.status)\"}".utf8
        }
        out += "]}".utf8
        return out
    }
}

/// A JSON string literal, escaped as RFC 8259 requires (quote, backslash, control characters).
enum JSONText {
    static func append(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [92, 34]
            case 92: out += [92, 92]
            case 0..<0x20: out += [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
