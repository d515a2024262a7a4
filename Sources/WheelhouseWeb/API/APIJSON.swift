import Foundation
import WheelhouseCore

/// JSON in and out of the API: answers encoded with sorted keys and RFC 3339 times, and request
/// bodies read strictly — the media type, UTF-8, a top-level object, only the fields a route
/// takes — so a mistaken request changes nothing and says what to fix.
enum APIJSON {
    static func response(_ value: some Encodable, status: Int = 200) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601  // "2026-11-30T05:11:00Z", as the audit export writes times
        return Response(status: status, headers: [("Content-Type", "application/json")], body: Array(try encoder.encode(value)))
    }

    /// The body as a JSON object, after the checks every POST shares.
    static func object(_ request: Request, fields allowed: Set<String>) throws -> JSONFields {
        try requireJSON(request)
        guard String(validating: request.body, as: UTF8.self) != nil else {
            throw Problem.api(400, "Invalid JSON", "The body is not valid UTF-8.", kind: "invalid_json")
        }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(request.body), options: [])
        } catch {
            throw Problem.api(400, "Invalid JSON", "The body is not valid JSON.", kind: "invalid_json")
        }
        guard let object = parsed as? [String: Any] else {
            throw Problem.api(400, "Invalid JSON", "The body must be a JSON object.", kind: "invalid_json")
        }
        var errors = FieldErrors()
        for key in object.keys.sorted() where !allowed.contains(key) {
            errors.add(String(key.prefix(100)), "is not a field of this request")
        }
        try errors.throwIfAny()
        return JSONFields(values: object)
    }

    static func requireJSON(_ request: Request) throws {
        guard request.contentType == "application/json" else {
            throw Problem.api(415, "Unsupported media type", "Send the body as application/json.", kind: "unsupported_media_type")
        }
    }
}

/// The fields of a request object, read with a per-field error when one has the wrong type.
struct JSONFields {
    let values: [String: Any]
    var errors = FieldErrors()

    init(values: [String: Any]) { self.values = values }

    mutating func string(_ key: String, default fallback: String? = nil) -> String {
        switch values[key] {
        case nil, is NSNull:
            if let fallback { return fallback }
            errors.add(key, "is required")
        case let text as String: return text
        default: errors.add(key, "must be a string")
        }
        return ""
    }

    mutating func strings(_ key: String) -> [String] {
        guard let list = values[key] as? [Any] else {
            errors.add(key, values[key] == nil ? "is required" : "must be a list of strings")
            return []
        }
        let texts = list.compactMap { $0 as? String }
        if texts.count != list.count { errors.add(key, "must be a list of strings") }
        return texts
    }
}

extension Problem {
    /// A problem as the API words it.
    static func api(_ status: Int, _ title: String, _ detail: String, kind: String, headers: [(String, String)] = []) -> Problem {
        Problem(status: status, title: title, detail: detail, kind: kind, headers: headers)
    }
}

/// Query parameters of the list routes.
struct APIListQuery {
    var limit = AppDatabase.apiPageLimit
    var cursor: Int64?
    var items: [String: String]

    init(_ request: Request) throws {
        items = request.queryItems
        var errors = FieldErrors()
        if let text = items["limit"] {
            if let value = Int(text), (1...AppDatabase.apiPageLimit).contains(value) {
                limit = value
            } else {
                errors.add("limit", "must be a whole number from 1 to \(AppDatabase.apiPageLimit)")
            }
        }
        if let text = items["cursor"] {
            if let value = Int64(text), value > 0 { cursor = value } else { errors.add("cursor", "is not a cursor this API gave out") }
        }
        if !errors.isEmpty {
            var problem = Problem.api(400, "Invalid query", "A query parameter is not valid.", kind: "invalid_query")
            problem.fieldErrors = errors
            throw problem
        }
    }
}
