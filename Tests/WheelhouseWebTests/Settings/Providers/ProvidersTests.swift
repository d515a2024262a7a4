import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("Providers tab, in process", .serialized) struct ProvidersWebTests {
    let providers = "/orgs/acme/settings/providers"
    let key = "sk-org-PROVIDERS-TAB-0123456789abcdef"

    func setUp(_ client: TestClient, kind: String = "openai", name: String? = nil, baseURL: String, key: String? = nil) -> TestResponse {
        let form = client.get("\(providers)/new?kind=\(kind)")
        var fields = [("_csrf", form.csrf), ("kind", kind), ("base_url", baseURL), ("api_key", key ?? self.key)]
        if let name { fields.append(("name", name)) }
        return client.post(providers, fields)
    }

    func testConnection(_ client: TestClient, _ id: String) -> TestResponse {
        let page = client.get(providers)
        return client.post("\(providers)/\(id)/test", [("_csrf", page.csrf)])
    }

    @Test func adminSetsUpAProviderAndTestsItAgainstAStandIn() throws {
        let standIn = try StandInServer(status: 200, body: #"{"object":"list","data":[{"id":"gpt-4o"}]}"#)
        defer { standIn.stop() }
        let t = try TestApp()
        let client = try t.client(signedInAs: "admin@acme.test")
        let list = client.get(providers)
        #expect(list.status == 200)
        #expect(list.contains("<span class=\"status status-none\">Not configured</span>"))
        let form = client.get("\(providers)/new?kind=openai")
        #expect(form.contains("value=\"https://api.openai.com/v1\""), "the default base URL is offered")
        #expect(setUp(client, baseURL: standIn.baseURL).status == 303)
        let provider = try #require(try t.database.providers(t.database.access(orgKey: "acme", userId: t.admin.id!)).first)
        #expect(provider.status == .configured)
        let configured = client.get(providers)
        #expect(configured.contains("OpenAI configured. Use Test connection to check the key."))
        #expect(configured.contains("<span class=\"status status-configured\">Configured</span>"))
        #expect(configured.contains("<code class=\"hint-value\">sk-…cdef</code>"))
        #expect(!configured.contains(key))

        #expect(testConnection(client, provider.id).status == 303)
        let testing = client.get(providers)
        #expect(testing.contains("Testing OpenAI… The result appears in its row when it is ready."))
        #expect(testing.contains("<span class=\"status status-testing\">Testing…</span>"))
        #expect(testing.contains("<noscript><meta http-equiv=\"refresh\" content=\"2\"></noscript>"), "reloads without JavaScript")
        #expect(testing.contains(">Refresh</a>"))
        #expect(standIn.requests.isEmpty, "the request thread never calls out")
        #expect(try t.runChecks() == 1)
        let connected = client.get(providers)
        #expect(!connected.contains("http-equiv=\"refresh\""), "no reload once the test is done")
        #expect(connected.contains("<span class=\"status status-connected\">Connected</span><br><span class=\"muted\">checked <time"))
        let request = try #require(standIn.requests.first)
        #expect(request.hasPrefix("GET /v1/models HTTP/1.1"))
        #expect(request.contains("Authorization: Bearer \(key)"))
        let audit = try t.database.auditEvents(orgId: t.org.id!)
        #expect(audit.suffix(2).map(\.action) == [.providerTestRequest, .providerTest])
        #expect(audit.last?.summary == "OpenAI: connected")
    }

    @Test func aFailedTestIsAStatusWithTheProvidersErrorAndABannerForAdminsOnly() throws {
        let standIn = try StandInServer(
            status: 401,
            body:
                #"{"error":{"message":"Incorrect API key provided: sk-org-PROVIDERS-TAB-0123456789abcdef.","type":"invalid_request_error"}}"#
        )
        defer { standIn.stop() }
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        #expect(setUp(client, kind: "anthropic", baseURL: standIn.baseURL).status == 303)
        let provider = try #require(try t.database.providers(t.database.access(orgKey: "acme", userId: t.owner.id!)).first)
        let tested = testConnection(client, provider.id)
        #expect(tested.status == 303)
        try t.runChecks()
        let page = client.get(providers)
        #expect(page.contains("<span class=\"status status-failed\">Failed</span>"))
        #expect(page.contains("HTTP status 401: Incorrect API key provided: [key]."), "the key the provider echoed is redacted")
        #expect(!page.contains(key))
        #expect(standIn.requests.first?.lowercased().contains("x-api-key: \(key.lowercased())") == true)
        #expect(standIn.requests.first?.lowercased().contains("anthropic-version: 2023-06-01") == true)
        for (email, sees) in [("owner@acme.test", true), ("admin@acme.test", true), ("member@acme.test", false)] {
            let general = try t.client(signedInAs: email).get("/orgs/acme/settings/general")
            #expect(general.contains("Anthropic failed its last connection test.") == sees, "\(email)")
        }
    }

    @Test func anUnreachableEndpointIsAFailedStatusNotAnError() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        #expect(setUp(client, kind: "custom", name: "Local gateway", baseURL: "http://127.0.0.1:9/v1").status == 303)
        let provider = try #require(try t.database.providers(t.database.access(orgKey: "acme", userId: t.owner.id!)).first)
        #expect(testConnection(client, provider.id).status == 303)
        try t.runChecks()
        let page = client.get(providers)
        #expect(page.contains("<span class=\"status-error-text\">Connection refused.</span>"))
        #expect(page.contains("<span class=\"badge\">CUSTOM</span>"))
    }

    @Test func editKeepsTheKeyWhenLeftEmptyAndANewURLResetsTheStatus() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        #expect(setUp(client, kind: "xai", baseURL: "https://api.x.ai/v1").status == 303)
        let access = try t.database.access(orgKey: "acme", userId: t.owner.id!)
        let provider = try #require(try t.database.providers(access).first)
        let editPath = "\(providers)/\(provider.id)/edit"
        let form = client.get(editPath)
        #expect(form.contains("Leave empty to keep the stored key; a new base URL needs the key again. At most 512 characters."))
        #expect(!form.contains("name=\"kind\""), "an edit cannot change the kind")
        #expect(form.inputValue("version") == "1")
        #expect(client.get("\(providers)/new?kind=openai").inputValue("version") == nil)
        let renamed = client.post(
            editPath, [("_csrf", form.csrf), ("version", "1"), ("base_url", "https://api.x.ai/v1/"), ("api_key", "")])
        #expect(renamed.status == 422, "a new base URL needs the key again")
        #expect(renamed.contains(ProviderRules.keyAgainForNewURL))
        let saved = client.post(editPath, [("_csrf", form.csrf), ("version", "1"), ("base_url", "https://api.x.ai/v1"), ("api_key", "")])
        #expect(saved.status == 303, "the same base URL keeps the stored key")
        #expect(client.get(providers).contains("Nothing to save: no value changed."))
        let after = try t.database.provider(access, id: provider.id)
        #expect(after.hint == provider.hint && after.version == 1)
        let moved = client.post(
            editPath,
            [
                ("_csrf", form.csrf), ("version", "1"), ("base_url", "https://proxy.example.com/xai/v1"),
                ("api_key", "xai-new-key-0123456789"),
            ])
        #expect(moved.status == 303)
        #expect(try t.database.provider(access, id: provider.id).version == 2)
        let stale = client.post(
            editPath, [("_csrf", form.csrf), ("version", "1"), ("base_url", "https://other.example.com/v1"), ("api_key", "k-123456")])
        #expect(stale.status == 409)
        #expect(stale.contains("value=\"https://other.example.com/v1\""), "the typed values come back")

        let deletePath = "\(providers)/\(provider.id)/delete"
        let confirm = client.get(deletePath)
        #expect(confirm.contains("Remove xAI (Grok)?"))
        #expect(client.post(deletePath, [("_csrf", confirm.csrf), ("version", "2")]).status == 303)
        #expect(try t.database.providers(access).isEmpty)
    }

    @Test func membersAndOutsidersAreRefused() throws {
        let t = try TestApp()
        let member = try t.client(signedInAs: "member@acme.test")
        #expect(member.get(providers).status == 403)
        #expect(member.get("\(providers)/new?kind=openai").status == 403)
        let csrf = member.get("/orgs/acme/settings/general").csrf
        #expect(
            member.post(providers, [("_csrf", csrf), ("kind", "openai"), ("base_url", "https://api.openai.com/v1"), ("api_key", "k")])
                .status == 403)
        #expect(try t.client(signedInAs: "out@other.test").get(providers).status == 404)
        #expect(try t.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM provider") } == 0)
    }

    @Test(arguments: BadInput.allCases)
    func badInputChangesNothing(_ bad: BadInput) throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "admin@acme.test")
        #expect(setUp(client, kind: "custom", name: "Taken", baseURL: "https://taken.example.com/v1").status == 303)
        #expect(setUp(client, kind: "openai", baseURL: "https://api.openai.com/v1").status == 303)
        let csrf = client.get(providers).csrf
        let before = try CredentialsSnapshot(t)
        let response = bad.send(client, csrf: csrf, path: providers)
        #expect(response.status == bad.expectedStatus, "\(bad)")
        #expect(try CredentialsSnapshot(t) == before, "\(bad) must change nothing")
        if bad.expectedStatus == 422 {
            #expect(response.contains("aria-invalid=\"true\"") || response.contains("class=\"error-summary\""), "\(bad) shows an error")
            #expect(!response.contains(BadInput.typedKey), "\(bad): the typed key is not echoed")
        }
    }

    enum BadInput: CaseIterable, CustomTestStringConvertible {
        case ftpURL, plainHTTPElsewhere, urlWithQuery, notAURL, emptyKey, multiLineKey, unknownKind, duplicateBuiltIn
        case duplicateCustomName, emptyCustomName, overLongCustomName, unknownField, missingCSRF, wrongCSRF, unknownProviderTest
        case tenThousandCharacterKey

        static let typedKey = "typed-provider-key-that-must-not-come-back"
        var testDescription: String { "\(self)" }

        var expectedStatus: Int {
            switch self {
            case .missingCSRF, .wrongCSRF: 403
            case .unknownProviderTest: 404
            default: 422
            }
        }

        func send(_ client: TestClient, csrf: String, path: String) -> TestResponse {
            func post(
                kind: String = "custom", name: String? = "New endpoint", url: String = "https://new.example.com/v1",
                key: String = Self.typedKey, extra: [(String, String)] = []
            ) -> TestResponse {
                var fields = [("_csrf", csrf), ("kind", kind), ("base_url", url), ("api_key", key)] + extra
                if let name { fields.append(("name", name)) }
                return client.post(path, fields)
            }
            switch self {
            case .ftpURL: return post(url: "ftp://files.example.com/v1")
            case .plainHTTPElsewhere: return post(url: "http://api.example.com/v1")
            case .urlWithQuery: return post(url: "https://api.example.com/v1?key=abc")
            case .notAURL: return post(url: "api.example.com")
            case .emptyKey: return post(key: "   ")
            case .multiLineKey: return post(key: "line-one\nline-two")
            case .unknownKind: return post(kind: "skynet")
            case .duplicateBuiltIn: return post(kind: "openai", name: nil, url: "https://api.openai.com/v1")
            case .duplicateCustomName: return post(name: "taken")
            case .emptyCustomName: return post(name: "")
            case .overLongCustomName: return post(name: String(repeating: "n", count: 61))
            case .unknownField: return post(extra: [("status", "connected")])
            case .missingCSRF:
                return client.post(path, [("kind", "custom"), ("name", "X"), ("base_url", "https://x.example.com"), ("api_key", "k")])
            case .wrongCSRF:
                return client.post(
                    path,
                    [
                        ("_csrf", "forged"), ("kind", "custom"), ("name", "X"),
                        ("base_url", "https://x.example.com"), ("api_key", "k"),
                    ])
            case .unknownProviderTest: return client.post("\(path)/prv_doesnotexist/test", [("_csrf", csrf)])
            case .tenThousandCharacterKey: return post(key: String(repeating: "k", count: 10_000))
            }
        }
    }
}
