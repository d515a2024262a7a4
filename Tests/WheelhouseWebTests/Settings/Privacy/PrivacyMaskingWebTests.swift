import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// PII masking for Admins: the Audit log page, its exports and the member export.
@Suite("Privacy: PII masking, in process") struct PrivacyMaskingWebTests {
    static let audit = "/orgs/acme/settings/audit"

    /// acme with masking on; the owner's address is in the log (organization created, by the system).
    static func world(masking: Bool = true) throws -> TestApp {
        let t = try TestApp()
        let owner = Actor(user: t.owner, address: "test")
        try t.database.setTrainingOptOut(orgKey: "acme", value: "on", expectedVersion: 0, by: owner)
        if masking { try t.database.setPIIMasking(orgKey: "acme", value: "on", expectedVersion: 1, by: owner) }
        return t
    }

    @Test func anAdminSeesOwnersMaskedOnTheLogAndInItsFilter() throws {
        let t = try Self.world()
        let admin = try t.client(signedInAs: "admin@acme.test").get(Self.audit)
        #expect(admin.status == 200)
        #expect(!admin.contains("owner@acme.test") && !admin.contains("Olga Owner"))
        #expect(admin.contains("O•••<br><span class=\"muted\">o•••@acme.test</span>"))
        #expect(admin.contains("created with owner o•••@acme.test"))
        #expect(admin.contains("O••• (o•••@acme.test)"), "the actor filter")
        #expect(admin.contains("Ada Admin (admin@acme.test)"), "people in scope stay visible")
        let owner = try t.client(signedInAs: "owner@acme.test").get(Self.audit)
        #expect(owner.contains("Olga Owner") && owner.contains("created with owner owner@acme.test"))
    }

    @Test func theExportsAreMaskedForAnAdminOnly() throws {
        let t = try Self.world()
        let admin = try t.client(signedInAs: "admin@acme.test")
        for path in [Self.audit + "/export.csv", Self.audit + "/export.jsonl", "/orgs/acme/settings/members/export.csv"] {
            let file = admin.get(path)
            #expect(file.status == 200 && !file.html.contains("owner@acme.test") && !file.html.contains("Olga Owner"), "\(path)")
            #expect(file.html.contains("o•••@acme.test"), "\(path)")
        }
        #expect(admin.get("/orgs/acme/settings/members/export.csv").html.contains("admin@acme.test"))
        let owner = try t.client(signedInAs: "owner@acme.test")
        #expect(owner.get(Self.audit + "/export.csv").html.contains("owner@acme.test"))
        #expect(owner.get("/orgs/acme/settings/members/export.csv").html.contains("Olga Owner"))
    }

    @Test func withMaskingOffAdminsSeeEveryone() throws {
        let t = try Self.world(masking: false)
        let admin = try t.client(signedInAs: "admin@acme.test")
        #expect(admin.get(Self.audit).contains("created with owner owner@acme.test"))
        #expect(admin.get("/orgs/acme/settings/members/export.csv").html.contains("owner@acme.test"))
    }
}
