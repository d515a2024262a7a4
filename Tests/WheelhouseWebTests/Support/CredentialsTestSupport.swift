import Foundation
import GRDB
import WheelhouseCore
@testable import WheelhouseWeb

/// Everything a refused credentials post must leave untouched: the secrets, providers and
/// chat-model rows (ciphertext included) and the audit log.
struct CredentialsSnapshot: Equatable {
    var secrets: [String]
    var providers: [String]
    var choices: [String]
    var catalog: [String]
    var audit: Int

    init(_ t: TestApp) throws {
        (secrets, providers, choices, catalog, audit) = try t.database.read { db in
            (
                try String.fetchAll(db, sql: "SELECT id || name || hex(sealed) || version || ownerId FROM secret ORDER BY id"),
                try String.fetchAll(db, sql: "SELECT id || name || baseURL || hex(sealed) || status || version FROM provider ORDER BY id"),
                try String.fetchAll(db, sql: "SELECT orgId || '/' || userId || '/' || modelId FROM chatModelChoice ORDER BY 1"),
                try String.fetchAll(
                    db, sql: "SELECT id || provider || displayName || contextWindow || requiredKey FROM chatModel ORDER BY id"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM auditEvent")!
            )
        }
    }
}

extension TestResponse {
    /// The value of the first hidden input named `name` after `marker` in the page.
    func inputValue(_ name: String, after marker: String) -> String? {
        guard let start = html.range(of: marker) else { return nil }
        let rest = html[start.upperBound...]
        guard let range = rest.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(rest[range.upperBound...].prefix { $0 != "\"" })
    }
}

/// Form fields as bytes, for posts with invalid UTF-8.
func rawPost(_ client: TestClient, _ path: String, _ fields: [(String, [UInt8])]) -> TestResponse {
    var body: [UInt8] = []
    for (index, (name, value)) in fields.enumerated() {
        if index > 0 { body.append(UInt8(ascii: "&")) }
        body += Array(URLEncodedForm.encode(name).utf8) + [UInt8(ascii: "=")]
        for byte in value {
            let unreserved = (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
            body += unreserved ? [byte] : Array(String(format: "%%%02X", byte).utf8)
        }
    }
    return client.send("POST", path, contentType: "application/x-www-form-urlencoded", body: body)
}
