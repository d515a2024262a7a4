import Foundation
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Editor tokens: API keys of kind `editor`, each person's own.
@Suite("Editor tokens") struct EditorTokenTests {
    @Test func aMemberMakesAReadOnlyTokenThatAuthenticates() throws {
        let world = try IntegrationsWorld()
        let member = Actor(user: world.f.member, address: "test")
        let issued = try world.database.createEditorToken(orgKey: "acme", name: "VS Code", by: member)
        let grant = try world.database.authenticateAPIKey(issued.secret, address: "x")
        #expect(grant.scopes == EditorTokenRules.scopes && !grant.allows(.usageRead) && !grant.allows(.workspacesWrite))
        #expect(issued.key.expiresAt == world.clock.now.addingTimeInterval(90 * 86_400))
        // Not on the API keys tab, and not changeable there.
        let ownerAccess = try world.database.access(orgKey: "acme", userId: world.f.owner.id!)
        #expect(try world.database.apiKeys(ownerAccess).isEmpty)
        #expect(throws: DomainError.notFound) { try world.database.apiKey(id: issued.key.id, ownerAccess) }
        // A platform key may share its name.
        _ = try world.database.createAPIKey(
            orgKey: "acme", NewAPIKey(name: "VS Code", scopes: ["org:read"], expiry: "30"), by: world.owner)
        #expect(try world.database.auditEvents(orgId: world.f.org.id!).contains { $0.action == .editorTokenCreate })
    }

    @Test func eachPersonSeesTheirOwnAndAdminsSeeAll() throws {
        let world = try IntegrationsWorld()
        let member = Actor(user: world.f.member, address: "test")
        let memberToken = try world.database.createEditorToken(orgKey: "acme", name: "Laptop", by: member)
        _ = try world.database.createEditorToken(orgKey: "acme", name: "Laptop", by: world.owner)
        let memberAccess = try world.database.access(orgKey: "acme", userId: world.f.member.id!)
        let adminAccess = try world.database.access(orgKey: "acme", userId: world.f.admin.id!)
        #expect(try world.database.editorTokens(memberAccess, userId: world.f.member.id!).map(\.id) == [memberToken.key.id])
        #expect(throws: DomainError.forbidden(.manageIntegrations)) {
            try world.database.editorTokens(memberAccess, userId: world.f.member.id!, everyone: true)
        }
        #expect(try world.database.editorTokens(adminAccess, userId: world.f.admin.id!, everyone: true).count == 2)
        let admin = Actor(user: world.f.admin, address: "test")
        let ownersToken = try world.database.editorTokens(adminAccess, userId: 0, everyone: true).first {
            $0.createdById == world.f.owner.id
        }!
        // A member cannot revoke another person's token: to them it does not exist.
        #expect(throws: DomainError.notFound) {
            try world.database.revokeEditorToken(orgKey: "acme", id: ownersToken.id, expectedVersion: 1, by: member)
        }
        try world.database.revokeEditorToken(orgKey: "acme", id: memberToken.key.id, expectedVersion: 1, by: admin)
        #expect(throws: APIKeyRefusal.revoked) { try world.database.authenticateAPIKey(memberToken.secret, address: "x") }
        let entry = try #require(try world.database.auditEvents(orgId: world.f.org.id!).first { $0.action == .editorTokenRevoke })
        #expect(entry.summary == "revoked editor token Laptop of Max Member")
        let duplicate = IntegrationsWorld.fieldErrors {
            _ = try world.database.createEditorToken(orgKey: "acme", name: "laptop", by: world.owner)
        }
        #expect(duplicate?.byField["name"] != nil)
    }

    @Test func aTokenStopsWhenItsMakerLeaves() throws {
        let world = try IntegrationsWorld()
        let member = Actor(user: world.f.member, address: "test")
        let issued = try world.database.createEditorToken(orgKey: "acme", name: "VS Code", by: member)
        try world.database.writer.write { db in
            try db.execute(sql: "DELETE FROM membership WHERE userId = ?", arguments: [world.f.member.id!])
        }
        #expect(throws: APIKeyRefusal.revoked) { try world.database.authenticateAPIKey(issued.secret, address: "x") }
    }
}
