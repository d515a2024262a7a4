import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("Privacy tab, in process") struct PrivacyWebTests {
    static let privacy = "/orgs/acme/settings/privacy"
    static let windows = [("usage_events", "365"), ("ended_sessions", "30"), ("read_notifications", "forever"), ("mail_bodies", "90")]

    static func setting(_ t: TestApp) throws -> PrivacySetting { try t.database.privacySetting(orgId: t.org.id!) }

    @Test func eachRoleGetsWhatItMaySee() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test").get(Self.privacy)
        #expect(owner.status == 200 && owner.contains("<h1>Privacy</h1>"))
        #expect(owner.contains("action=\"/orgs/acme/settings/privacy/retention\"") && owner.contains("name=\"usage_events\""))
        #expect(owner.contains("Last run: never"))
        let admin = try t.client(signedInAs: "admin@acme.test").get(Self.privacy)
        #expect(admin.status == 200 && admin.contains("Only an Owner can change these."))
        #expect(!admin.contains("<form method=\"post\" action=\"/orgs/acme/settings/privacy"))
        #expect(admin.contains("<dt>Raw usage events</dt><dd><strong>Forever</strong>"))
        #expect(admin.contains("href=\"/orgs/acme/settings/privacy\""), "listed in the menu")
        let member = try t.client(signedInAs: "member@acme.test")
        #expect(member.get(Self.privacy).status == 403)
        #expect(!member.get("/orgs/acme/settings/general").contains("href=\"/orgs/acme/settings/privacy\""))
        #expect(try t.client(signedInAs: "out@other.test").get(Self.privacy).status == 404)
    }

    @Test func theOwnerSavesRetentionAndSeesTheFlashTheValuesAndTheAuditEntry() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get(Self.privacy)
        #expect(page.inputValue("version") == "0")
        let saved = client.post(Self.privacy + "/retention", [("_csrf", page.csrf), ("version", "0")] + Self.windows)
        #expect(saved.status == 303 && saved.location == Self.privacy)
        let setting = try Self.setting(t)
        #expect(setting.version == 1 && setting.window(.usageEvents) == .days365 && setting.window(.endedSessions) == .days30)
        let after = client.get(Self.privacy)
        #expect(after.contains("Retention saved. The job applies it within the hour."))
        #expect(after.contains("<option value=\"365\" selected>365 days</option>") && after.inputValue("version") == "1")
        let audit = client.get("/orgs/acme/settings/audit")
        #expect(audit.contains("Data retention changed") && audit.contains("raw usage events forever → 365 days"))
    }

    @Test func theSwitchesShowWhoAndWhenAndTheLastRun() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        var csrf = client.get(Self.privacy).csrf
        #expect(client.post(Self.privacy + "/training", [("_csrf", csrf), ("version", "0"), ("training", "on")]).status == 303)
        let page = client.get(Self.privacy)
        #expect(page.contains("This organization is opted out of model training."))
        #expect(page.contains("Opted out by Olga Owner on \(Dates.iso(Date()))"))
        csrf = page.csrf
        #expect(client.post(Self.privacy + "/masking", [("_csrf", csrf), ("version", "1"), ("masking", "on")]).status == 303)
        #expect(try Self.setting(t).masking)
        #expect(client.post(Self.privacy + "/retention", [("_csrf", csrf), ("version", "2")] + Self.windows).status == 303)
        try t.database.prunePrivacyData()
        #expect(client.get(Self.privacy).contains("removed nothing."))
        #expect(client.get(Self.privacy).contains("Last run: \(Dates.iso(Date()))"))
    }

    /// Each row: the fields after the CSRF token, and the status; nothing changes and nothing is audited.
    static let badInput: [(String, String, [(String, String)], Int)] = [
        ("retention", "unknown value", [("version", "0"), ("usage_events", "60")] + windows.dropFirst(), 422),
        ("retention", "control character", [("version", "0"), ("usage_events", "30\u{1}")] + windows.dropFirst(), 422),
        ("retention", "missing class", [("version", "0")] + windows.dropLast(), 422),
        ("retention", "missing version", windows, 422),
        ("retention", "unknown field", [("version", "0"), ("extra", "1")] + windows, 422),
        ("retention", "stale version", [("version", "5")] + windows, 409),
        ("masking", "unknown value", [("version", "0"), ("masking", "yes")], 422),
        ("masking", "missing value", [("version", "0")], 422),
        ("training", "control character", [("version", "0"), ("training", "on\u{7f}")], 422),
        ("training", "stale version", [("version", "1"), ("training", "on")], 409),
    ]

    @Test(arguments: badInput.indices)
    func badInputIsRefusedAndChangesNothing(_ index: Int) throws {
        let (route, label, fields, status) = Self.badInput[index]
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let before = try t.snapshot().auditCount
        let csrf = client.get(Self.privacy).csrf
        let response = client.post(Self.privacy + "/" + route, [("_csrf", csrf)] + fields)
        #expect(response.status == status, "\(route) \(label)")
        #expect(response.contains("<div class=\"error-summary\" id=\"error-summary\""), "\(route) \(label): a summary")
        if status == 409 { #expect(response.contains("Someone changed the privacy settings while you were choosing.")) }
        if label == "unknown value" || label == "control character" {
            #expect(response.contains("aria-invalid=\"true\"") && response.contains("<h1>Privacy</h1>"))
            let id = "privacy-\(fields[1].0)-error"
            #expect(response.contains("<a href=\"#\(id)\">") && response.contains("<ul class=\"field-errors\" id=\"\(id)\">"))
        }
        if label == "missing version" { #expect(response.contains("its version is missing")) }
        if label == "unknown field" { #expect(response.contains("This form does not take an unexpected field: “extra”")) }
        #expect(try Self.setting(t) == .defaults)
        #expect(try t.snapshot().auditCount == before)
    }

    @Test func forgedTokensAdminsAndOtherOrganizationsAreRefused() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        _ = owner.get(Self.privacy)
        #expect(owner.post(Self.privacy + "/masking", [("_csrf", "forged"), ("version", "0"), ("masking", "on")]).status == 403)
        #expect(owner.post(Self.privacy + "/masking", [("version", "0"), ("masking", "on")]).status == 403)
        let admin = try t.client(signedInAs: "admin@acme.test")
        let csrf = admin.get(Self.privacy).csrf
        #expect(admin.post(Self.privacy + "/retention", [("_csrf", csrf), ("version", "0")] + Self.windows).status == 403)
        #expect(admin.post(Self.privacy + "/training", [("_csrf", csrf), ("version", "0"), ("training", "on")]).status == 403)
        #expect(
            owner.post(
                "/orgs/other/settings/privacy/masking", [("_csrf", owner.get(Self.privacy).csrf), ("version", "0"), ("masking", "on")]
            ).status == 404)
        #expect(try Self.setting(t) == .defaults)
    }
}
