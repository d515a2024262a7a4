import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// An entry's target is a link while it still exists in the organization, plain text after.
@Suite("Audit log target links, in process") struct AuditTargetLinksWebTests {
    @Test func aTargetIsLinkedWhileItExists() throws {
        let t = try TestApp()
        let owner = Actor(user: t.owner, address: "test")
        let team = try t.database.createTeam(orgKey: "acme", TeamChange(name: "Linked", description: ""), by: owner)
        let gone = try t.database.createTeam(orgKey: "acme", TeamChange(name: "Gone", description: ""), by: owner)
        try t.database.deleteTeam(orgKey: "acme", teamId: gone.id!, expectedVersion: gone.version, confirmation: "Gone", by: owner)
        try t.database.seedAuditEvents([
            AuditEvent(
                orgId: t.org.id!, actorUserId: t.owner.id!, action: .memberRole, target: "user:\(t.member.id!)", summary: "role",
                address: "x", createdAt: Date()),
            AuditEvent(
                orgId: t.org.id!, actorUserId: t.owner.id!, action: .memberRemove, target: "user:999999", summary: "gone",
                address: "x", createdAt: Date()),
        ])
        let page = try t.client(signedInAs: "admin@acme.test").get("/orgs/acme/settings/audit")
        #expect(page.contains("<a href=\"/orgs/acme/settings/teams/\(team.id!)\">team:\(team.id!)</a>"))
        #expect(page.contains("<td>team:\(gone.id!)</td>"))
        #expect(page.contains("<a href=\"/orgs/acme/settings/members?q=member%40acme.test\">user:\(t.member.id!)</a>"))
        #expect(page.contains("<td>user:999999</td>"))
        // Another organization's team id is never linked from this log
        let other = try t.database.createTeam(
            orgKey: "other", TeamChange(name: "Theirs", description: ""), by: Actor(user: t.outsider, address: "t"))
        #expect(
            try t.database.auditTargetLinks(orgId: t.org.id!, targets: ["team:\(other.id!)", "team:\(team.id!)"]).keys.sorted() == [
                "team:\(team.id!)"
            ])
    }
}
