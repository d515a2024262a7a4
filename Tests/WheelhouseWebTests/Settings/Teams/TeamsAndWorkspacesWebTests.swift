import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("Teams and workspaces, in process") struct TeamsAndWorkspacesWebTests {
    let teams = "/orgs/acme/settings/teams"
    let workspaces = "/orgs/acme/settings/workspaces"

    func rows(_ t: TestApp) throws -> [String] {
        try t.database.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT 'team:' || name || ':' || description || ':' || version FROM team
                    UNION ALL SELECT 'member:' || teamId || ':' || userId FROM teamMember
                    UNION ALL SELECT 'workspace:' || key || ':' || name FROM workspace
                    UNION ALL SELECT 'grant:' || workspaceId || ':' || coalesce(userId, 't' || teamId) || ':' || level FROM workspaceAccess
                    UNION ALL SELECT 'audit:' || count(*) FROM auditEvent
                    ORDER BY 1
                    """)
        }
    }

    @Test func anAdminCreatesATeamAddsAMemberAndRenamesIt() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "admin@acme.test")
        let list = client.get(teams)
        let created = client.post(teams, [("_csrf", list.csrf), ("name", "Platform"), ("description", "Infra people")])
        #expect(created.status == 303)
        let page = client.get(created.location!)
        #expect(page.contains("Team “Platform” created."))
        #expect(client.post(created.location! + "/members", [("_csrf", page.csrf), ("user", "\(t.member.id!)")]).status == 303)
        let withMember = client.get(created.location!)
        #expect(withMember.contains("Max Member"))
        let renamed = client.post(
            created.location!,
            [
                ("_csrf", page.csrf), ("version", withMember.inputValue("version") ?? ""),
                ("name", "Platform team"), ("description", ""),
            ])
        #expect(renamed.status == 303)
        #expect(client.get(teams).contains("Platform team"))
    }

    static let badTeams: [(String, [(String, String)])] = [
        ("empty name", [("name", " "), ("description", "")]),
        ("long name", [("name", String(repeating: "x", count: 61)), ("description", "")]),
        ("duplicate name, other case", [("name", "core"), ("description", "")]),
        ("control character", [("name", "Co\u{1b}re"), ("description", "")]),
        ("long description", [("name", "Fine"), ("description", String(repeating: "d", count: 501))]),
        ("unknown field", [("name", "Fine"), ("description", ""), ("orgId", "2")]),
    ]

    @Test(arguments: 0..<badTeams.count)
    func badTeamInputChangesNothingAndKeepsTheValues(_ index: Int) throws {
        let (label, fields) = Self.badTeams[index]
        let t = try TestApp()
        _ = try t.database.createTeam(orgKey: "acme", TeamChange(name: "Core", description: ""), by: Actor(user: t.owner, address: "t"))
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get(teams)
        let before = try rows(t)
        let response = client.post(teams, [("_csrf", page.csrf)] + fields)
        #expect(response.status == 422, "\(label)")
        #expect(response.contains("field-invalid") || response.contains("form-errors"), "\(label)")
        #expect(try rows(t) == before, "\(label)")
    }

    @Test func invalidUTF8IsRefused() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get(teams)
        let before = try rows(t)
        let body = Array("_csrf=\(page.csrf)&description=&name=".utf8) + [0xC3, 0x28]
        let response = client.send("POST", teams, contentType: "application/x-www-form-urlencoded", body: body)
        #expect(response.status == 422)
        #expect(try rows(t) == before)
    }

    @Test func deletingATeamNeedsItsNameAndAnotherOrgsTeamIsNotFound() throws {
        let t = try TestApp()
        let team = try t.database.createTeam(
            orgKey: "acme", TeamChange(name: "Core", description: ""), by: Actor(user: t.owner, address: "t"))
        let foreign = try t.database.createTeam(
            orgKey: "other", TeamChange(name: "Theirs", description: ""), by: Actor(user: t.outsider, address: "t"))
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get(teams + "/\(team.id!)")
        let before = try rows(t)
        let refused = client.post(teams + "/\(team.id!)/delete", [("_csrf", page.csrf), ("version", "1"), ("confirm", "core")])
        #expect(refused.status == 422)
        #expect(refused.contains("Type the team’s name"))
        #expect(client.get(teams + "/\(foreign.id!)").status == 404)
        #expect(
            client.post(teams + "/\(foreign.id!)/delete", [("_csrf", page.csrf), ("version", "1"), ("confirm", "Theirs")]).status == 404)
        #expect(try rows(t) == before)
        #expect(client.post(teams + "/\(team.id!)/delete", [("_csrf", page.csrf), ("version", "1"), ("confirm", "Core")]).status == 303)
        #expect(client.get(teams).contains("Team deleted."))
    }

    @Test func anOwnerCreatesASharedWorkspaceAndGrantsATeam() throws {
        let t = try TestApp()
        let team = try t.database.createTeam(
            orgKey: "acme", TeamChange(name: "Core", description: ""), by: Actor(user: t.owner, address: "t"))
        let client = try t.client(signedInAs: "owner@acme.test")
        let list = client.get(workspaces)
        #expect(list.contains("+ New workspace"))
        let created = client.post(workspaces, [("_csrf", list.csrf), ("name", "Lab"), ("key", "lab"), ("description", "Experiments")])
        #expect(created.status == 303)
        #expect(created.location == workspaces + "/lab")
        let page = client.get(workspaces + "/lab")
        #expect(page.contains("Workspace “Lab” created."))
        #expect(
            client.post(workspaces + "/lab/access", [("_csrf", page.csrf), ("subject", "team:\(team.id!)"), ("level", "write")]).status
                == 303)
        let after = client.get(workspaces + "/lab")
        #expect(after.contains("Access updated."))
        #expect(after.contains("<strong>Core</strong>"))
        let duplicate = client.post(workspaces + "/lab/access", [("_csrf", page.csrf), ("subject", "team:\(team.id!)"), ("level", "read")])
        #expect(duplicate.status == 422)
        #expect(duplicate.contains("already has access"))
    }

    static let badWorkspaces: [(String, [(String, String)])] = [
        ("empty name", [("name", ""), ("key", "ok-key"), ("description", "")]),
        ("bad key", [("name", "Fine"), ("key", "Not A Key"), ("description", "")]),
        ("reserved key", [("name", "Fine"), ("key", "personal-9"), ("description", "")]),
        ("taken key", [("name", "Fine"), ("key", "taken"), ("description", "")]),
        ("taken name, other case", [("name", "TAKEN"), ("key", "other-key"), ("description", "")]),
        ("long name", [("name", String(repeating: "n", count: 101)), ("key", "ok-key"), ("description", "")]),
        ("unknown field", [("name", "Fine"), ("key", "ok-key"), ("description", ""), ("isShared", "0")]),
    ]

    @Test(arguments: 0..<badWorkspaces.count)
    func badWorkspaceInputChangesNothing(_ index: Int) throws {
        let (label, fields) = Self.badWorkspaces[index]
        let t = try TestApp()
        _ = try t.database.createWorkspace(
            orgKey: "acme", NewWorkspace(name: "Taken", key: "taken", description: ""),
            enforcePlan: false, by: Actor(user: t.owner, address: "t"))
        let client = try t.client(signedInAs: "admin@acme.test")
        let page = client.get(workspaces)
        let before = try rows(t)
        let response = client.post(workspaces, [("_csrf", page.csrf)] + fields)
        #expect(response.status == 422, "\(label)")
        #expect(try rows(t) == before, "\(label)")
    }

    @Test func thePlanLimitShowsTheWayOutInSaaSAndDoesNotApplyInEnterprise() throws {
        for mode in DeploymentMode.allCases {
            let t = try TestApp(mode: mode)
            try t.database.changePlan(orgId: t.org.id!, to: .free, actor: nil)
            _ = try t.database.createWorkspace(
                orgKey: "acme", NewWorkspace(name: "One", key: "one", description: ""),
                enforcePlan: false, by: Actor(user: t.owner, address: "t"))
            let client = try t.client(signedInAs: "owner@acme.test")
            let page = client.get(workspaces)
            let response = client.post(workspaces, [("_csrf", page.csrf), ("name", "Two"), ("key", "two"), ("description", "")])
            if mode == .saas {
                #expect(page.contains("Workspace limit reached."))
                #expect(response.status == 422)
                #expect(response.contains("Upgrade the plan on Billing"))
                #expect(response.contains("value=\"Two\""), "the typed values stay")
            } else {
                #expect(!page.contains("Workspace limit reached."))
                #expect(response.status == 303)
            }
        }
    }
}
