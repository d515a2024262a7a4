import Foundation
import Logging
import WheelhouseCore
@testable import WheelhouseWeb
import WheelhouseTestSupport

/// The repository's Templates/ folder, found from this file's path.
let templatesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Templates").path

/// The web app over the `Fixture` organizations, with a temporary logo folder.
struct TestApp {
    static let password = Fixture.password
    let database: AppDatabase
    let app: WebApp
    let logos: LogoStore
    let exports: DataExportStore
    let owner: User, admin: User, member: User, outsider: User
    let org: Organization

    /// `database` and `logger` replace the in-memory database and the default logger (the
    /// credentials leak test uses a database file and captures the log).
    init(
        mode: DeploymentMode = .saas, database given: AppDatabase? = nil, logger: Logger? = nil,
        enterpriseBillingURL: String? = "https://billing.example.test/agreement"
    ) throws {
        // As `makeApp` sets it on its copy: usage the tests record here debits credits in SaaS mode.
        var base = try given ?? AppDatabase.inMemory()
        base.billingEnabled = mode == .saas
        // Integrations accept an http:// endpoint only where the operator allows it: the stand-ins.
        base.outboundPolicy = Self.standInPolicy
        let fixture = try Fixture(database: base)
        database = fixture.database
        (owner, admin, member, outsider, org) = (fixture.owner, fixture.admin, fixture.member, fixture.outsider, fixture.org)
        // Built the way `serve` builds it, on this database and a temporary logo folder.
        var config = AppConfig(
            web: WebConfig(mode: mode, enterpriseBillingURL: enterpriseBillingURL),
            storage: .given(
                database,
                logos: FileManager.default.temporaryDirectory
                    .appendingPathComponent("wh-web-\(UUID())")),
            templatesDirectory: templatesDirectory, logger: logger ?? Logger(label: "wheelhouse.http"))
        // Every page a test renders is also rendered directly by swift-mustache and compared.
        config.verifiesEveryRender = true
        let built = try makeApp(config: config)
        app = built.web
        logos = built.logos
        exports = built.exports
    }

    func client() -> TestClient { TestClient(app: app) }

    /// The outbound policy of the tests: the stand-in servers listen on loopback, which the
    /// default policy refuses, so the tests allow it as an operator would (WHEELHOUSE_OUTBOUND_ALLOW).
    static let standInPolicy = try! OutboundPolicy(parsing: "127.0.0.0/8")

    /// Runs every queued connection test on this thread, as `ProviderCheckWorker` does in `serve`.
    @discardableResult
    func runChecks(policy: OutboundPolicy = TestApp.standInPolicy, timeout: TimeInterval = 2) throws -> Int {
        let worker = ProviderCheckWorker(database: database, probe: HTTPProviderProbe(policy: policy, timeout: timeout))
        var count = 0
        while try worker.runOne() { count += 1 }
        return count
    }

    /// A client signed in as `email`.
    func client(signedInAs email: String) throws -> TestClient {
        let client = TestClient(app: app)
        // The person's usual browser: already known, so this sign-in sends no new-browser email
        // (the tests of that email sign in from a fresh `client()`).
        let device = Crypto.randomToken()
        try database.seedKnownDevice(email: email, device: device)
        client.cookies["wh_device"] = device
        try client.signIn(email: email, password: Self.password)
        return client
    }

    /// Everything a failed post must leave untouched: the row, the audit log, the logo files.
    struct Snapshot: Equatable {
        var org: Organization
        var auditCount: Int
        var logoFiles: [String]
    }

    func snapshot() throws -> Snapshot {
        let org = try database.access(orgKey: "acme", userId: owner.id!).org
        let files = (try? FileManager.default.contentsOfDirectory(atPath: logos.directory.path)) ?? []
        return Snapshot(org: org, auditCount: try database.auditEvents(orgId: org.id!).count, logoFiles: files.sorted())
    }
}

/// Calls `respond(to:)` like a browser: keeps cookies, reads CSRF tokens from forms.
final class TestClient {
    let app: WebApp
    var cookies: [String: String] = [:]

    init(app: WebApp) { self.app = app }

    @discardableResult
    func send(
        _ method: String, _ target: String, contentType: String? = nil, body: [UInt8] = [],
        headers extra: [String: String] = [:]
    ) -> TestResponse {
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        var headers: Headers = ["user-agent": "TestClient"]
        for (name, value) in extra { headers[name] = value }
        if !cookies.isEmpty { headers["cookie"] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if let contentType { headers["content-type"] = contentType }
        let response = app.respond(
            to: Request(
                method: method, path: parts[0], query: parts.count > 1 ? parts[1] : "",
                headers: headers, remoteAddress: "203.0.113.9", body: body))
        for (name, value) in response.headers where name == "Set-Cookie" {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let cookieValue = pair.count > 1 ? String(pair[1]) : ""
            if value.contains("Max-Age=0") || cookieValue.isEmpty {
                cookies[String(pair[0])] = nil
            } else {
                cookies[String(pair[0])] = cookieValue
            }
        }
        return TestResponse(response)
    }

    func get(_ target: String) -> TestResponse { send("GET", target) }

    func post(_ target: String, _ fields: [(String, String)]) -> TestResponse {
        let body = fields.map { "\(URLEncodedForm.encode($0.0))=\(URLEncodedForm.encode($0.1))" }.joined(separator: "&")
        return send("POST", target, contentType: "application/x-www-form-urlencoded", body: Array(body.utf8))
    }

    /// A multipart post; `files` are (field, filename, bytes).
    func postMultipart(_ target: String, _ fields: [(String, [UInt8])], files: [(String, String, [UInt8])] = []) -> TestResponse {
        let boundary = "----wheelhouse-test-\(UUID().uuidString)"
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n".utf8) + value + Array("\r\n".utf8)
        }
        for (name, filename, bytes) in files {
            body +=
                Array(
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: image/png\r\n\r\n"
                        .utf8)
                + bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return send("POST", target, contentType: "multipart/form-data; boundary=\(boundary)", body: body)
    }

    func signIn(email: String, password: String) throws {
        let form = get("/login")
        let response = post("/login", [("_csrf", form.csrf), ("email", email), ("password", password), ("next", "")])
        guard response.status == 303, cookies["wh_session"] != nil else {
            throw TestFailure("sign-in as \(email) answered \(response.status)")
        }
    }
}

struct TestResponse: CustomStringConvertible {
    var description: String { "HTTP \(status) \(location ?? "") \(html.count) bytes" }

    let raw: Response
    var status: Int { raw.status }
    var html: String { String(decoding: raw.body, as: UTF8.self) }
    var location: String? { raw.header("Location") }

    init(_ raw: Response) { self.raw = raw }

    /// The first `_csrf` hidden field of the page.
    var csrf: String { inputValue("_csrf") ?? "" }

    func inputValue(_ name: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    func contains(_ text: String) -> Bool { html.contains(text) }
}
