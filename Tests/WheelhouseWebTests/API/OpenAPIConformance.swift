import Foundation
import WheelhouseCore
@testable import WheelhouseWeb

/// A JSON value with booleans, integers and other numbers kept apart, as a schema tells them
/// apart (JSONSerialization would hand back NSNumber for all three).
indirect enum JSONValue: Decodable, Equatable, CustomStringConvertible {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let value = try? c.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? c.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? c.decode(Double.self) {
            self = .number(value)
        } else if let value = try? c.decode(String.self) {
            self = .string(value)
        } else if let value = try? c.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    static func parse(_ bytes: [UInt8]) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    var text: String? { if case .string(let s) = self { s } else { nil } }
    var list: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    var members: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    var number: Int64? { if case .integer(let n) = self { n } else { nil } }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .integer(let n): "\(n)"
        case .number(let d): "\(d)"
        case .string(let s): "\"\(s.prefix(60))\""
        case .array(let a): "[\(a.count) items]"
        case .object(let o): "{\(o.keys.sorted().joined(separator: ", "))}"
        }
    }
}

/// Checks values against the subset of JSON Schema the OpenAPI document uses: `$ref`, `type`,
/// `enum`, `oneOf`, `required`, `properties`, `additionalProperties: false`, `items`, lengths,
/// bounds, `pattern` and the `date-time` / `date` formats. Structural, not a full validator.
struct SchemaChecker {
    let document: JSONValue

    /// The value at a local reference (`#/components/schemas/Org`), following chains of them.
    func resolve(_ node: JSONValue) -> JSONValue {
        guard let reference = node["$ref"]?.text, reference.hasPrefix("#/") else { return node }
        var found = document
        for part in reference.dropFirst(2).split(separator: "/") { found = found[String(part)] ?? .null }
        return resolve(found)
    }

    /// Every way `value` breaks `schema`, each with its JSON path; empty when it conforms.
    func problems(_ value: JSONValue, _ node: JSONValue, at path: String = "$") -> [String] {
        let schema = resolve(node)
        if let options = schema["oneOf"]?.list {
            let passing = options.filter { problems(value, $0, at: path).isEmpty }.count
            return passing == 1 ? [] : ["\(path): \(value) matches \(passing) of the \(options.count) oneOf schemas"]
        }
        if let type = schema["type"]?.text, !Self.value(value, is: type) { return ["\(path): \(value) is not of type \(type)"] }
        var found: [String] = []
        if let options = schema["enum"]?.list, !options.contains(value) { found.append("\(path): \(value) is not in the enum") }
        switch value {
        case .object(let members):
            for key in (schema["required"]?.list ?? []).compactMap(\.text) where members[key] == nil {
                found.append("\(path): lacks required member \(key)")
            }
            let properties = schema["properties"]?.members ?? [:]
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                if let property = properties[key] {
                    found += problems(member, property, at: "\(path).\(key)")
                } else if schema["additionalProperties"] == .bool(false) {
                    found.append("\(path): undocumented member \(key)")
                }
            }
        case .array(let items):
            if let least = schema["minItems"]?.number, items.count < least { found.append("\(path): fewer than \(least) items") }
            if let most = schema["maxItems"]?.number, items.count > most { found.append("\(path): more than \(most) items") }
            if let item = schema["items"] {
                for (index, element) in items.enumerated() { found += problems(element, item, at: "\(path)[\(index)]") }
            }
        case .string(let text):
            found += stringProblems(text, schema, at: path)
        case .integer(let number):
            if let least = schema["minimum"]?.number, number < least { found.append("\(path): \(number) < \(least)") }
            if let most = schema["maximum"]?.number, number > most { found.append("\(path): \(number) > \(most)") }
        default: break
        }
        return found
    }

    private func stringProblems(_ text: String, _ schema: JSONValue, at path: String) -> [String] {
        var found: [String] = []
        let length = text.unicodeScalars.count
        if let least = schema["minLength"]?.number, length < least { found.append("\(path): shorter than \(least)") }
        if let most = schema["maxLength"]?.number, length > most { found.append("\(path): longer than \(most)") }
        if let pattern = schema["pattern"]?.text, text.range(of: pattern, options: .regularExpression) == nil {
            found.append("\(path): \"\(text)\" does not match \(pattern)")
        }
        switch schema["format"]?.text {
        case "date-time" where RFC3339.seconds(Array(text.utf8)) == nil: found.append("\(path): \"\(text)\" is not an RFC 3339 time")
        case "date" where text.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, options: .regularExpression) == nil:
            found.append("\(path): \"\(text)\" is not a date")
        default: break
        }
        return found
    }

    static func value(_ value: JSONValue, is type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("integer", .integer), ("null", .null),
            ("number", .integer), ("number", .number):
            true
        default: false
        }
    }
}

/// A response held against the OpenAPI document: the operation its request reached, the status
/// documented there, the media type, the required headers and the body's schema.
struct OpenAPIConformance {
    let document: JSONValue
    var checker: SchemaChecker { SchemaChecker(document: document) }

    init(_ bytes: [UInt8]) throws { document = try JSONValue.parse(bytes) }

    /// The document's path template for a request path under `/api/v1` (`{…}` matches one segment).
    func template(for path: String) -> String? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        return (document["paths"]?.members ?? [:]).keys.sorted().first { template in
            let parts = template.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            return parts.count == segments.count
                && zip(parts, segments).allSatisfy { part, segment in part.hasPrefix("{") ? !segment.isEmpty : part == segment }
        }
    }

    /// Every way the response strays from the document; empty when it conforms.
    func problems(method: String, target: String, _ response: Response) -> [String] {
        let path = String(target.split(separator: "?", maxSplits: 1)[0].dropFirst("/api/v1".count))
        let at = "\(method) \(target) → \(response.status)"
        let documented: JSONValue
        if let template = template(for: path), let operation = document["paths"]?[template]?[method.lowercased()] {
            guard let answer = operation["responses"]?[String(response.status)] else { return ["\(at): undocumented status"] }
            documented = checker.resolve(answer)
        } else if response.status == 405 || response.status == 404 {
            // No operation: the general answers for a method or an address the document lacks.
            let name = response.status == 405 ? "MethodNotAllowed" : "NotFound"
            documented = checker.resolve(.object(["$ref": .string("#/components/responses/\(name)")]))
        } else {
            return ["\(at): no such operation in the document"]
        }
        var found: [String] = []
        for (name, header) in documented["headers"]?.members ?? [:] where checker.resolve(header)["required"] == .bool(true) {
            if response.header(name) == nil { found.append("\(at): lacks required header \(name)") }
        }
        let type = response.header("Content-Type") ?? ""
        guard let media = documented["content"]?[type] else { return found + ["\(at): undocumented Content-Type \(type)"] }
        guard let body = try? JSONValue.parse(response.body) else { return found + ["\(at): the body is not JSON"] }
        return found + checker.problems(body, media["schema"] ?? .object([:])).map { "\(at): \($0)" }
    }
}
