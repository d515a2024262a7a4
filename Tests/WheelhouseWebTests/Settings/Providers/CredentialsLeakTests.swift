import Foundation
import GRDB
import Logging
import Synchronization
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// Every log line the web app writes, kept for inspection.
final class CapturedLog: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "wheelhouse.http") { label in Handler(label: label, log: self) }
    }

    struct Handler: LogHandler {
        let label: String
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            log.lines.withLock { $0.append("\(event.level) \(label) \(event.message) \(all) \(String(describing: event.error))") }
        }
    }
}

@Suite("Credentials never leave in plaintext") struct CredentialsLeakTests {
    let first = "sk-proj-FIRSTPLAINTEXT-7c1e0b5d9a8f4e2b9c7d"
    let rotated = "sk-proj-ROTATEDPLAINTEXT-3a9e4f1c2b8d7e6f"
    let providerKey = "sk-ant-PROVIDERPLAINTEXT-5d2c8e1f9b3a"
    let refused = "sk-REFUSEDPLAINTEXT-typed-into-a-bad-form"

    @Test func noPageNoLogLineAndNoDatabaseByteHoldsAPlaintext() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wh-leak-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = try AppDatabase.open(
            path: directory.appendingPathComponent("wheelhouse.sqlite").path,
            hasher: .fastForTests, readers: 2, masterKey: .key(.generate()))
        let log = CapturedLog()
        let standIn = try StandInServer(status: 401, body: #"{"error":{"message":"bad key \#(providerKey)"}}"#)
        defer { standIn.stop() }
        let t = try TestApp(database: database, logger: log.logger)
        var bodies: [(String, TestResponse)] = []
        func visit(_ client: TestClient, _ path: String) {
            let response = client.get(path)
            #expect([200, 303, 403, 404].contains(response.status), "\(path) answered \(response.status)")
            bodies.append((path, response))
        }

        // Given: a secret saved and rotated, a provider key saved and tested, a refused form.
        let owner = try t.client(signedInAs: "owner@acme.test")
        let secrets = "/orgs/acme/settings/secrets"
        #expect(owner.post(secrets, [("_csrf", owner.get(secrets).csrf), ("name", "OPENAI_API_KEY"), ("value", first)]).status == 303)
        let secret = try #require(try database.secrets(orgId: t.org.id!, ownerId: t.owner.id!).first)
        let rotate = "\(secrets)/\(secret.id)/rotate"
        #expect(owner.post(rotate, [("_csrf", owner.get(rotate).csrf), ("version", "1"), ("value", rotated)]).status == 303)
        let badAdd = owner.post(secrets, [("_csrf", owner.get(secrets).csrf), ("name", "bad name"), ("value", refused)])
        #expect(badAdd.status == 422)
        bodies.append(("422 add", badAdd))
        let badRotate = owner.post(rotate, [("_csrf", owner.get(rotate).csrf), ("version", "2"), ("value", refused + "\u{7}")])
        #expect(badRotate.status == 422)
        bodies.append(("422 rotate", badRotate))
        let providers = "/orgs/acme/settings/providers"
        #expect(
            owner.post(
                providers,
                [
                    ("_csrf", owner.get(providers).csrf), ("kind", "anthropic"), ("base_url", standIn.baseURL),
                    ("api_key", providerKey),
                ]
            ).status == 303)
        let provider = try #require(try database.providers(database.access(orgKey: "acme", userId: t.owner.id!)).first)
        #expect(owner.post("\(providers)/\(provider.id)/test", [("_csrf", owner.get(providers).csrf)]).status == 303)
        try t.runChecks()
        #expect(try database.provider(database.access(orgKey: "acme", userId: t.owner.id!), id: provider.id).status == .failed)
        let badProvider = owner.post(
            providers,
            [
                ("_csrf", owner.get(providers).csrf), ("kind", "custom"), ("name", ""),
                ("base_url", "ftp://x"), ("api_key", refused),
            ])
        #expect(badProvider.status == 422)
        bodies.append(("422 provider", badProvider))

        // When: every page, for every role and an outsider.
        for email in ["owner@acme.test", "admin@acme.test", "member@acme.test", "out@other.test"] {
            let client = try t.client(signedInAs: email)
            for tab in SettingsTab.allCases { visit(client, "/orgs/acme/settings/\(tab.rawValue)") }
            for path in [
                rotate, "\(secrets)/\(secret.id)/delete", "\(providers)/new?kind=openai", "\(providers)/new?kind=custom",
                "\(providers)/\(provider.id)/edit", "\(providers)/\(provider.id)/delete", "/orgs/acme/nope",
                "/orgs/acme/settings/secrets?name=OPENAI_API_KEY", "/", "/login",
            ] {
                visit(client, path)
            }
        }
        #expect(bodies.count > 60)

        // Then: no plaintext in any page or header…
        let plaintexts = [first, rotated, providerKey, refused]
        for (path, response) in bodies {
            let headers = response.raw.headers.map { "\($0.0): \($0.1)" }.joined(separator: "\n")
            for plaintext in plaintexts {
                #expect(!response.html.contains(plaintext) && !headers.contains(plaintext), "\(path) shows a plaintext")
            }
        }
        // …in the log (which did record the requests)…
        let lines = log.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("GET /orgs/acme/settings/secrets 200") })
        for plaintext in plaintexts { #expect(!lines.contains { $0.contains(plaintext) }) }
        // …in the audit log…
        for event in try database.auditEvents(orgId: t.org.id!) {
            for plaintext in plaintexts { #expect(!event.summary.contains(plaintext)) }
        }
        // …or in any byte of the database files, write-ahead log included.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.contains("wheelhouse.sqlite-wal"))
        for file in files {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
            for plaintext in plaintexts {
                #expect(bytes.range(of: Data(plaintext.utf8)) == nil, "\(file) holds a plaintext")
                // Not even the distinctive middle of one.
                #expect(bytes.range(of: Data(plaintext.dropFirst(8).prefix(16).utf8)) == nil, "\(file) holds part of a plaintext")
            }
        }
        // The values are still there for the one who owns them.
        #expect(try database.secretValue(id: secret.id, orgId: t.org.id!, ownerId: t.owner.id!) == rotated)
    }
}
