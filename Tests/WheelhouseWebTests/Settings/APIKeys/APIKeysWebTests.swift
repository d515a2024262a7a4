import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("API keys tab, in process") struct APIKeysWebTests {
    let tab = "/orgs/acme/settings/api-keys"

    /// The create form's fields with the given values.
    func createFields(
        _ csrf: String, name: String = "CI", scopes: [String] = ["usage:write"], expiry: String = "30", date: String = ""
    ) -> [(String, String)] {
        [("_csrf", csrf), ("name", name), ("expiry", expiry), ("expiry_date", date)] + scopes.map { ("scope_" + $0, "on") }
    }

    /// The secret in the page's read-only field, if the page shows one.
    static func shownSecret(_ page: TestResponse) -> String? {
        guard let range = page.html.range(of: #"id="api-key-secret"[^>]* value="(whk_[0-9A-Za-z]+)""#, options: .regularExpression)
        else { return nil }
        let match = String(page.html[range])
        return match.range(of: "whk_[0-9A-Za-z]+", options: .regularExpression).map { String(match[$0]) }
    }

    @Test func adminCreatesAKeyAndSeesItsSecretOnceThenNeverAgain() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "admin@acme.test")
        let form = client.get(tab)
        #expect(form.status == 200)
        // Sensitive scopes are marked and never pre-ticked; nothing is.
        #expect(form.contains("name=\"scope_members:write\" value=\"on\"> <code>members:write</code>"))
        #expect(form.contains("<span class=\"badge\">Sensitive</span>"))
        #expect(!form.contains(" checked>"))
        let created = client.post(tab, createFields(form.csrf, scopes: ["org:read", "usage:write"]))
        #expect(created.status == 303)
        let key = try #require(try t.database.apiKeys(try t.database.access(orgKey: "acme", userId: t.admin.id!)).first)
        #expect(created.location == "\(tab)/\(key.id)/secret")
        #expect(!(created.location ?? "").contains("whk_"))
        #expect(!created.raw.headers.contains { $0.1.contains("whk_") && $0.1.count > 20 })
        let shown = client.get(created.location!)
        #expect(shown.status == 200)
        let secret = try #require(Self.shownSecret(shown))
        #expect(shown.contains("readonly autofocus"))
        #expect(shown.contains("class=\"copy-source api-key-secret select-on-load\" data-copy-label=\"Copy key\""))
        #expect(shown.contains("API key CI created. Copy its secret now"))
        #expect(shown.raw.header("Cache-Control") == "no-store")
        #expect(try t.database.authenticateAPIKey(secret, address: "x").keyId == key.id)
        // The second visit does not show it; nor does the list.
        let again = client.get(created.location!)
        #expect(again.status == 200)
        #expect(!again.contains(secret) && Self.shownSecret(again) == nil)
        #expect(again.contains("This secret is no longer shown"))
        let list = client.get(tab)
        #expect(!list.contains(secret))
        #expect(list.contains("<code>\(key.displayPrefix)…</code>"))
        #expect(list.contains("by Ada Admin") && list.contains("Never used"))
        // Nor any audit entry.
        #expect(try t.database.auditEvents(orgId: t.org.id!).allSatisfy { !$0.summary.contains(secret) })
    }

    @Test func anotherSessionOfTheSamePersonNeverSeesTheSecret() throws {
        let t = try TestApp()
        let first = try t.client(signedInAs: "owner@acme.test")
        let second = try t.client(signedInAs: "owner@acme.test")
        let created = first.post(tab, createFields(first.get(tab).csrf))
        #expect(Self.shownSecret(second.get(created.location!)) == nil)
        #expect(Self.shownSecret(first.get(created.location!)) != nil)
    }

    @Test(arguments: [
        ("", ["org:read"], "30", "", "Name is required."),
        ("CI", [], "30", "", "Choose at least one scope."),
        ("CI", ["org:read"], "45", "", "Choose when the key expires."),
        ("CI", ["org:read"], "date", "31/12/2030", "Enter the date as YYYY-MM-DD."),
        ("CI", ["org:read"], "date", "2001-01-01", "The date must be after today."),
        (String(repeating: "x", count: 61), ["org:read"], "30", "", "Name must be at most 60 characters"),
        ("tab\u{1}name", ["org:read"], "30", "", "Name must not contain control characters."),
    ])
    func badInputIsRefusedWithTheValuesKept(_ name: String, _ scopes: [String], _ expiry: String, _ date: String, _ message: String) throws
    {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let before = try t.snapshot()
        let refused = client.post(tab, createFields(client.get(tab).csrf, name: name, scopes: scopes, expiry: expiry, date: date))
        #expect(refused.status == 422)
        #expect(refused.contains(message))
        #expect(refused.contains("There is a problem"))
        for scope in scopes { #expect(refused.contains("name=\"scope_\(scope)\" value=\"on\" checked>")) }
        #expect(try t.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM apiKey") } == 0)
        #expect(try t.snapshot().auditCount == before.auditCount)
    }

    @Test func invalidUTF8AndUnknownFieldsAreRefused() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let csrf = client.get(tab).csrf
        let unknown = client.post(tab, createFields(csrf) + [("scope_root:all", "on")])
        #expect(unknown.status == 422)
        #expect(unknown.contains("This form does not take an unexpected field"))
        let body = Array("_csrf=\(csrf)&name=%FF%FE&expiry=30&scope_org:read=on".utf8)
        let broken = client.send("POST", tab, contentType: "application/x-www-form-urlencoded", body: body)
        #expect(broken.status == 422)
        #expect(broken.contains("not valid UTF-8"))
        #expect(client.post(tab, createFields("forged")).status == 403)
        #expect(try t.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM apiKey") } == 0)
    }

    @Test func aDoubleSubmittedRotationMakesOneSuccessorAndSaysSo() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let created = client.post(tab, createFields(client.get(tab).csrf))
        let first = try #require(Self.shownSecret(client.get(created.location!)))
        let id = created.location!.split(separator: "/").dropLast().last!
        let form = client.get("\(tab)/\(id)/rotate")
        #expect(form.status == 200)
        #expect(form.contains("value=\"86400\" checked"))
        let fields = [("_csrf", form.csrf), ("version", "1"), ("grace", "3600")]
        let rotated = client.post("\(tab)/\(id)/rotate", fields)
        #expect(rotated.status == 303)
        // The response was "lost": the same form again.
        let twice = client.post("\(tab)/\(id)/rotate", fields)
        #expect(twice.status == 409)
        #expect(twice.contains("perhaps the form was sent twice"))
        #expect(Self.shownSecret(twice) == nil)
        #expect(twice.contains("Show the new secret"))
        let successor = try #require(Self.shownSecret(client.get(rotated.location!)))
        #expect(successor != first)
        #expect(try t.database.authenticateAPIKey(first, address: "x").keyId == Int64(id)!)
        #expect(try t.database.authenticateAPIKey(successor, address: "x").keyId == Int64(id)!)
        #expect(try t.database.auditEvents(orgId: t.org.id!).filter { $0.action == .apiKeyRotate }.count == 1)
        // Then the old secret is revoked now, and the key itself.
        let list = client.get(tab)
        #expect(list.contains("Old secret works until"))
        let early = client.get("\(tab)/\(id)/revoke-previous")
        #expect(client.post("\(tab)/\(id)/revoke-previous", [("_csrf", early.csrf), ("version", "2")]).status == 303)
        #expect(throws: APIKeyRefusal.revoked) { try t.database.authenticateAPIKey(first, address: "x") }
        let revoke = client.get("\(tab)/\(id)/revoke")
        #expect(revoke.contains("Revoke key"))
        #expect(client.post("\(tab)/\(id)/revoke", [("_csrf", revoke.csrf), ("version", "2")]).status == 409)
        #expect(client.post("\(tab)/\(id)/revoke", [("_csrf", revoke.csrf), ("version", "3")]).status == 303)
        #expect(throws: APIKeyRefusal.revoked) { try t.database.authenticateAPIKey(successor, address: "x") }
        #expect(client.get(tab).contains("<span class=\"status status-revoked\">Revoked</span>"))
    }

    @Test func thePolicyFormBlocksLongerKeysAndRefusesStaleAndUnknownValues() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "admin@acme.test")
        _ = client.post(tab, createFields(client.get(tab).csrf, name: "Forever", expiry: "never"))
        let page = client.get(tab)
        let saved = client.post("\(tab)/policy", [("_csrf", page.csrf), ("version", "0"), ("policy", "90")])
        #expect(saved.status == 303)
        let after = client.get(tab)
        #expect(after.contains("1 key outlive it and are blocked") || after.contains("1 key outlive"))
        #expect(after.contains("status-blocked\">Blocked by policy"))
        let stale = client.post("\(tab)/policy", [("_csrf", page.csrf), ("version", "0"), ("policy", "30")])
        #expect(stale.status == 409)
        #expect(stale.contains("changed by someone else"))
        let unknown = client.post("\(tab)/policy", [("_csrf", page.csrf), ("version", "1"), ("policy", "45")])
        #expect(unknown.status == 422)
        #expect(unknown.contains("Choose no maximum, 30, 90 or 365 days."))
        #expect(try t.database.apiKeyPolicy(orgId: t.org.id!) == APIKeyPolicySetting(policy: .days90, version: 1))
    }

    @Test func membersGet403AndAnotherOrganizationsKeyIs404() throws {
        let t = try TestApp()
        let other = try t.database.createAPIKey(
            orgKey: "other", NewAPIKey(name: "Theirs", scopes: ["org:read"], expiry: "30"), by: Actor(user: t.outsider, address: "t"))
        let member = try t.client(signedInAs: "member@acme.test")
        #expect(member.get(tab).status == 403)
        #expect(!member.get("/orgs/acme/settings/general").contains("API keys</a>"))
        let owner = try t.client(signedInAs: "owner@acme.test")
        #expect(owner.get("/orgs/acme/settings/general").contains("API keys"))
        for path in ["secret", "rotate", "revoke", "revoke-previous"] {
            #expect(owner.get("\(tab)/\(other.key.id)/\(path)").status == 404)
        }
        let csrf = owner.get(tab).csrf
        #expect(owner.post("\(tab)/\(other.key.id)/revoke", [("_csrf", csrf), ("version", "1")]).status == 404)
        _ = try t.database.authenticateAPIKey(other.secret, address: "x")
    }

    @Test func keysAboutToExpireAreCalledOutOnTheTab() throws {
        let t = try TestApp()
        _ = try t.database.createAPIKey(
            orgKey: "acme", NewAPIKey(name: "Soon", scopes: ["org:read"], expiry: "7"), by: Actor(user: t.owner, address: "t"))
        let page = try t.client(signedInAs: "owner@acme.test").get(tab)
        #expect(page.contains("Expiring soon"))
        #expect(page.contains("<strong>Soon</strong> expires in 7 days") || page.contains("<strong>Soon</strong> expires in 6 days"))
    }
}
