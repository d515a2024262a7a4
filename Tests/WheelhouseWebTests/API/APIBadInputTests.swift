import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// Bad bodies for each POST of the API: each gets its status and problem code, a 422 names
/// its fields, and nothing is written — no row, no rollup, no audit entry, no email.
@Suite("JSON API, bad input") struct APIBadInputTests {
    struct Case: CustomStringConvertible {
        var label: String
        var body: [UInt8]
        var contentType: String? = "application/json"
        var status: Int
        var code: String?
        /// For 422: the fields the problem must name, exactly.
        var fields: [String] = []
        var description: String { label }

        init(_ label: String, _ body: String, type: String? = "application/json", _ status: Int, _ code: String?, fields: [String] = []) {
            self.init(label, Array(body.utf8), type: type, status, code, fields: fields)
        }

        init(_ label: String, _ body: [UInt8], type: String? = "application/json", _ status: Int, _ code: String?, fields: [String] = []) {
            (self.label, self.body, self.contentType, self.status, self.code, self.fields) = (label, body, type, status, code, fields)
        }
    }

    /// What every POST refuses alike, around one valid body of that route.
    static func common(valid: String) -> [Case] {
        let padding = [UInt8](repeating: UInt8(ascii: " "), count: 6 * 1_048_576)
        return [
            Case("text/plain", valid, type: "text/plain", 415, "unsupported_media_type"),
            Case("a form", "name=x", type: "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
            Case("no content type", valid, type: nil, 415, "unsupported_media_type"),
            Case("application/json-seq", valid, type: "application/json-seq", 415, "unsupported_media_type"),
            Case("empty", "", 400, "invalid_json"),
            Case("cut short", String(valid.dropLast(3)), 400, "invalid_json"),
            Case("trailing text", valid + " and more", 400, "invalid_json"),
            Case("single quotes", valid.replacingOccurrences(of: "\"", with: "'"), 400, "invalid_json"),
            // Inside the first field's name: only the encoding is wrong.
            Case("invalid UTF-8", Array(#"{""#.utf8) + [0xFF, 0xFE] + Array(valid.utf8.dropFirst(2)), 400, "invalid_json"),
            Case("an overlong UTF-8 slash", Array(#"{""#.utf8) + [0xC0, 0xAF] + Array(valid.utf8.dropFirst(2)), 400, "invalid_json"),
            Case("a list", "[\(valid)]", 400, "invalid_json"),
            Case("a string", #""hello""#, 400, "invalid_json"),
            Case("a number", "42", 400, "invalid_json"),
            Case("null", "null", 400, "invalid_json"),
            Case("6 MB", Array(valid.utf8.dropLast()) + padding + Array("}".utf8), 413, nil),
        ]
    }

    static let tooLong = String(repeating: "x", count: 300)

    static let invitations: [Case] =
        common(valid: #"{"emails": ["new@x.test"]}"#) + [
            Case("an unknown field", #"{"emails": ["new@x.test"], "colour": "red"}"#, 422, "invalid_request", fields: ["colour"]),
            Case("two unknown fields", #"{"emails": ["new@x.test"], "b": 1, "a": 2}"#, 422, "invalid_request", fields: ["a", "b"]),
            Case("no field", "{}", 422, "invalid_request", fields: ["emails"]),
            Case("emails a string", #"{"emails": "new@x.test"}"#, 422, "invalid_request", fields: ["emails"]),
            Case("emails numbers", #"{"emails": [1, 2]}"#, 422, "invalid_request", fields: ["emails"]),
            Case("emails null", #"{"emails": null}"#, 422, "invalid_request", fields: ["emails"]),
            Case("no address", #"{"emails": []}"#, 422, "invalid_request", fields: ["emails"]),
            Case(
                "51 addresses", #"{"emails": [\#((1...51).map { "\"p\($0)@x.test\"" }.joined(separator: ","))]}"#, 422,
                "invalid_request", fields: ["emails"]),
            Case("role a number", #"{"emails": ["new@x.test"], "role": 1}"#, 422, "invalid_request", fields: ["role"]),
            Case("role unknown", #"{"emails": ["new@x.test"], "role": "superuser"}"#, 422, "invalid_request", fields: ["role"]),
            Case("role owner", #"{"emails": ["new@x.test"], "role": "owner"}"#, 422, "invalid_request", fields: ["role"]),
            Case("message a list", #"{"emails": ["new@x.test"], "message": ["hi"]}"#, 422, "invalid_request", fields: ["message"]),
            Case("message with a bell", #"{"emails": ["new@x.test"], "message": "hi\u0007"}"#, 422, "invalid_request", fields: ["message"]),
            Case(
                "message too long", #"{"emails": ["new@x.test"], "message": "\#(String(repeating: "m", count: 501))"}"#, 422,
                "invalid_request", fields: ["message"]),
            Case(
                "every field wrong", #"{"emails": 5, "role": 5, "message": 5}"#, 422, "invalid_request",
                fields: ["emails", "message", "role"]),
        ]

    static let workspaces: [Case] =
        common(valid: #"{"name": "Research", "key": "research"}"#) + [
            Case("an unknown field", #"{"name": "Research", "key": "research", "colour": 1}"#, 422, "invalid_request", fields: ["colour"]),
            Case("no field", "{}", 422, "invalid_request", fields: ["key", "name"]),
            // The key is not made from the name: the domain's rule, as on the form.
            Case("no key", #"{"name": "Research"}"#, 422, "invalid_request", fields: ["key"]),
            Case("name a number", #"{"name": 5, "key": "research"}"#, 422, "invalid_request", fields: ["name"]),
            Case("key a boolean", #"{"name": "Research", "key": true}"#, 422, "invalid_request", fields: ["key"]),
            Case(
                "description an object", #"{"name": "Research", "key": "research", "description": {}}"#, 422, "invalid_request",
                fields: ["description"]),
            Case(
                "every field wrong", #"{"name": 1, "key": 2, "description": 3}"#, 422, "invalid_request",
                fields: ["description", "key", "name"]),
            Case(
                "name with a control character", #"{"name": "Re\u0001search", "key": "research"}"#, 422, "invalid_request", fields: ["name"]
            ),
            Case("name with a line break", #"{"name": "Re\nsearch", "key": "research"}"#, 422, "invalid_request", fields: ["name"]),
            Case("name too long", #"{"name": "\#(tooLong)", "key": "research"}"#, 422, "invalid_request", fields: ["name"]),
            Case("key not a key", #"{"name": "Research", "key": "Not a key!"}"#, 422, "invalid_request", fields: ["key"]),
            Case("key taken", #"{"name": "Research", "key": "example"}"#, 422, "invalid_request", fields: ["key"]),
            Case(
                "description too long",
                #"{"name": "Research", "key": "research", "description": "\#(String(repeating: "d", count: 5_000))"}"#, 422,
                "invalid_request", fields: ["description"]),
        ]

    static let usageEvents: [Case] =
        common(valid: APIWorld.events([APIWorld.event("bad-1")])) + [
            Case("no field", "{}", 422, "invalid_request", fields: ["events"]),
            Case("an unknown field first", #"{"colour": 1, "events": []}"#, 422, "invalid_request", fields: ["colour"]),
            Case(
                "an unknown field after", String(APIWorld.events([APIWorld.event("bad-2")]).dropLast()) + #", "colour": 1}"#, 422,
                "invalid_request", fields: ["colour"]),
            Case("events a string", #"{"events": "many"}"#, 422, "invalid_request", fields: ["events"]),
            Case("events an object", #"{"events": {}}"#, 422, "invalid_request", fields: ["events"]),
            Case("events null", #"{"events": null}"#, 422, "invalid_request", fields: ["events"]),
            Case("events numbers", #"{"events": [1, 2]}"#, 422, "invalid_request", fields: ["events"]),
            Case("a trailing comma", #"{"events": [\#(APIWorld.event("bad-3")),]}"#, 400, "invalid_json"),
            Case(
                "invalid UTF-8 inside an event",
                Array(APIWorld.events([APIWorld.event("bad-4")]).utf8).split(separator: UInt8(ascii: "4")).joined(separator: [0xFF]).map {
                    $0
                },
                400, "invalid_json"),
            Case(
                "5 001 events", APIWorld.events((0...5_000).map { APIWorld.event("many-\($0)") }), 422, "invalid_request",
                fields: ["events"]),
        ]

    static let cases: [String: [Case]] = ["members/invitations": invitations, "workspaces": workspaces, "usage/events": usageEvents]

    @Test(arguments: ["members/invitations", "workspaces", "usage/events"]) func badBodiesAreRefusedAndChangeNothing(path: String) throws {
        let cases = try #require(Self.cases[path])
        let w = try APIWorld()
        try w.database.createWorkspace(orgId: w.t.org.id!, key: "example", name: "Example", shared: true)
        let key = try w.key(["org:write", "members:write"]).secret
        let before = try w.counts()
        for c in cases {
            let response = w.call("POST", path, key: key, bytes: c.body, contentType: c.contentType ?? "")
            #expect(response.status == c.status, "\(path), \(c): \(response.html.prefix(300))")
            #expect(response.raw.header("Content-Type") == "application/problem+json", "\(path), \(c)")
            if let code = c.code { #expect(APIWorld.code(response) == code, "\(path), \(c): \(response.html.prefix(300))") }
            if c.status == 422 {
                #expect(Set(APIWorld.fields(response)).sorted() == c.fields, "\(path), \(c): \(response.html.prefix(400))")
            }
            #expect(try w.counts() == before, "\(path), \(c) changed something")
        }
        // The valid body the cases were made from is accepted: the refusals were the cases' own.
        let valid = try #require(cases.first).body
        #expect([200, 201].contains(w.call("POST", path, key: key, bytes: valid).status))
        #expect(try w.counts() != before)
    }
}
