import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// Without its list of common passwords the console would accept any of them: it does not start.
@Suite("Common-password list at start-up") struct PasswordListStartupTests {
    @Test func aMissingOrEmptyListStopsStartUp() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wh-resources-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = URL(fileURLWithPath: templatesDirectory).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for folder in ["Templates", "api"] {
            try FileManager.default.copyItem(at: repository.appendingPathComponent(folder), to: root.appendingPathComponent(folder))
        }
        func start() throws {
            let config = AppConfig(
                web: WebConfig(), storage: .given(try AppDatabase.inMemory(), logos: root.appendingPathComponent("logos")),
                templatesDirectory: root.appendingPathComponent("Templates").path)
            _ = try makeApp(config: config)
        }
        #expect { try start() } throws: { "\($0)".contains("common-passwords.txt is missing") }
        let resources = root.appendingPathComponent("Resources")
        try FileManager.default.createDirectory(at: resources, withIntermediateDirectories: true)
        try "# only a comment\n\n".write(to: resources.appendingPathComponent("common-passwords.txt"), atomically: true, encoding: .utf8)
        #expect { try start() } throws: { "\($0)".contains("is empty") }
        try "hunter2\n".write(to: resources.appendingPathComponent("common-passwords.txt"), atomically: true, encoding: .utf8)
        #expect(throws: Never.self) { try start() }
    }
}
