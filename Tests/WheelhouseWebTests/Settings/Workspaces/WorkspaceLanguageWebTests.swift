import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// A workspace's language: preset from its creator's default (Preferences), changed on its page
/// with the other settings (version-checked, audited), and in the API's workspace JSON.
@Suite("Workspace language, in process") struct WorkspaceLanguageWebTests {
    func language(_ t: TestApp, _ key: String) throws -> String? {
        try t.database.reader.read { db in try String.fetchOne(db, sql: "SELECT language FROM workspace WHERE key = ?", arguments: [key]) }
    }

    @Test func theCreateFormStartsFromTheCreatorsDefaultLanguage() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "admin@acme.test")
        let csrf = client.get("/account/preferences").csrf
        _ = client.post(
            "/account/preferences",
            [("_csrf", csrf), ("version", "1"), ("theme", "system"), ("density", "comfortable"), ("language", "ja")])
        let list = client.get("/orgs/acme/settings/workspaces")
        #expect(list.contains("<option value=\"ja\" selected>") && list.contains("Your default for new work is 日本語 (Japanese)"))
        let made = client.post(
            "/orgs/acme/settings/workspaces",
            [("_csrf", csrf), ("name", "Tokyo"), ("key", "tokyo"), ("description", ""), ("language", "ja")])
        #expect(made.status == 303)
        #expect(try language(t, "tokyo") == "ja")
        // A form without the field takes the default; an unknown one is refused and nothing is made.
        _ = client.post("/orgs/acme/settings/workspaces", [("_csrf", csrf), ("name", "Osaka"), ("key", "osaka"), ("description", "")])
        #expect(try language(t, "osaka") == "ja")
        let refused = client.post(
            "/orgs/acme/settings/workspaces",
            [("_csrf", csrf), ("name", "Kyoto"), ("key", "kyoto"), ("description", ""), ("language", "xx")])
        #expect(refused.status == 422 && refused.contains("Choose one of the languages listed."))
        #expect(try language(t, "kyoto") == nil)
    }

    @Test func theWorkspacePageChangesItWithAVersionAndAnAuditEntry() throws {
        let t = try TestApp()
        _ = try t.database.createWorkspace(
            orgKey: "acme", NewWorkspace(name: "Lab", key: "lab", description: ""), enforcePlan: false,
            by: Actor(user: t.owner, address: "t"))
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get("/orgs/acme/settings/workspaces/lab")
        #expect(page.contains("<option value=\"en\" selected>"))
        let fields = [("_csrf", page.csrf), ("version", "1"), ("name", "Lab"), ("description", ""), ("language", "fr")]
        #expect(client.post("/orgs/acme/settings/workspaces/lab/settings", fields).status == 303)
        #expect(try language(t, "lab") == "fr")
        let summary = try t.database.reader.read { db in
            try String.fetchOne(db, sql: "SELECT summary FROM auditEvent WHERE action = 'workspace.update' ORDER BY id DESC")
        }
        #expect(summary == "language en → fr")
        let stale = client.post("/orgs/acme/settings/workspaces/lab/settings", fields.map { $0.0 == "language" ? ($0.0, "de") : $0 })
        #expect(stale.status == 409)
        #expect(try language(t, "lab") == "fr")
        let unknown = client.post(
            "/orgs/acme/settings/workspaces/lab/settings",
            [("_csrf", page.csrf), ("version", "2"), ("name", "Lab"), ("description", ""), ("language", "klingon")])
        #expect(unknown.status == 422)
        #expect(try language(t, "lab") == "fr")
    }

    @Test func theAPIsWorkspaceCarriesItsLanguage() throws {
        let world = try APIWorld()
        let key = try world.key(["org:write"]).secret
        let made = world.call("POST", "workspaces", key: key, json: #"{"name": "Paris", "key": "paris", "language": "fr"}"#)
        #expect(made.status == 201 && APIWorld.json(made)["language"] as? String == "fr")
        let plain = world.call("POST", "workspaces", key: key, json: #"{"name": "Default", "key": "default-ws"}"#)
        #expect(APIWorld.json(plain)["language"] as? String == "en")
        let bad = world.call("POST", "workspaces", key: key, json: #"{"name": "Bad", "key": "bad-ws", "language": "xx"}"#)
        #expect(bad.status == 422)
        #expect(APIWorld.json(world.call("GET", "workspaces/paris", key: key))["language"] as? String == "fr")
    }
}
