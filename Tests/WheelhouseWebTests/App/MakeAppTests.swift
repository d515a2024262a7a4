import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// `makeApp(config:)` builds what `serve` runs from a data directory (issue 11, point 8).
@Suite("makeApp") struct MakeAppTests {
    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("wh-app-\(UUID())").path
    }

    @Test func aDataDirectoryGetsItsDatabaseKeysAndLogoFolder() throws {
        let path = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let app = try makeApp(
            config: AppConfig(
                web: WebConfig(), storage: .directory(DataDirectory(path: path), readers: 2),
                templatesDirectory: templatesDirectory,
                workers: .init(sendmail: "/bin/true", outbound: OutboundPolicy())))
        #expect(try app.database.isEmpty())
        #expect(app.logos.directory.path == path + "/logos")
        for file in ["wheelhouse.sqlite", "master.key", InvitationLinks.fileName, APIRateLimiter.fileName] {
            let mode = try #require(FileManager.default.attributesOfItem(atPath: path + "/" + file)[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0, "\(file) is the owner's alone")
        }
        #expect(app.web.respond(to: Request(method: "GET", path: "/login")).status == 200)
        app.startWorkers()
        let stopped = app.stopWorkers(timeout: 5)
        #expect(stopped, "no email in hand: the mail worker stops at once")
    }

    /// Every responder of a data directory counts API requests in its `api-rate-limits`; one that
    /// cannot open it still serves, counting alone.
    @Test func theAPIRateLimiterIsSharedThroughTheDataDirectoryOrFallsBackToTheProcess() throws {
        let path = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        func start() throws -> APIRateLimiter {
            try makeApp(
                config: AppConfig(
                    web: WebConfig(), storage: .directory(DataDirectory(path: path), readers: 1),
                    templatesDirectory: templatesDirectory, apiRateLimit: 2)
            ).web.apiRateLimiter
        }
        let first = try start()
        let second = try start()
        #expect(first.isShared && second.isShared && first.limit == 2)
        let now = Date()
        #expect(first.take(keyId: 1, now: now).allowed && second.take(keyId: 1, now: now).allowed)
        #expect(!first.take(keyId: 1, now: now).allowed)
        try FileManager.default.removeItem(atPath: path + "/" + APIRateLimiter.fileName)
        // A folder where the file should be: it cannot be mapped.
        try FileManager.default.createDirectory(atPath: path + "/" + APIRateLimiter.fileName, withIntermediateDirectories: false)
        let alone = try start()
        #expect(!alone.isShared && alone.limit == 2)
        #expect(alone.take(keyId: 1, now: now).remaining == 1)
    }

    @Test func aBrokenTemplatesFolderIsAStartFailureNamingIt() throws {
        let missing = Self.temporaryDirectory()
        do {
            _ = try makeApp(
                config: AppConfig(
                    web: WebConfig(), storage: .given(try AppDatabase.inMemory(), logos: URL(fileURLWithPath: missing)),
                    templatesDirectory: missing))
            Issue.record("a missing Templates folder was accepted")
        } catch StartFailure.templates(let error) {
            #expect(error.description.contains(missing))
        }
    }

    @Test func aDatabaseThatCannotBeOpenedIsAStartFailure() throws {
        let path = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // The database path is a folder: SQLite cannot open it.
        try FileManager.default.createDirectory(atPath: path + "/db", withIntermediateDirectories: true)
        do {
            _ = try makeApp(
                config: AppConfig(
                    web: WebConfig(), storage: .directory(DataDirectory(path: path, databasePath: path + "/db"), readers: 1),
                    templatesDirectory: templatesDirectory))
            Issue.record("a folder was opened as the database")
        } catch StartFailure.opening(let error) {
            #expect(StorageFailure(error) == .readOnly, "\(error)")
        }
    }
}
