import WheelhouseCore

extension Demo {
    /// The People part of the demo: more members, two teams, shared workspaces with grants (Mia
    /// Member administers Support bots), an archived one, workflow and agent rows, and one pending
    /// invitation with a personal message.
    func seedPeople(_ database: AppDatabase, owner: User, admin: User, member: User, org: Organization) throws {
        let actor = Actor(user: owner, address: "demo")
        let dev = try database.createUser(email: "dev@demo.test", name: "Dana Developer", password: Self.password)
        let support = try database.createUser(email: "support@demo.test", name: "Sam Support", password: Self.password)
        try database.addMember(userId: dev.id!, orgId: org.id!, role: .member)
        try database.addMember(userId: support.id!, orgId: org.id!, role: .member)

        let research = try database.createWorkspace(
            orgKey: org.key,
            NewWorkspace(
                name: "Research", key: "research", description: "Model evaluations and experiments."), enforcePlan: false, by: actor)
        let bots = try database.createWorkspace(
            orgKey: org.key,
            NewWorkspace(
                name: "Support bots", key: "support-bots", description: "Customer-facing assistants.", language: "fr"),
            enforcePlan: false, by: actor)

        let engineering = try database.createTeam(
            orgKey: org.key, TeamChange(name: "Engineering", description: "Builds the agents."), by: actor)
        let customer = try database.createTeam(orgKey: org.key, TeamChange(name: "Customer success", description: ""), by: actor)
        for user in [admin, dev] { try database.addTeamMember(orgKey: org.key, teamId: engineering.id!, userId: user.id!, by: actor) }
        for user in [member, support] { try database.addTeamMember(orgKey: org.key, teamId: customer.id!, userId: user.id!, by: actor) }

        try database.grantAccess(orgKey: org.key, workspaceKey: research.key, to: .team(engineering.id!), level: .write, by: actor)
        try database.grantAccess(orgKey: org.key, workspaceKey: bots.key, to: .team(customer.id!), level: .write, by: actor)
        try database.grantAccess(orgKey: org.key, workspaceKey: bots.key, to: .user(member.id!), level: .admin, by: actor)
        try database.grantAccess(orgKey: org.key, workspaceKey: bots.key, to: .user(dev.id!), level: .read, by: actor)

        try database.addWorkItems(
            workspaceKey: research.key, orgId: org.id!,
            workflows: ["Nightly eval", "Prompt regression", "Dataset refresh"], agents: ["Research assistant"])
        try database.addWorkItems(
            workspaceKey: bots.key, orgId: org.id!,
            workflows: ["Ticket triage", "Refund helper"], agents: ["Support agent", "Escalation agent"])
        try database.addWorkItems(workspaceKey: "personal-\(owner.id!)", orgId: org.id!, workflows: ["Scratch"], agents: [])

        // A finished project, kept for reference: archived, so shown as archived and read-only.
        let pilot = try database.createWorkspace(
            orgKey: org.key,
            NewWorkspace(
                name: "Pilot 2025", key: "pilot-2025", description: "The first customer pilot, kept for reference."), enforcePlan: false,
            by: actor)
        try database.setWorkspaceArchived(orgKey: org.key, key: pilot.key, true, expectedVersion: pilot.version, by: actor)

        _ = try database.invite(
            orgKey: org.key, addresses: ["new.hire@demo.test"], role: .member,
            message: "Welcome! Start with the Research workspace; Dana can show you around.", by: actor)
    }
}
