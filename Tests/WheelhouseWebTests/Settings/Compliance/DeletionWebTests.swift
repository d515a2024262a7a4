import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb
import WheelhouseTestSupport

/// Deleting the organization from the Compliance tab, in process: the form, the banner on every
/// page, changes refused while it waits (the form back with what was typed), and cancelling.
@Suite("Organization deletion, in process") struct DeletionWebTests {
    static let page = "/orgs/acme/settings/compliance"
    static let general = "/orgs/acme/settings/general"

    @Test func aWrongKeyComesBackBesideTheFieldAndChangesNothing() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let form = client.get(Self.page)
        #expect(form.contains("<section id=\"delete\"") && form.contains("Delete this organization in 30 days"))
        let version = try #require(form.inputValue("version"))
        for typed in ["ACME", "acme ", "other", "<b>acme</b>"] {
            let refused = client.post(Self.page + "/deletion", [("_csrf", form.csrf), ("version", version), ("confirm", typed)])
            #expect(refused.status == 422, "\(typed)")
            #expect(refused.contains("Type the organization key, acme, exactly as shown."))
            #expect(refused.contains("aria-describedby=\"delete-confirm-error\""))
            #expect(
                refused.inputValue("confirm")
                    == typed.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;"))
        }
        #expect(try t.database.access(orgKey: "acme", userId: t.owner.id!).org.purgeAt == nil)
        // A missing or forged token changes nothing either
        #expect(client.post(Self.page + "/deletion", [("version", version), ("confirm", "acme")]).status == 403)
        #expect(client.post(Self.page + "/deletion", [("_csrf", "forged"), ("version", version), ("confirm", "acme")]).status == 403)
        // A stale version: 409
        let stale = client.post(Self.page + "/deletion", [("_csrf", form.csrf), ("version", "0"), ("confirm", "acme")])
        #expect(stale.status == 409)
        #expect(try t.database.access(orgKey: "acme", userId: t.owner.id!).org.purgeAt == nil)
    }

    @Test func scheduledItShowsOnEveryPageRefusesChangesAndCancelRestores() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let form = owner.get(Self.page)
        let scheduled = owner.post(
            Self.page + "/deletion", [("_csrf", form.csrf), ("version", form.inputValue("version") ?? ""), ("confirm", "acme")])
        #expect(scheduled.status == 303 && scheduled.location == Self.page)
        let after = owner.get(Self.page)
        #expect(after.contains("will be deleted on") && after.contains("Every Owner was told by email"))
        #expect(after.contains(">Cancel deletion</button>"))

        // The banner on every page: with the Cancel link for the Owner, without it for an Admin
        let general = owner.get(Self.general)
        #expect(general.contains("This organization will be deleted on") && general.contains("href=\"\(Self.page)#delete\""))
        let admin = try t.client(signedInAs: "admin@acme.test")
        let adminPage = admin.get("/orgs/acme/settings/teams")
        #expect(adminPage.contains("This organization will be deleted on") && !adminPage.contains("#delete\""))

        // A change comes back with what was typed and the reason (409), and nothing is saved
        let refused = admin.post(
            "/orgs/acme/settings/teams",
            [("_csrf", adminPage.csrf), ("name", "Night shift"), ("description", "kept as typed")])
        #expect(refused.status == 409)
        #expect(refused.contains("This organization is scheduled for deletion on"))
        #expect(refused.contains("value=\"Night shift\"") && refused.contains(">kept as typed</textarea>"))
        #expect(try t.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM team WHERE name = 'Night shift'") } == 0)
        // Reading and exporting go on
        #expect(admin.get("/orgs/acme/settings/members/export.csv").status == 200)
        #expect(owner.post(Self.page + "/exports", [("_csrf", form.csrf)]).status == 303)

        // Cancel: the banner goes and changes work again
        let page = owner.get(Self.page)
        let cancelled = owner.post(Self.page + "/deletion/cancel", [("_csrf", page.csrf), ("version", page.inputValue("version") ?? "")])
        #expect(cancelled.status == 303)
        #expect(owner.get(Self.page).contains("The deletion is cancelled. Nothing was removed."))
        #expect(!owner.get(Self.general).contains("This organization will be deleted on"))
        let again = admin.post(
            "/orgs/acme/settings/teams", [("_csrf", adminPage.csrf), ("name", "Night shift"), ("description", "kept as typed")])
        #expect(again.status == 303)
    }

    @Test func anAdminCannotScheduleOrCancel() throws {
        let t = try TestApp()
        let admin = try t.client(signedInAs: "admin@acme.test")
        let csrf = admin.get(Self.general).csrf
        #expect(admin.post(Self.page + "/deletion", [("_csrf", csrf), ("version", "1"), ("confirm", "acme")]).status == 403)
        #expect(admin.post(Self.page + "/deletion/cancel", [("_csrf", csrf), ("version", "1")]).status == 403)
        #expect(try t.database.access(orgKey: "acme", userId: t.owner.id!).org.purgeAt == nil)
    }
}
