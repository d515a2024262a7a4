import Foundation
import Mustache
import Testing
@testable import WheelhouseWeb

/// Start-up refuses every broken template, naming it, so no request can meet one.
@Suite("Templates at start-up") struct TemplatesStartupTests {
    /// A fresh copy of the repository's Templates/ folder.
    func copyOfTemplates() throws -> URL {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("wh-templates-\(UUID())")
        try FileManager.default.copyItem(atPath: templatesDirectory, toPath: copy.path)
        return copy
    }

    func write(_ text: String, _ name: String, in folder: URL) throws {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    @Test func theRepositoryTemplatesLoad() {
        #expect(throws: Never.self) { try Templates(directory: templatesDirectory) }
    }

    /// The enum is the list of templates: a file without a case, or a case without a file, fails here.
    @Test func theEnumListsExactlyTheFilesInTemplates() throws {
        let files = try #require(FileManager.default.subpaths(atPath: templatesDirectory)).filter { $0.hasSuffix(".mustache") }
        #expect(Set(files) == Set(Template.allCases.map(\.fileName)))
    }

    @Test func everyTabHasItsPageTemplate() {
        for tab in SettingsTab.allCases { #expect(Template(rawValue: "settings/\(tab.rawValue)") != nil, "\(tab)") }
    }

    /// Every page and every partial, deleted in turn from one copy (put back after each).
    @Test func deletingAnyTemplateStopsStartUpNamingIt() throws {
        let copy = try copyOfTemplates()
        defer { try? FileManager.default.removeItem(at: copy) }
        for template in Template.allCases {
            let file = copy.appendingPathComponent(template.fileName)
            let saved = try Data(contentsOf: file)
            try FileManager.default.removeItem(at: file)
            #expect(throws: Templates.LoadError.self, "\(template.fileName)") { try Templates(directory: copy.path) }
            #expect { try Templates(directory: copy.path) } throws: {
                "\($0)".contains("Template \(template.fileName) is missing from \(copy.path)")
            }
            try saved.write(to: file)
        }
        _ = try Templates(directory: copy.path)
    }

    @Test func aSyntaxErrorInAnyPageStopsStartUpNamingIt() throws {
        let copy = try copyOfTemplates()
        defer { try? FileManager.default.removeItem(at: copy) }
        for template in [Template.members, .secretsRotate, .fieldPartial] {
            let file = copy.appendingPathComponent(template.fileName)
            let saved = try Data(contentsOf: file)
            try (String(decoding: saved, as: UTF8.self) + "{{#open}} never closed").write(to: file, atomically: true, encoding: .utf8)
            #expect { try Templates(directory: copy.path) } throws: { "\($0)".contains("\(template.fileName) does not parse") }
            try saved.write(to: file)
        }
    }

    @Test func aTemplateThatIsNotUTF8StopsStartUpNamingIt() throws {
        let copy = try copyOfTemplates()
        defer { try? FileManager.default.removeItem(at: copy) }
        try Data([0x7B, 0xFF, 0xFE, 0x7D]).write(to: copy.appendingPathComponent(Template.team.fileName))
        #expect { try Templates(directory: copy.path) } throws: { "\($0)".contains("settings/team.mustache is not readable") }
    }

    @Test func aPartialThatDoesNotExistStopsStartUp() throws {
        let copy = try copyOfTemplates()
        defer { try? FileManager.default.removeItem(at: copy) }
        try write("{{> partials/nowhere}}", "extra.mustache", in: copy)
        #expect { try Templates(directory: copy.path) } throws: { "\($0)".contains("extra.mustache uses “partials/nowhere”") }
    }

    /// The rules the render cache relies on that can be read from the text (Templates.swift).
    @Test func aTemplateBreakingTheCacheRulesStopsStartUpNamingIt() throws {
        for (text, reason) in [
            ("{{{raw}}}", "unescaped"), ("{{& raw}}", "unescaped"), ("{{>*which}}", "chooses a partial"),
            ("{{%CONTENT_TYPE: TEXT}}", "pragma"), ("a \u{E000}0\u{E001}", "U+E000"),
        ] {
            let copy = try copyOfTemplates()
            defer { try? FileManager.default.removeItem(at: copy) }
            try write(text, "settings/usage.mustache", in: copy)
            #expect { try Templates(directory: copy.path) } throws: {
                "\($0)".contains("settings/usage.mustache") && "\($0)".contains(reason)
            }
        }
    }

    @Test func aMissingFolderIsAClearError() {
        #expect { try Templates(directory: "/nonexistent/templates") } throws: { "\($0)".contains("/nonexistent/templates") }
    }

    /// The render path has no crash left: should swift-mustache render nothing (a template it
    /// lost), the page is a logged 500 and the responder goes on serving.
    @Test func aTemplateSwiftMustacheCannotRenderIsA500NotACrash() throws {
        var templates = try Templates(directory: templatesDirectory)
        templates.library = MustacheLibrary()
        #expect(throws: Templates.RenderError.self) { try templates.render(.billing, ["title": "x"]) }
        let t = try TestApp()
        let app = WebApp(config: WebConfig(), database: t.database, templates: templates, logos: t.logos)
        let response = app.respond(to: Request(method: "GET", path: "/login"))
        #expect(response.status == 500)
        #expect(String(decoding: response.body, as: UTF8.self).contains("The error has been logged"))
        #expect(t.client().get("/login").status == 200)
    }
}
