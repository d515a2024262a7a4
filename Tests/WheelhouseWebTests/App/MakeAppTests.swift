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
        for file in ["wheelhouse.sqlite", "master.key", InvitationLinks.fileName] {
            let mode = try #require(FileManager.default.attributesOfItem(atPath: path + "/" + file)[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0, "\(file) is the owner's alone")
        }
        #expect(app.web.respond(to: Request(method: "GET", path: "/login")).status == 200)
        app.startWorkers()
        let stopped = app.stopWorkers(timeout: 5)
        #expect(stopped, "no email in hand: the mail worker stops at once")
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
