import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// `/account/preferences` in process: the round trip, the theme on `<html>` of the next pages,
/// refused forms that change nothing, and the two buttons.
@Suite("Preferences, in process") struct PreferencesWebTests {
    /// Every person's preferences, and the audit log (which a personal change never writes).
    static func state(_ t: TestApp) throws -> [String] {
        try t.database.reader.read { db in
            try String.fetchAll(db, sql: "SELECT userId || theme || density || language || version FROM userPreference ORDER BY userId")
                + [String(try Int.fetchOne(db, sql: "SELECT count(*) FROM auditEvent")!)]
        }
    }

    @Test func darkThemeIsOnTheNextPageAndEveryPageAfter() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let form = client.get("/account/preferences")
        #expect(form.status == 200 && form.contains("<html lang=\"en\">") && form.contains("content=\"light dark\""))
        #expect(form.contains("<option value=\"system\" selected>") && form.contains("<option value=\"zh-Hans\">"))
        let saved = client.post(
            "/account/preferences", [("_csrf", form.csrf), ("version", "1"), ("theme", "dark"), ("density", "compact"), ("language", "de")])
        #expect(saved.status == 303 && saved.location == "/account/preferences")
        let next = client.get(saved.location!)
        #expect(next.contains("<html lang=\"en\" data-theme=\"dark\" data-density=\"compact\">"))
        #expect(next.contains("<meta name=\"color-scheme\" content=\"dark\">"))
        #expect(next.contains("Your preferences are saved.") && next.contains("<option value=\"de\" selected>"))
        for path in ["/orgs/acme", "/orgs/acme/settings/general", "/account", "/account/notifications"] {
            #expect(client.get(path).contains("data-theme=\"dark\""), "\(path)")
        }
        // Another person, and a signed-out page, follow the system.
        #expect(!(try t.client(signedInAs: "admin@acme.test")).get("/orgs/acme").contains("data-theme"))
        #expect(!t.client().get("/login").contains("data-theme"))
    }

    @Test func badInputChangesNothing() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let csrf = client.get("/account/preferences").csrf
        _ = client.post(
            "/account/preferences", [("_csrf", csrf), ("version", "1"), ("theme", "light"), ("density", "compact"), ("language", "fr")])
        let before = try Self.state(t)
        let good = [("version", "2"), ("theme", "dark"), ("density", "comfortable"), ("language", "en")]
        func with(_ name: String, _ value: String) -> [(String, String)] { good.map { $0.0 == name ? (name, value) : $0 } }
        let table: [(String, [(String, String)], Int, String)] = [
            ("unknown theme", with("theme", "neon"), 422, "Choose light, dark or the same as your system."),
            ("unknown density", with("density", "tiny"), 422, "Choose comfortable or compact."),
            ("unknown language", with("language", "tlh"), 422, "Choose one of the languages listed."),
            ("over-long language", with("language", String(repeating: "e", count: 5000)), 422, "Choose one of the languages listed."),
            ("control character", with("theme", "dark\u{7}"), 422, "Choose light, dark"),
            ("stale version", with("version", "1"), 409, "changed in another tab"),
            ("missing version", good.filter { $0.0 != "version" }, 422, "error-summary"),
        ]
        for (label, fields, status, message) in table {
            let response = client.post("/account/preferences", [("_csrf", csrf)] + fields)
            #expect(response.status == status, "\(label)")
            #expect(response.contains(message), "\(label)")
            #expect(try Self.state(t) == before, "\(label)")
        }
        // The values sent are kept in the form after a refusal.
        #expect(
            client.post("/account/preferences", [("_csrf", csrf)] + with("theme", "neon")).contains(
                "<option value=\"comfortable\" selected>"))
        let noCSRF = client.post("/account/preferences", good)
        #expect(noCSRF.status == 403)
        let forged = client.post("/account/preferences", [("_csrf", "forged")] + good)
        #expect(forged.status == 403)
        let invalidUTF8 = client.send(
            "POST", "/account/preferences", contentType: "application/x-www-form-urlencoded",
            body: Array("_csrf=\(csrf)&version=2&theme=%FF%FE&density=compact&language=en".utf8))
        #expect(invalidUTF8.status == 422)
        #expect(try Self.state(t) == before)
        #expect(client.get("/account/preferences").contains("data-theme=\"light\""))
    }

    @Test func theTwoButtonsBringBackTheTutorialAndTheDefaultWidgets() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let csrf = client.get("/orgs/acme").csrf
        #expect(client.post("/orgs/acme/overview/widgets/usage/hide", [("_csrf", csrf)]).status == 303)
        #expect(client.post("/orgs/acme/overview/tutorial/dismiss", [("_csrf", csrf)]).status == 303)
        var page = client.get("/orgs/acme")
        #expect(!page.contains("id=\"tutorial-heading\"") && !page.contains("id=\"widget-usage\""))
        let reset = client.post("/account/preferences/widgets/reset", [("_csrf", csrf)])
        #expect(reset.status == 303 && client.get(reset.location!).contains("back in their default order"))
        let tutorial = client.post("/account/preferences/tutorial", [("_csrf", csrf)])
        #expect(tutorial.status == 303)
        page = client.get("/orgs/acme")
        #expect(page.contains("id=\"tutorial-heading\"") && page.contains("id=\"widget-usage\""))
        #expect(client.post("/account/preferences/tutorial", []).status == 403)
    }
}
