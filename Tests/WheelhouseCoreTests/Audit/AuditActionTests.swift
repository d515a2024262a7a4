import Foundation
import GRDB
import Testing
import WheelhouseCore
import WheelhouseTestSupport

/// The audit actions are stored and filtered by their raw values, so those are pinned here: a
/// renamed raw value would orphan every row already written with the old one.
@Suite("Audit actions") struct AuditActionTests {
    /// Every raw value that has shipped. Add to this list; never edit or remove an entry.
    static let shipped: Set<String> = [
        "organization.create", "organization.update", "organization.plan", "organization.plan.downgrade.schedule",
        "organization.plan.downgrade.cancel", "organization.transfer",
        "member.add", "member.role", "member.remove", "member.leave", "member.account.delete",
        "invitation.create", "invitation.resend", "invitation.revoke", "invitation.account",
        "invitation.account.discard", "invitation.accept",
        "team.create", "team.update", "team.delete", "team.member.add", "team.member.remove",
        "workspace.create", "workspace.update", "workspace.archive", "workspace.restore", "workspace.delete",
        "workspace.access.grant", "workspace.access.change", "workspace.access.revoke",
        "secret.create", "secret.rotate", "secret.delete",
        "provider.create", "provider.update", "provider.delete", "provider.test.request", "provider.test",
        "provider.bindKeys", "chatModel.enable", "chatModel.disable", "masterKey.rotate",
        "audit.retention", "audit.prune", "privacy.retention", "privacy.masking", "privacy.training", "privacy.prune",
        "organization.deletion.schedule", "organization.deletion.cancel", "organization.purge",
        "audit.retention", "audit.prune", "compliance.export.request", "compliance.export.download", "billing.creditWarning",
        "apiKey.create", "apiKey.rotate", "apiKey.revokePrevious", "apiKey.revoke", "apiKey.policy",
        "billing.card.save", "billing.details.save", "billing.credits.purchase", "billing.payment.fail",
        "billing.autoRefill.update", "billing.autoRefill.charge", "billing.autoRefill.off", "billing.renewal", "billing.renewal.fail",
        "billing.renewal.retry",
        "integration.webhook.create", "integration.webhook.update", "integration.webhook.delete", "integration.webhook.rotateSecret",
        "integration.webhook.test", "integration.webhook.redeliver", "integration.slack.save", "integration.slack.delete",
        "integration.slack.test", "integration.editorToken.create", "integration.editorToken.revoke",
        "sso.configure", "sso.discovery", "sso.domain.add", "sso.domain.remove", "sso.domain.verify.request", "sso.domain.verify",
        "sso.join", "sso.test", "sso.enforce", "sso.breakGlass",
    ]

    @Test func rawValuesAreUniqueDottedAndPinned() {
        let raws = AuditAction.allCases.map(\.rawValue)
        #expect(Set(raws).count == raws.count)
        #expect(Set(raws) == Self.shipped)
        // subject.verb: two or more segments, each lowerCamelCase letters (`chatModel.enable`).
        let segment = /[a-z][a-zA-Z]*/
        for raw in raws {
            let parts = raw.split(separator: ".", omittingEmptySubsequences: false)
            #expect(parts.count >= 2 && parts.allSatisfy { $0.wholeMatch(of: segment) != nil }, "\(raw)")
            #expect(AuditAction(rawValue: raw)?.rawValue == raw)
        }
    }

    @Test func everyActionHasItsOwnTitle() {
        let titles = AuditAction.allCases.map(\.title)
        #expect(Set(titles).count == titles.count)
        for title in titles {
            #expect(!title.isEmpty && title.first!.isUppercase && !title.hasSuffix("."), "\(title)")
        }
    }

    /// Rows written through the domain read back as the same cases, both as raw strings and typed.
    @Test func storedRowsParseBack() throws {
        let f = try Fixture()
        let owner = Actor(user: f.owner, address: "test")
        try f.database.changePlan(orgId: f.org.id!, to: .free, actor: owner)
        _ = try f.database.invite(orgKey: "acme", addresses: ["guest@acme.test"], role: .member, by: owner)
        _ = try f.database.createTeam(orgKey: "acme", TeamChange(name: "Core", description: ""), by: owner)
        _ = try f.database.createWorkspace(
            orgKey: "acme", NewWorkspace(name: "Lab", key: "lab", description: ""),
            enforcePlan: false, by: owner)
        _ = try f.database.addSecret(orgKey: "acme", by: owner, name: "OWNER_TOKEN", value: "owner-secret-value-123")
        _ = try f.database.rotateMasterKey(to: .generate())

        let raws = try f.database.reader.read { db in try String.fetchAll(db, sql: "SELECT action FROM auditEvent ORDER BY id") }
        let typed = try f.database.reader.read { db in try AuditEvent.order(Column("id")).fetchAll(db) }
        #expect(raws.compactMap(AuditAction.init(rawValue:)) == typed.map(\.action))
        #expect(
            Set(typed.map(\.action)) == [
                .organizationCreate, .memberAdd, .organizationPlan, .invitationCreate,
                .teamCreate, .workspaceCreate, .secretCreate, .masterKeyRotate,
            ])
        // Queries may filter by the case itself: it is stored as its raw value.
        let created = try f.database.reader.read { db in
            try AuditEvent.filter(Column("action") == AuditAction.teamCreate).fetchCount(db)
        }
        #expect(created == 1)
    }
}
