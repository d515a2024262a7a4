import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("Audit retention, in process") struct AuditRetentionWebTests {
    static let audit = "/orgs/acme/settings/audit"

    static func retention(_ t: TestApp) throws -> AuditRetentionSetting { try t.database.auditRetention(orgId: t.org.id!) }

    @Test func theOwnerChoosesAWindowAndSeesItWithAFlash() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get(Self.audit)
        #expect(page.contains("<option value=\"forever\" selected>Forever</option>"))
        #expect(page.inputValue("version") == "0")
        let saved = client.post(Self.audit + "/retention", [("_csrf", page.csrf), ("version", "0"), ("retention", "90")])
        #expect(saved.status == 303 && saved.location == Self.audit)
        #expect(try Self.retention(t) == AuditRetentionSetting(retention: .days90, version: 1))
        let after = client.get(Self.audit)
        #expect(after.contains("Audit entries older than 90 days are now deleted"))
        #expect(after.contains("<option value=\"90\" selected>90 days</option>") && after.inputValue("version") == "1")
        #expect(after.contains("Audit retention changed"))
    }

    @Test func onTheFreePlanLongerPeriodsAreShownButNotOfferedAndARefusedPostKeepsTheChoice() throws {
        let t = try TestApp()
        try t.database.changePlan(orgId: t.org.id!, to: .free, actor: nil)
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get(Self.audit)
        #expect(page.contains("The Free plan keeps entries for at most 90 days, so entries older than that are removed."))
        #expect(page.contains("<option value=\"365\" disabled>365 days (not on the Free plan)</option>"))
        // Forever is still the stored choice, so it stays selectable until the Owner picks another
        #expect(page.contains("<option value=\"forever\" selected>Forever (not on the Free plan)</option>"))
        let refused = client.post(Self.audit + "/retention", [("_csrf", page.csrf), ("version", "0"), ("retention", "365")])
        #expect(refused.status == 422)
        #expect(refused.contains("The Free plan keeps audit entries for at most 90 days."))
        #expect(try Self.retention(t).version == 0)
        let saved = client.post(Self.audit + "/retention", [("_csrf", page.csrf), ("version", "0"), ("retention", "30")])
        #expect(saved.status == 303)
        #expect(client.get(Self.audit).contains("The Free plan keeps entries for at most 90 days.</p>"))
    }

    @Test func anAdminSeesTheValueReadOnlyAndCannotPost() throws {
        let t = try TestApp()
        try t.database.setAuditRetention(
            orgKey: "acme", value: "365", expectedVersion: 0, by: Actor(user: t.owner, address: "test"))
        let client = try t.client(signedInAs: "admin@acme.test")
        let page = client.get(Self.audit)
        #expect(page.status == 200)
        #expect(page.contains("Entries are kept for: <strong>365 days</strong>. Only an Owner can change this."))
        #expect(!page.contains("name=\"retention\""))
        let refused = client.post(Self.audit + "/retention", [("_csrf", page.csrf), ("version", "1"), ("retention", "30")])
        #expect(refused.status == 403)
        #expect(try Self.retention(t).retention == .days365)
    }

    @Test(arguments: ["60", "", "0", "Forever", "30 "])
    func aValueOutsideTheListIsRefusedBesideTheField(_ value: String) throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let before = try t.snapshot().auditCount
        let csrf = client.get(Self.audit).csrf
        let refused = client.post(Self.audit + "/retention", [("_csrf", csrf), ("version", "0"), ("retention", value)])
        #expect(refused.status == 422)
        #expect(
            refused.contains("<ul class=\"field-errors\" id=\"audit-retention-error\"><li>Choose 30, 90 or 365 days, or forever.</li></ul>")
        )
        #expect(refused.contains("aria-invalid=\"true\""))
        #expect(try Self.retention(t) == AuditRetentionSetting(retention: .forever, version: 0))
        #expect(try t.snapshot().auditCount == before)
    }

    @Test func aStaleVersionIsA409AndKeepsTheNewerValue() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let csrf = client.get(Self.audit).csrf
        #expect(client.post(Self.audit + "/retention", [("_csrf", csrf), ("version", "0"), ("retention", "30")]).status == 303)
        let stale = client.post(Self.audit + "/retention", [("_csrf", csrf), ("version", "0"), ("retention", "365")])
        #expect(stale.status == 409)
        #expect(stale.contains("Someone changed the retention while you were choosing."))
        #expect(try Self.retention(t) == AuditRetentionSetting(retention: .days30, version: 1))
    }
}
