import Foundation
import Logging
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// HEAD for every GET page (issue 10, point 11): the same status and headers as GET, no body, and
/// a Content-Length naming the body GET sends. HSTS when the console's address is https.
@Suite("HEAD and HSTS") struct HeadAndTransportHeaderTests {
    /// Headers whose values differ between two requests by design.
    static let varying: Set<String> = ["X-Request-Id", "Set-Cookie"]

    static func comparable(_ response: Response) -> [String] {
        response.headers.map { varying.contains($0.0) ? $0.0 : "\($0.0): \($0.1)" }.sorted()
    }

    @Test(
        arguments: RouteMatrixTests.cases.filter { $0.label.hasPrefix("GET ") },
        [RouteMatrixTests.Actor.owner, .member, .anonymous])
    func headAnswersLikeGet(_ row: RouteMatrixTests.Case, _ actor: RouteMatrixTests.Actor) throws {
        let world = try RouteMatrixTests.World()
        let (client, _) = try world.client(actor)
        let path = row.route(world).path(query: row.query)
        let get = client.get(path)
        let head = client.send("HEAD", path)
        #expect(head.status == get.status, "HEAD \(path) as \(actor)")
        #expect(head.raw.body.isEmpty, "HEAD \(path) as \(actor) sent a body")
        #expect(head.raw.header("Content-Length") == String(get.raw.body.count), "HEAD \(path) as \(actor)")
        let headHeaders = Self.comparable(head.raw).filter { !$0.hasPrefix("Content-Length") }
        #expect(headHeaders == Self.comparable(get.raw), "HEAD \(path) as \(actor)")
    }

    @Test func headOfLoginAndMissingPages() throws {
        let client = try TestApp().client()
        #expect(client.send("HEAD", "/login").status == 200)
        #expect(client.send("HEAD", "/login").raw.body.isEmpty)
        #expect(client.send("HEAD", "/no-such-page").status == 404)
        #expect(client.send("HEAD", "/").status == 303)
    }

    @Test func hstsOnlyWhenTheAddressIsHttps() throws {
        let t = try TestApp()
        #expect(t.client().get("/login").raw.header("Strict-Transport-Security") == nil)
        let https = try makeApp(
            config: AppConfig(
                web: WebConfig(baseURL: "https://console.example.test"),
                storage: .given(t.database, logos: t.logos.directory),
                templatesDirectory: templatesDirectory))
        let response = TestClient(app: https.web).get("/login")
        #expect(response.raw.header("Strict-Transport-Security") == "max-age=31536000")
    }
}

/// The request log as a bounded file (issue 10, point 24).
@Suite("Log file") struct LogFileTests {
    func temporaryPath() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wh-log-\(UUID())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("wheelhouse.log").path
    }

    func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    @Test func staysUnderTwiceItsLimit() throws {
        let path = temporaryPath()
        let log = try LogFile(path: path, maxBytes: 10_000)
        let line = String(repeating: "x", count: 99)
        for _ in 0..<5_000 { log.write(line) }  // 500 KB written in all
        #expect(size(path) < 10_000)
        #expect(size(path + ".1") >= 10_000 && size(path + ".1") < 10_100)
        let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode & 0o077 == 0, "the log is the owner's alone")
    }

    @Test func reopenWritesAFreshFileAfterLogrotateMovedIt() throws {
        let path = temporaryPath()
        let log = try LogFile(path: path)
        Logger(label: "wheelhouse.http", factory: { log.handler(label: $0) }).info("GET /login 200 10µs")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".rotated")
        log.write("still into the moved file")
        log.reopen()
        log.write("after reopen")
        let moved = try String(contentsOfFile: path + ".rotated", encoding: .utf8)
        #expect(moved.contains("info wheelhouse.http: GET /login 200 10µs"))
        #expect(moved.contains("still into the moved file"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "after reopen\n")
    }
}
