import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// The Billing tab: the plan in SaaS mode, the agreement notice in enterprise mode.
@Suite("Billing tab, in process") struct BillingTests {
    @Test func billingFollowsTheModeAndTheRole() throws {
        let saas = try TestApp(mode: .saas)
        let owner = try saas.client(signedInAs: "owner@acme.test")
        #expect(owner.get("/orgs/acme/settings/general").contains("href=\"/orgs/acme/settings/billing\""))
        #expect(owner.get("/orgs/acme/settings/billing").status == 200)
        #expect(try saas.client(signedInAs: "admin@acme.test").get("/orgs/acme/settings/billing").status == 200)
        let member = try saas.client(signedInAs: "member@acme.test")
        #expect(!member.get("/orgs/acme/settings/general").contains("/settings/billing"), "no tab the member may not open")
        let forbidden = member.get("/orgs/acme/settings/billing")
        #expect(forbidden.status == 403)
        #expect(forbidden.contains("You need the Admin role"))

        let enterprise = try TestApp(mode: .enterprise)
        let client = try enterprise.client(signedInAs: "owner@acme.test")
        let general = client.get("/orgs/acme/settings/general")
        #expect(!general.contains("/settings/billing"))
        #expect(general.contains("Enterprise mode"))
        let notice = client.get("/orgs/acme/settings/billing")
        #expect(notice.status == 200)
        #expect(notice.contains("Billing runs through your enterprise agreement."))
        #expect(notice.contains("href=\"https://billing.example.test/agreement\""))

        // No address configured: the notice says whom to ask instead of linking a placeholder.
        let unset = try TestApp(mode: .enterprise, enterpriseBillingURL: nil)
        let bare = try unset.client(signedInAs: "owner@acme.test").get("/orgs/acme/settings/billing")
        #expect(bare.status == 200)
        #expect(bare.contains("Billing runs through your enterprise agreement."))
        #expect(!bare.contains("Open the enterprise agreement"))
        #expect(!bare.contains("example.com"))
        #expect(bare.contains("the person who manages your organization’s contract"))
        #expect(WebConfig(mode: .enterprise).enterpriseBillingURL == nil, "no placeholder default")
    }
}
