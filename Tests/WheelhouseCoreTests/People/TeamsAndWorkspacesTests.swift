import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

@Suite("Teams and workspaces") struct TeamsAndWorkspacesTests {
    let fixture: Fixture
    var database: AppDatabase { fixture.database }

    init() throws { fixture = try Fixture() }

    func actor(_ user: User) -> Actor { Actor(user: user, address: "test") }
    func count(_ sql: String) throws -> Int { try database.read { db in try Int.fetchOne(db, sql: sql)! } }

    @Test func teamsAreNamedUniquelyAndManagedByAdmins() throws {
        let team = try database.createTeam(orgKey: "acme", TeamChange(name: "Platform", description: ""), by: actor(fixture.admin))
        #expect(throws: DomainError.self) {
            try database.createTeam(orgKey: "acme", TeamChange(name: "platform", description: ""), by: actor(fixture.owner))
        }
        #expect(throws: DomainError.forbidden(.manageTeams)) {
            try database.createTeam(orgKey: "acme", TeamChange(name: "Mine", description: ""), by: actor(fixture.member))
        }
        #expect(throws: DomainError.notFound) {
            try database.createTeam(orgKey: "acme", TeamChange(name: "Theirs", description: ""), by: actor(fixture.outsider))
        }
        // Another org may use the same name
        _ = try database.createTeam(orgKey: "other", TeamChange(name: "Platform", description: ""), by: actor(fixture.outsider))
        try database.addTeamMember(orgKey: "acme", teamId: team.id!, userId: fixture.member.id!, by: actor(fixture.admin))
        #expect(throws: DomainError.notFound, "only members of the org can join its teams") {
            try database.addTeamMember(orgKey: "acme", teamId: team.id!, userId: fixture.outsider.id!, by: actor(fixture.admin))
        }
        #expect(throws: DomainError.self) {
            try database.addTeamMember(orgKey: "acme", teamId: team.id!, userId: fixture.member.id!, by: actor(fixture.admin))
        }
        let detail = try database.teamDetail(orgId: fixture.org.id!, teamId: team.id!)
        #expect(detail.members.map(\.email) == ["member@acme.test"])
        // Rename with a stale version is refused; delete needs the name typed
        try database.updateTeam(
            orgKey: "acme", teamId: team.id!, TeamChange(name: "Platform team", description: "x", expectedVersion: detail.team.version),
            by: actor(fixture.owner))
        #expect(throws: DomainError.staleVersion) {
            try database.updateTeam(
                orgKey: "acme", teamId: team.id!, TeamChange(name: "Other", description: "", expectedVersion: detail.team.version),
                by: actor(fixture.owner))
        }
        let current = try database.teamDetail(orgId: fixture.org.id!, teamId: team.id!).team
        #expect(throws: DomainError.self) {
            try database.deleteTeam(
                orgKey: "acme", teamId: team.id!, expectedVersion: current.version, confirmation: "nope", by: actor(fixture.owner))
        }
        try database.deleteTeam(
            orgKey: "acme", teamId: team.id!, expectedVersion: current.version, confirmation: "Platform team", by: actor(fixture.owner))
        #expect(try count("SELECT count(*) FROM teamMember") == 0)
        #expect(try count("SELECT count(*) FROM auditEvent WHERE action LIKE 'team.%'") == 5)
    }

    @Test func workspacesAreSeenOnlyByThoseGrantedAccess() throws {
        let access = try database.access(orgKey: "acme", userId: fixture.owner.id!)
        let shared = try database.createWorkspace(
            orgKey: "acme", NewWorkspace(name: "Lab", key: "lab", description: ""),
            enforcePlan: true, by: actor(fixture.admin))
        #expect(throws: DomainError.self, "URL keys are unique in the org") {
            try database.createWorkspace(
                orgKey: "acme", NewWorkspace(name: "Lab 2", key: "lab", description: ""), enforcePlan: true, by: actor(fixture.admin))
        }
        #expect(throws: DomainError.forbidden(.createWorkspace)) {
            try database.createWorkspace(
                orgKey: "acme", NewWorkspace(name: "M", key: "m-ws", description: ""), enforcePlan: true, by: actor(fixture.member))
        }
        let memberAccess = try database.access(orgKey: "acme", userId: fixture.member.id!)
        // A Member sees only their default workspace until granted access, through a team
        #expect(try database.workspaceCards(access: memberAccess, userId: fixture.member.id!).map(\.workspace.isShared) == [false])
        #expect(throws: DomainError.notFound) { try database.workspaceDetail(access: memberAccess, userId: fixture.member.id!, key: "lab") }
        #expect(throws: DomainError.notFound, "someone else's default workspace is private") {
            try database.workspaceDetail(access: access, userId: fixture.owner.id!, key: "personal-\(fixture.member.id!)")
        }
        let team = try database.createTeam(orgKey: "acme", TeamChange(name: "Lab team", description: ""), by: actor(fixture.owner))
        try database.addTeamMember(orgKey: "acme", teamId: team.id!, userId: fixture.member.id!, by: actor(fixture.owner))
        try database.grantAccess(orgKey: "acme", workspaceKey: "lab", to: .team(team.id!), level: .read, by: actor(fixture.owner))
        let seen = try database.workspaceDetail(access: memberAccess, userId: fixture.member.id!, key: "lab")
        #expect(!seen.canManageAccess)
        #expect(seen.card.memberCount == 2, "the creator and the team's member")
        #expect(throws: DomainError.forbidden(.manageWorkspaceAccess)) {
            try database.grantAccess(
                orgKey: "acme", workspaceKey: "lab", to: .user(fixture.member.id!), level: .admin, by: actor(fixture.member))
        }
        // Made a workspace admin, the Member manages this workspace's access only
        try database.grantAccess(
            orgKey: "acme", workspaceKey: "lab", to: .user(fixture.member.id!), level: .admin, by: actor(fixture.owner))
        #expect(try database.workspaceDetail(access: memberAccess, userId: fixture.member.id!, key: "lab").canManageAccess)
        let grant = try #require(
            try database.workspaceDetail(access: access, userId: fixture.owner.id!, key: "lab").grants.first { $0.grant.teamId != nil })
        try database.changeAccess(
            orgKey: "acme", workspaceKey: "lab", grantId: grant.grant.id!, level: .write,
            expectedVersion: grant.grant.version, by: actor(fixture.member))
        #expect(throws: DomainError.staleVersion) {
            try database.changeAccess(
                orgKey: "acme", workspaceKey: "lab", grantId: grant.grant.id!, level: nil,
                expectedVersion: grant.grant.version, by: actor(fixture.member))
        }
        _ = try database.createWorkspace(
            orgKey: "acme", NewWorkspace(name: "Ops", key: "ops", description: ""), enforcePlan: true, by: actor(fixture.owner))
        #expect(throws: DomainError.notFound) {
            try database.grantAccess(
                orgKey: "acme", workspaceKey: "ops", to: .user(fixture.member.id!), level: .read, by: actor(fixture.member))
        }
        #expect(throws: WorkspaceRule.privateWorkspace) {
            try database.grantAccess(
                orgKey: "acme", workspaceKey: "personal-\(fixture.owner.id!)", to: .user(fixture.member.id!), level: .read,
                by: actor(fixture.owner))
        }
        // Another org's team cannot be granted
        let foreign = try database.createTeam(orgKey: "other", TeamChange(name: "F", description: ""), by: actor(fixture.outsider))
        #expect(throws: DomainError.notFound) {
            try database.grantAccess(orgKey: "acme", workspaceKey: "lab", to: .team(foreign.id!), level: .read, by: actor(fixture.owner))
        }
        _ = shared
    }

    @Test func thePlanLimitsSharedWorkspacesInSaaSOnly() throws {
        try database.writer.write { db in try db.execute(sql: "UPDATE organization SET plan = 'free' WHERE key = 'acme'") }
        _ = try database.createWorkspace(
            orgKey: "acme", NewWorkspace(name: "One", key: "one", description: ""), enforcePlan: true, by: actor(fixture.owner))
        #expect(throws: WorkspaceRule.planLimit(.free)) {
            try database.createWorkspace(
                orgKey: "acme", NewWorkspace(name: "Two", key: "two", description: ""), enforcePlan: true, by: actor(fixture.owner))
        }
        _ = try database.createWorkspace(
            orgKey: "acme", NewWorkspace(name: "Two", key: "two", description: ""), enforcePlan: false, by: actor(fixture.owner))
        #expect(try database.planUsage(orgId: fixture.org.id!).sharedWorkspaces == 2)
    }

    @Test func removingAMemberTakesTheirTeamPlacesAndGrantsButKeepsTheirWorkspace() throws {
        let team = try database.createTeam(orgKey: "acme", TeamChange(name: "T", description: ""), by: actor(fixture.owner))
        try database.addTeamMember(orgKey: "acme", teamId: team.id!, userId: fixture.member.id!, by: actor(fixture.owner))
        _ = try database.createWorkspace(
            orgKey: "acme", NewWorkspace(name: "W", key: "w1", description: ""), enforcePlan: true, by: actor(fixture.owner))
        try database.grantAccess(orgKey: "acme", workspaceKey: "w1", to: .user(fixture.member.id!), level: .write, by: actor(fixture.owner))
        let version = try database.read { db in
            try Membership.fetchOne(db, key: ["orgId": fixture.org.id!, "userId": fixture.member.id!])!.version
        }
        try database.removeMember(orgKey: "acme", userId: fixture.member.id!, expectedVersion: version, by: actor(fixture.admin))
        #expect(try count("SELECT count(*) FROM teamMember") == 0)
        #expect(try count("SELECT count(*) FROM workspaceAccess WHERE userId = \(fixture.member.id!)") == 0)
        #expect(try count("SELECT count(*) FROM workspace WHERE ownerUserId = \(fixture.member.id!)") == 1)
    }

    @Test func sharedWorkspacesAreRenamedArchivedAndDeletedWithChecksAndAudit() throws {
        // Given a shared workspace with a grant and a workflow
        let lab = try database.createWorkspace(
            orgKey: "acme", NewWorkspace(name: "Lab", key: "lab", description: ""), enforcePlan: false, by: actor(fixture.owner))
        _ = try database.createWorkspace(
            orgKey: "acme", NewWorkspace(name: "Ops", key: "ops", description: ""), enforcePlan: false, by: actor(fixture.owner))
        try database.grantAccess(
            orgKey: "acme", workspaceKey: "lab", to: .user(fixture.member.id!), level: .admin, by: actor(fixture.owner))
        try database.writer.write { db in
            try db.execute(sql: "INSERT INTO workflow (workspaceId, name, createdAt) VALUES (?, 'w', 0)", arguments: [lab.id!])
        }
        // Renaming checks the name, its uniqueness, the version and the role
        #expect(throws: DomainError.self) {
            try database.renameWorkspace(
                orgKey: "acme", key: "lab", WorkspaceChange(name: "ops", description: "", expectedVersion: 1), by: actor(fixture.admin))
        }
        #expect(throws: DomainError.forbidden(.createWorkspace)) {
            try database.renameWorkspace(
                orgKey: "acme", key: "lab", WorkspaceChange(name: "X", description: "", expectedVersion: 1), by: actor(fixture.member))
        }
        #expect(throws: WorkspaceRule.privateWorkspace) {
            try database.renameWorkspace(
                orgKey: "acme", key: "personal-\(fixture.admin.id!)", WorkspaceChange(name: "X", description: "", expectedVersion: 1),
                by: actor(fixture.admin))
        }
        let renamed = try database.renameWorkspace(
            orgKey: "acme", key: "lab", WorkspaceChange(name: "Research", description: "d", expectedVersion: 1), by: actor(fixture.admin))
        #expect(renamed.version == 2 && renamed.key == "lab")
        #expect(throws: DomainError.staleVersion) {
            try database.renameWorkspace(
                orgKey: "acme", key: "lab", WorkspaceChange(name: "Y", description: "", expectedVersion: 1), by: actor(fixture.admin))
        }
        // Archived: read-only for access and names, until restored
        try database.setWorkspaceArchived(orgKey: "acme", key: "lab", true, expectedVersion: 2, by: actor(fixture.admin))
        #expect(throws: WorkspaceRule.archived) {
            try database.grantAccess(
                orgKey: "acme", workspaceKey: "lab", to: .user(fixture.admin.id!), level: .read, by: actor(fixture.owner))
        }
        #expect(throws: WorkspaceRule.archived) {
            try database.renameWorkspace(
                orgKey: "acme", key: "lab", WorkspaceChange(name: "Z", description: "", expectedVersion: 3), by: actor(fixture.admin))
        }
        try database.setWorkspaceArchived(orgKey: "acme", key: "lab", false, expectedVersion: 3, by: actor(fixture.admin))
        // Deleting needs the exact name and takes grants and workflows with it
        #expect(throws: DomainError.self) {
            try database.deleteWorkspace(orgKey: "acme", key: "lab", confirmation: "research", expectedVersion: 4, by: actor(fixture.admin))
        }
        try database.deleteWorkspace(orgKey: "acme", key: "lab", confirmation: "Research", expectedVersion: 4, by: actor(fixture.admin))
        #expect(try count("SELECT count(*) FROM workspace WHERE key = 'lab'") == 0)
        #expect(try count("SELECT count(*) FROM workspaceAccess WHERE workspaceId = \(lab.id!)") == 0)
        #expect(try count("SELECT count(*) FROM workflow WHERE workspaceId = \(lab.id!)") == 0)
        #expect(
            try database.auditEvents(orgId: fixture.org.id!).suffix(4).map(\.action) == [
                .workspaceUpdate, .workspaceArchive, .workspaceRestore, .workspaceDelete,
            ])
        #expect(try database.auditEvents(orgId: fixture.org.id!).last?.summary == "deleted “Research” with 1 workflow and 0 agents")
    }
}
