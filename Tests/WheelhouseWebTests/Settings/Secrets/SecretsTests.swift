import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("Secrets tab, in process") struct SecretsWebTests {
    let secrets = "/orgs/acme/settings/secrets"
    let value = "sk-live-SECRETS-TAB-0123456789abcdef-9f2c"

    func add(_ client: TestClient, name: String = "OPENAI_API_KEY", value: String? = nil) -> TestResponse {
        let page = client.get(secrets)
        return client.post(secrets, [("_csrf", page.csrf), ("name", name), ("value", value ?? self.value)])
    }

    @Test func memberAddsASecretSeesItsIdAndHintButNeverTheValue() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let form = client.get(secrets)
        #expect(form.status == 200)
        #expect(form.contains("<option value=\"OPENAI_API_KEY\">"))
        let saved = add(client)
        #expect(saved.status == 303)
        #expect(saved.location == secrets)
        let stored = try #require(try t.database.secrets(orgId: t.org.id!, ownerId: t.member.id!).first)
        let page = client.get(secrets)
        #expect(page.contains("Secret OPENAI_API_KEY saved. Its id is \(stored.id)."))
        #expect(page.contains("<code class=\"secret-id\" id=\"id-\(stored.id)\">\(stored.id)</code>"))
        #expect(page.contains("<code class=\"hint-value\">sk-…9f2c</code>"))
        #expect(page.contains("data-copy=\"\(stored.id)\""))
        #expect(!page.contains(value))
        #expect(try t.database.secretValue(id: stored.id, orgId: t.org.id!, ownerId: t.member.id!) == value)
        let audit = try #require(try t.database.auditEvents(orgId: t.org.id!).last)
        #expect(audit.action == .secretCreate && audit.actorUserId == t.member.id && audit.address == "203.0.113.9")
    }

    @Test func theNameCanComeFromTheQueryAsAChatModelLinkSendsIt() throws {
        let t = try TestApp()
        let page = try t.client(signedInAs: "member@acme.test").get(secrets + "?name=ANTHROPIC_API_KEY")
        #expect(page.contains("name=\"name\" type=\"text\" value=\"ANTHROPIC_API_KEY\""))
    }

    @Test func rotateKeepsTheIdAndDeleteAsksFirst() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "admin@acme.test")
        #expect(add(client, name: "MY_TOKEN").status == 303)
        let secret = try #require(try t.database.secrets(orgId: t.org.id!, ownerId: t.admin.id!).first)
        let rotatePath = "\(secrets)/\(secret.id)/rotate"
        let form = client.get(rotatePath)
        #expect(form.status == 200)
        #expect(form.contains("Rotate <code>MY_TOKEN</code>"))
        let rotated = client.post(rotatePath, [("_csrf", form.csrf), ("version", "1"), ("value", "a-brand-new-value-of-some-length")])
        #expect(rotated.status == 303)
        #expect(client.get(secrets).contains("Secret MY_TOKEN rotated. Its id is unchanged."))
        #expect(try t.database.secretValue(id: secret.id, orgId: t.org.id!, ownerId: t.admin.id!) == "a-brand-new-value-of-some-length")
        // A second window's stale form is refused.
        let stale = client.post(rotatePath, [("_csrf", form.csrf), ("version", "1"), ("value", "stale")])
        #expect(stale.status == 409)
        #expect(stale.contains("changed in another window"))

        let deletePath = "\(secrets)/\(secret.id)/delete"
        let confirm = client.get(deletePath)
        #expect(confirm.status == 200)
        #expect(confirm.contains("Delete <code>MY_TOKEN</code>?"))
        #expect(try t.database.secrets(orgId: t.org.id!, ownerId: t.admin.id!).count == 1, "the confirmation page deletes nothing")
        #expect(client.post(deletePath, [("_csrf", confirm.csrf), ("version", "1")]).status == 409)
        let deleted = client.post(deletePath, [("_csrf", confirm.csrf), ("version", "2")])
        #expect(deleted.status == 303)
        #expect(client.get(secrets).contains("Secret MY_TOKEN deleted."))
        #expect(try t.database.secrets(orgId: t.org.id!, ownerId: t.admin.id!).isEmpty)
    }

    @Test func nobodyElseSeesOrTouchesAPersonsSecretOwnersSeeOnlyCounts() throws {
        let t = try TestApp()
        let member = try t.client(signedInAs: "member@acme.test")
        #expect(add(member, name: "MEMBERS_OWN").status == 303)
        let secret = try #require(try t.database.secrets(orgId: t.org.id!, ownerId: t.member.id!).first)
        let owner = try t.client(signedInAs: "owner@acme.test")
        let ownerPage = owner.get(secrets)
        #expect(!ownerPage.contains("MEMBERS_OWN") && !ownerPage.contains(secret.id))
        #expect(ownerPage.contains("Secrets per member"))
        #expect(
            ownerPage.contains(
                "<th scope=\"row\">Max Member <span class=\"muted\">member@acme.test</span></th><td><span class=\"badge\">MEMBER</span></td><td class=\"number\">1</td>"
            ))
        #expect(!(try t.client(signedInAs: "admin@acme.test").get(secrets).contains("Secrets per member")))
        let before = try CredentialsSnapshot(t)
        for path in ["\(secrets)/\(secret.id)/rotate", "\(secrets)/\(secret.id)/delete"] {
            #expect(owner.get(path).status == 404)
            #expect(owner.post(path, [("_csrf", ownerPage.csrf), ("version", "1"), ("value", "x")]).status == 404)
        }
        #expect(try t.client(signedInAs: "out@other.test").get(secrets).status == 404)
        #expect(try CredentialsSnapshot(t) == before)
    }

    /// Each bad submission of the add form: its status, and that nothing changed anywhere.
    @Test(arguments: BadInput.allCases)
    func badInputChangesNothing(_ bad: BadInput) throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        #expect(add(client, name: "TAKEN").status == 303)
        let page = client.get(secrets)
        let before = try CredentialsSnapshot(t)
        let response = bad.send(client, csrf: page.csrf, path: secrets)
        #expect(response.status == bad.expectedStatus, "\(bad)")
        #expect(try CredentialsSnapshot(t) == before, "\(bad) must change nothing")
        if bad.expectedStatus == 422 {
            #expect(response.contains("aria-invalid=\"true\"") || response.contains("class=\"error-summary\""), "\(bad) shows an error")
            #expect(!response.contains(BadInput.typedValue), "\(bad): the typed value is not echoed")
        }
    }

    enum BadInput: CaseIterable, CustomTestStringConvertible {
        case emptyName, lowerCaseName, digitFirst, overLongName, duplicateName, emptyValue, overLongValue
        case invalidUTF8Value, controlCharacters, unknownField, missingCSRF, wrongCSRF, anotherOrg, jsonBody

        static let typedValue = "typed-value-that-must-not-come-back-123"
        var testDescription: String { "\(self)" }

        var expectedStatus: Int {
            switch self {
            case .missingCSRF, .wrongCSRF: 403
            case .anotherOrg: 404
            case .jsonBody: 415
            default: 422
            }
        }

        func send(_ client: TestClient, csrf: String, path: String) -> TestResponse {
            func post(
                name: String = "NEW_NAME", value: String = Self.typedValue, extra: [(String, String)] = [],
                token: String? = nil
            ) -> TestResponse {
                var fields = [("name", name), ("value", value)] + extra
                if let token = token ?? Optional(csrf), !token.isEmpty { fields.append(("_csrf", token)) }
                return client.post(path, fields)
            }
            switch self {
            case .emptyName: return post(name: "  ")
            case .lowerCaseName: return post(name: "openai_api_key")
            case .digitFirst: return post(name: "1PASSWORD")
            case .overLongName: return post(name: String(repeating: "A", count: 129))
            case .duplicateName: return post(name: "TAKEN")
            case .emptyValue: return post(value: " \n ")
            case .overLongValue: return post(value: String(repeating: "v", count: 32 * 1024 + 1))
            case .invalidUTF8Value:
                return rawPost(
                    client, path, [("_csrf", Array(csrf.utf8)), ("name", Array("NEW_NAME".utf8)), ("value", [0x61, 0xFF, 0xFE])])
            case .controlCharacters: return post(value: "abc\u{1B}[31mdef")
            case .unknownField: return post(extra: [("owner_id", "1")])
            case .missingCSRF: return client.post(path, [("name", "NEW_NAME"), ("value", Self.typedValue)])
            case .wrongCSRF: return post(token: "forged")
            case .anotherOrg: return client.post("/orgs/other/settings/secrets", [("_csrf", csrf), ("name", "NEW_NAME"), ("value", "v")])
            case .jsonBody:
                return client.send("POST", path, contentType: "application/json", body: Array("{\"name\":\"X\"}".utf8))
            }
        }
    }
}

@Suite("Secrets after a rotation by another process") struct SecretsStaleKeyTests {
    @Test func aResponderWithTheOldKeyRefusesToEncryptAndSaysWhy() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        _ = try t.database.rotateMasterKey(to: .generate())  // as `rotate-master-key` would, from another process
        let before = try CredentialsSnapshot(t)
        let page = client.get("/orgs/acme/settings/secrets")
        let response = client.post("/orgs/acme/settings/secrets", [("_csrf", page.csrf), ("name", "AFTER_ROTATION"), ("value", "v")])
        #expect(response.status == 503)
        #expect(response.contains("Restart needed"))
        #expect(try CredentialsSnapshot(t) == before)
    }
}
