import Foundation
import Testing
import WheelhouseCore
import WheelhouseTestSupport

/// The masking rule: what an Admin sees of people outside their scope when the switch is on.
@Suite("PII masking") struct PIIMaskTests {
    /// Ada (admin, id 2) and Max (member, id 3) are in scope, with a pending invitee; Olga (owner)
    /// and Fred (a former member) are not.
    static let mask = PIIMask(
        visibleUsers: [2, 3], visibleEmails: ["admin@acme.test", "Member@Acme.test", "guest@acme.test"],
        hiddenNames: ["Olga Owner", "Fred Former"])

    @Test(arguments: [
        ("olga@acme.test", "o•••@acme.test"), ("O.Owner+x@sub.acme.test", "O•••@sub.acme.test"), ("@acme.test", "•••"),
        ("no-at-sign", "•••"), ("", "•••"),
    ])
    func addresses(_ email: String, _ masked: String) {
        #expect(PIIMask.email(email) == masked)
    }

    @Test(arguments: [("Olga Owner", "O•••"), ("émile zola", "É•••"), ("  ", "•••"), ("", "•••")])
    func names(_ name: String, _ masked: String) {
        #expect(PIIMask.name(name) == masked)
    }

    @Test(arguments: [
        // Free text: only addresses and names outside the scope change.
        ("created with owner olga@acme.test", "created with owner o•••@acme.test"),
        ("invited guest@acme.test as member", "invited guest@acme.test as member"),
        ("removed member@acme.test (member)", "removed member@acme.test (member)"),
        ("ownership: olga@acme.test → user 3 (was admin)", "ownership: o•••@acme.test → user 3 (was admin)"),
        ("fred@old.test left (member)", "f•••@old.test left (member)"),
        ("Olga Owner: write → admin", "O•••: write → admin"),
        ("Fred Former: read revoked; Max Member: read", "F•••: read revoked; Max Member: read"),
        ("email:olga@acme.test", "email:o•••@acme.test"),
        ("no address at all @ here", "no address at all @ here"),
    ])
    func text(_ text: String, _ masked: String) {
        #expect(Self.mask.text(text) == masked)
    }

    @Test func actorsOutsideTheScopeAreMaskedAndTheSystemStaysTheSystem() {
        #expect(Self.mask.actor(userId: 1, name: "Olga Owner", email: "olga@acme.test") == ("O•••", "o•••@acme.test"))
        #expect(Self.mask.actor(userId: 2, name: "Ada Admin", email: "admin@acme.test") == ("Ada Admin", "admin@acme.test"))
        #expect(Self.mask.actor(userId: nil, name: nil, email: nil) == (nil, nil))
    }

    @Test func theScopeComesFromTheOrganizationAndOwnersSeeEverything() throws {
        let f = try Fixture()
        let owner = Actor(user: f.owner, address: "t")
        #expect(try f.database.piiMask(orgId: f.org.id!, viewer: .admin) == nil, "off by default")
        try f.database.setPIIMasking(orgKey: "acme", value: "on", expectedVersion: 0, by: owner)
        #expect(try f.database.piiMask(orgId: f.org.id!, viewer: .owner) == nil)
        _ = try f.database.invite(orgKey: "acme", addresses: ["guest@acme.test"], role: .member, by: owner)
        let mask = try #require(try f.database.piiMask(orgId: f.org.id!, viewer: .admin))
        #expect(mask.visibleUsers == [f.admin.id!, f.member.id!])
        #expect(mask.visibleEmails == ["admin@acme.test", "member@acme.test", "guest@acme.test"])
        #expect(mask.hiddenNames == ["Olga Owner"])
        // Max leaves after acting: his name and address are masked from then on.
        try f.database.leave(orgKey: "acme", by: Actor(user: f.member, address: "t"))
        let later = try #require(try f.database.piiMask(orgId: f.org.id!, viewer: .admin))
        #expect(!later.shows(userId: f.member.id!) && later.text("removed member@acme.test") == "removed m•••@acme.test")
        #expect(later.hiddenNames.sorted() == ["Max Member", "Olga Owner"] && later.text("Max Member: read") == "M•••: read")
        let entries = try f.database.auditLogExport(orgId: f.org.id!, filter: AuditFilter()).entries.map(later.entry)
        #expect(entries.contains { $0.event.summary == "created with owner o•••@acme.test" })
        #expect(!entries.contains { ($0.actorEmail ?? "").contains("owner@acme.test") || $0.event.summary.contains("owner@acme.test") })
    }
}
