import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// Renaming, archiving and deleting a shared workspace from its page.
@Suite("Workspace settings, in process") struct WorkspaceLifecycleTests {
    let lab = "/orgs/acme/settings/workspaces/lab"

    func world() throws -> (TestApp, TestClient) {
        let t = try TestApp()
        _ = try t.database.createWorkspace(
            orgKey: "acme", NewWorkspace(name: "Lab", key: "lab", description: "Experiments"),
            enforcePlan: false, by: Actor(user: t.owner, address: "t"))
        return (t, try t.client(signedInAs: "admin@acme.test"))
    }

    func workspace(_ t: TestApp) throws -> Workspace? {
        try t.database.read { db in try Workspace.filter(sql: "key = 'lab'").fetchOne(db) }
    }

    func actions(_ t: TestApp) throws -> [String] { try t.database.auditEvents(orgId: t.org.id!).map(\.action.rawValue) }

    @Test func anAdminRenamesWithAVersionCheck() throws {
        let (t, admin) = try world()
        let page = admin.get(lab)
        #expect(page.contains("Manage workspace"))
        let bad = admin.post(lab + "/settings", [("_csrf", page.csrf), ("version", "1"), ("name", ""), ("description", "Kept")])
        #expect(bad.status == 422)
        #expect(bad.contains("href=\"#field-name\""))
        #expect(bad.contains(">Kept</textarea>"))
        let saved = admin.post(
            lab + "/settings", [("_csrf", page.csrf), ("version", "1"), ("name", "Research lab"), ("description", "New")])
        #expect(saved.status == 303)
        #expect(admin.get(lab).contains("Workspace “Research lab” saved."))
        #expect(try workspace(t)?.name == "Research lab")
        #expect(try actions(t).last == "workspace.update")
        // The stale form from before is refused and overwrites nothing
        let stale = admin.post(lab + "/settings", [("_csrf", page.csrf), ("version", "1"), ("name", "Old tab"), ("description", "")])
        #expect(stale.status == 409)
        #expect(stale.contains("class=\"error-summary\""))
        #expect(try workspace(t)?.name == "Research lab")
    }

    @Test func anArchivedWorkspaceIsShownAsArchivedAndReadOnlyUntilRestored() throws {
        let (t, admin) = try world()
        let page = admin.get(lab)
        #expect(admin.post(lab + "/archive", [("_csrf", page.csrf), ("version", "1")]).status == 303)
        #expect(try workspace(t)?.archivedAt != nil)
        #expect(admin.get("/orgs/acme/settings/workspaces").contains("Archived</span>"))
        let archived = admin.get(lab)
        #expect(archived.contains("Archived · read-only"))
        #expect(!archived.contains("/access\""), "no grant form")
        let before = try actions(t).count
        let grant = admin.post(lab + "/access", [("_csrf", page.csrf), ("subject", "user:\(t.member.id!)"), ("level", "read")])
        #expect(grant.status == 409)
        let rename = admin.post(lab + "/settings", [("_csrf", page.csrf), ("version", "2"), ("name", "X"), ("description", "")])
        #expect(rename.status == 409)
        #expect(try actions(t).count == before)
        #expect(admin.post(lab + "/restore", [("_csrf", page.csrf), ("version", "2")]).status == 303)
        #expect(try workspace(t)?.archivedAt == nil)
        #expect(try actions(t).suffix(2) == ["workspace.archive", "workspace.restore"])
    }

    @Test func deletingNeedsTheNameTypedExactly() throws {
        let (t, admin) = try world()
        let page = admin.get(lab)
        let wrong = admin.post(lab + "/delete", [("_csrf", page.csrf), ("version", "1"), ("confirm", "lab")])
        #expect(wrong.status == 422)
        #expect(wrong.contains("href=\"#field-confirm\""))
        #expect(wrong.contains("<details class=\"confirm\" open>"))
        #expect(try workspace(t) != nil)
        let deleted = admin.post(lab + "/delete", [("_csrf", page.csrf), ("version", "1"), ("confirm", "Lab")])
        #expect(deleted.status == 303)
        #expect(deleted.location == "/orgs/acme/settings/workspaces")
        #expect(try workspace(t) == nil)
        #expect(try actions(t).last == "workspace.delete")
        #expect(admin.get(lab).status == 404)
    }

    @Test func membersSeeNoManageFormsAndCannotPost() throws {
        let (t, _) = try world()
        try t.database.grantAccess(
            orgKey: "acme", workspaceKey: "lab", to: .user(t.member.id!), level: .admin, by: Actor(user: t.owner, address: "t"))
        let member = try t.client(signedInAs: "member@acme.test")
        let page = member.get(lab)
        #expect(page.status == 200)
        #expect(!page.contains("Manage workspace"))
        #expect(member.post(lab + "/delete", [("_csrf", page.csrf), ("version", "1"), ("confirm", "Lab")]).status == 403)
        #expect(try workspace(t) != nil)
    }
}
