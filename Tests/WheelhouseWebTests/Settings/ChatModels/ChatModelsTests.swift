import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("Chat models tab, in process") struct ChatModelsWebTests {
    let chatModels = "/orgs/acme/settings/chat-models"

    func toggle(_ client: TestClient, _ model: String, on: Bool) -> TestResponse {
        let page = client.get(chatModels)
        return client.post(chatModels, [("_csrf", page.csrf), ("model", model), ("enabled", on ? "1" : "0")])
    }

    @Test func aModelSwitchedOnWithoutAKeyIsNotReadyUntilTheKeyIsAdded() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let empty = client.get(chatModels)
        #expect(empty.status == 200)
        #expect(empty.contains("No model is switched on: your picker is empty."))
        #expect(!empty.contains("Not ready: add a key."))

        #expect(toggle(client, "openai/gpt-4o", on: true).status == 303)
        let notReady = client.get(chatModels)
        #expect(notReady.contains("GPT-4o switched on in your model picker."))
        #expect(notReady.contains("<ol class=\"picker\"><li>GPT-4o <span class=\"status status-failed\">Not ready</span></li></ol>"))
        #expect(notReady.contains("<strong>Not ready: add a key.</strong>"))
        #expect(notReady.contains("href=\"/orgs/acme/settings/secrets?name=OPENAI_API_KEY\""))
        #expect(!notReady.contains("set up the provider"), "a Member cannot fix Providers: no link there")

        let secrets = client.get("/orgs/acme/settings/secrets")
        #expect(
            client.post(
                "/orgs/acme/settings/secrets",
                [
                    ("_csrf", secrets.csrf), ("name", "OPENAI_API_KEY"),
                    ("value", "sk-member-own-key-0123456789"),
                ]
            ).status == 303)
        let ready = client.get(chatModels)
        #expect(ready.contains("<ol class=\"picker\"><li>GPT-4o</li></ol>"))
        #expect(ready.contains("Ready: your secret OPENAI_API_KEY"))
        #expect(!ready.contains("Not ready: add a key."))

        #expect(toggle(client, "openai/gpt-4o", on: false).status == 303)
        #expect(client.get(chatModels).contains("GPT-4o switched off in your model picker."))
        #expect(toggle(client, "openai/gpt-4o", on: false).status == 303)
        #expect(client.get(chatModels).contains("GPT-4o was already off."))
    }

    @Test func theOrganizationsProviderKeyMakesModelsReadyUnlessItFailed() throws {
        let t = try TestApp()
        let admin = Actor(user: t.admin, address: "t")
        let provider = try t.database.addProvider(
            orgKey: "acme", by: admin,
            ProviderChange(
                kind: .anthropic, name: "", baseURL: "http://127.0.0.1:9/v1", apiKey: "sk-ant-org-0123456789abcdef"))
        let client = try t.client(signedInAs: "member@acme.test")
        #expect(toggle(client, "anthropic/claude-sonnet-4-0", on: true).status == 303)
        #expect(client.get(chatModels).contains("Ready: the organization’s Anthropic key"))
        try t.database.testProvider(
            orgKey: "acme", id: provider.id, by: admin, probe: HTTPProviderProbe(policy: TestApp.standInPolicy, timeout: 2))
        let failed = client.get(chatModels)
        #expect(failed.contains("(the organization’s key failed its last test)"))
        #expect(failed.contains("Not ready: add a key."))
    }

    @Test func aChoiceChangesNeitherTheCatalogNorAnyoneElsesPicker() throws {
        let t = try TestApp()
        let memberActor = Actor(user: t.member, address: "t")
        try t.database.setChatModel(orgKey: "acme", modelId: "google/gemini-2.5-pro", enabled: true, by: memberActor)
        let catalog = try t.database.chatModelCatalog()
        let memberAccess = try t.database.access(orgKey: "acme", userId: t.member.id!)
        let membersBefore = try t.database.chatModels(memberAccess, userId: t.member.id!)

        let owner = try t.client(signedInAs: "owner@acme.test")
        #expect(toggle(owner, "openai/gpt-4o", on: true).status == 303)
        #expect(toggle(owner, "google/gemini-2.5-pro", on: true).status == 303)
        #expect(toggle(owner, "google/gemini-2.5-pro", on: false).status == 303)

        #expect(try t.database.chatModelCatalog() == catalog, "the catalog is unchanged")
        #expect(try t.database.chatModels(memberAccess, userId: t.member.id!) == membersBefore, "the member's picker is unchanged")
        #expect(membersBefore.filter(\.enabled).map(\.model.id) == ["google/gemini-2.5-pro"])
        let ownerAccess = try t.database.access(orgKey: "acme", userId: t.owner.id!)
        #expect(try t.database.chatModels(ownerAccess, userId: t.owner.id!).filter(\.enabled).map(\.model.id) == ["openai/gpt-4o"])
        // The same person's picker in another organization is separate too.
        #expect(
            try t.database.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM chatModelChoice WHERE orgId <> ?", arguments: [t.org.id])
            } == 0)
    }

    @Test(arguments: BadInput.allCases)
    func badInputChangesNothing(_ bad: BadInput) throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let page = client.get(chatModels)
        let before = try CredentialsSnapshot(t)
        let response = bad.send(client, csrf: page.csrf, path: chatModels)
        #expect(response.status == bad.expectedStatus, "\(bad)")
        #expect(try CredentialsSnapshot(t) == before, "\(bad) must change nothing")
        if bad.expectedStatus == 422 { #expect(response.contains("class=\"error-summary\""), "\(bad) shows an error") }
    }

    enum BadInput: CaseIterable, CustomTestStringConvertible {
        case unknownModel, emptyModel, enabledNotABoolean, missingEnabled, unknownField, missingCSRF, wrongCSRF, anotherOrg
        var testDescription: String { "\(self)" }

        var expectedStatus: Int {
            switch self {
            case .missingCSRF, .wrongCSRF: 403
            case .anotherOrg: 404
            default: 422
            }
        }

        func send(_ client: TestClient, csrf: String, path: String) -> TestResponse {
            switch self {
            case .unknownModel: client.post(path, [("_csrf", csrf), ("model", "openai/gpt-9"), ("enabled", "1")])
            case .emptyModel: client.post(path, [("_csrf", csrf), ("model", ""), ("enabled", "1")])
            case .enabledNotABoolean: client.post(path, [("_csrf", csrf), ("model", "openai/gpt-4o"), ("enabled", "yes")])
            case .missingEnabled: client.post(path, [("_csrf", csrf), ("model", "openai/gpt-4o")])
            case .unknownField: client.post(path, [("_csrf", csrf), ("model", "openai/gpt-4o"), ("enabled", "1"), ("user_id", "1")])
            case .missingCSRF: client.post(path, [("model", "openai/gpt-4o"), ("enabled", "1")])
            case .wrongCSRF: client.post(path, [("_csrf", "forged"), ("model", "openai/gpt-4o"), ("enabled", "1")])
            case .anotherOrg:
                client.post("/orgs/other/settings/chat-models", [("_csrf", csrf), ("model", "openai/gpt-4o"), ("enabled", "1")])
            }
        }
    }

    @Test func invalidUTF8IsReportedAsA422WithAMessageAndChangesNothing() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let page = client.get(chatModels)
        let body = "_csrf=\(URLEncodedForm.encode(page.csrf))&model=openai%2Fgpt-4o%FF&enabled=1"
        let response = client.send("POST", chatModels, contentType: "application/x-www-form-urlencoded", body: Array(body.utf8))
        #expect(response.status == 422)
        #expect(response.contains("class=\"error-summary\""))
        #expect(response.contains("The text in “Model” is not valid UTF-8."))
        #expect(client.get(chatModels).contains("No model is switched on: your picker is empty."))
    }
}
