import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// A form's field names have one source, its field enum: the templates print them from the
/// page's `names` (or a `FieldView`), so what the browser posts is what `FormReader` reads.
@Suite("Form field names come from the field enums") struct FormFieldNamesTests {
    /// The templates whose forms take every name from an enum (the `_csrf` partial aside).
    static let templates = [
        "settings/general", "partials/general-conflict", "settings/members", "partials/member-row",
        "settings/teams", "settings/team", "settings/workspaces", "settings/workspace", "partials/workspace-manage",
    ]

    static func controlNames(_ html: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"<(?:input|select|textarea|button)\b[^>]*?\sname="([^"]*)""#)
        let range = NSRange(html.startIndex..., in: html)
        return pattern.matches(in: html, range: range).map { String(html[Range($0.range(at: 1), in: html)!]) }
    }

    static func names<Field: RawRepresentable & CaseIterable>(_: Field.Type) -> Set<String> where Field.RawValue == String {
        Set(Field.allCases.map(\.rawValue))
    }

    @Test(arguments: templates)
    func noLiteralNameInTheTemplate(_ template: String) throws {
        let text = try String(contentsOfFile: "\(templatesDirectory)/\(template).mustache", encoding: .utf8)
        let literal = Self.controlNames(text).filter { !$0.hasPrefix("{{") }
        #expect(literal.isEmpty, "\(template) names fields literally: \(literal)")
    }

    /// Every control the owner sees on these pages is named by the tab's enums, and none is empty
    /// (a `names.x` the context lacks would render `name=""`).
    @Test func everyRenderedNameIsAnEnumCase() throws {
        let world = try RouteMatrixTests.World()
        let (client, _) = try world.client(.owner)
        let pages: [(String, Set<String>)] = [
            ("/orgs/acme/settings/general", Self.names(GeneralSettingsController.Field.self)),
            (
                "/orgs/acme/settings/members",
                Self.names(MembersController.InviteField.self)
                    .union(Self.names(MembersController.ListField.self)).union(Self.names(MemberActions.Field.self))
            ),
            ("/orgs/acme/settings/teams", Self.names(TeamsController.Field.self)),
            ("/orgs/acme/settings/teams/\(world.teamId)", Self.names(TeamsController.Field.self)),
            ("/orgs/acme/settings/workspaces", Self.names(WorkspacesController.Field.self)),
            (
                "/orgs/acme/settings/workspaces/lab",
                Self.names(WorkspacesController.Field.self)
                    .union(Self.names(WorkspaceLifecycleController.Field.self))
            ),
        ]
        for (path, allowed) in pages {
            let response = client.get(path)
            #expect(response.status == 200, "\(path)")
            let names = Self.controlNames(response.html)
            #expect(names.count > 1, "\(path) shows its forms")
            let strays = names.filter { !allowed.contains($0) }
            #expect(strays.isEmpty, "\(path) names controls outside its field enums: \(strays)")
        }
    }
}
