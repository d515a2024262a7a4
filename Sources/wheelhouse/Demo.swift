import ArgumentParser
import WheelhouseCore

/// Seeds a demo organization, only on an empty database, so running it twice changes nothing.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Seed demo data into an empty database.")
    @OptionGroup var global: GlobalOptions

    static let password = "wheelhouse-demo"
    static let ownerEmail = "owner@demo.test"

    func run() throws {
        let database = try global.openDatabase()
        guard try database.isEmpty() else {
            Output.line("The database already has data: demo data not added.")
            return
        }
        let (owner, org) = try database.createOwner(
            NewOwner(
                email: Self.ownerEmail, name: "Olivia Owner", password: Self.password,
                orgKey: "demo", orgName: "Demo Robotics"))
        let admin = try database.createUser(email: "admin@demo.test", name: "Adam Admin", password: Self.password)
        let member = try database.createUser(email: "member@demo.test", name: "Mia Member", password: Self.password)
        try database.addMember(userId: admin.id!, orgId: org.id!, role: .admin)
        try database.addMember(userId: member.id!, orgId: org.id!, role: .member)
        let auditEntries = try Self.seedAuditHistory(database, org: org, people: [owner, admin, member])
        try seedPeople(database, owner: owner, admin: admin, member: member, org: org)
        try Self.seedCredentials(database, owner: owner, member: member, orgKey: org.key)
        try Self.seedPayments(database, owner: owner, orgKey: org.key, environment: global.environment)
        let events = try Self.seedUsage(database, org: org, owner: owner, workspaces: ["research", "support-bots"])
        try Self.seedPrivacy(database, owner: owner, orgKey: org.key)
        let ciKey = try Self.seedAPIKeys(database, owner: owner, admin: admin, orgKey: org.key)
        let (_, lab) = try database.createOwner(
            NewOwner(
                email: owner.email, name: owner.name, password: Self.password, orgKey: "olivia-lab", orgName: "Olivia’s Lab"))
        try database.changePlan(orgId: lab.id!, to: .free, actor: nil)  // Olivia's Lab tries the console on Free
        let notifications = try Self.seedNotifications(database, owner: owner, admin: admin, demo: org, lab: lab)
        try Self.seedProfiles(
            database, owner: owner, admin: admin, member: member, avatars: LogoStore(directory: global.dataDirectory.logosDirectory).avatars
        )
        try Self.seedSessions(database)
        try Self.seedPreferences(database, owner: owner, admin: admin, org: org)
        try Self.seedSSO(database, orgKey: org.key)
        // One ready export, built for real, so the Compliance tab is not empty.
        try database.requestDataExport(orgKey: org.key, by: Actor(user: owner, address: "demo"))
        let baseURL = global.environment["WHEELHOUSE_BASE_URL"] ?? "http://127.0.0.1:8080"
        try DataExportWorker(database: database, store: .load(dataDirectory: global.resolvedDataDir), consoleURL: baseURL).runOne()
        try Self.seedIntegrations(database, owner: owner, orgKey: org.key)
        Output.line(
            "Demo data added: organizations demo and olivia-lab (solo); people owner@, admin@, member@, "
                + "dev@ and support@demo.test; a pending invitation for new.hire@demo.test; \(events) usage events; "
                + "\(auditEntries) audit entries; privacy windows, masking and the training opt-out on demo; one data export; "
                + "\(notifications + 1) notifications for the Owner (3 unread); API keys CI and Dashboards; "
                + "a second session of the Owner's on a phone (Account → Active sessions); a picture for admin@, "
                + "a pending email change for member@; Adam Admin in the dark theme; the Owner's readiness checklist "
                + "half done; Support bots in French; about €37 of AI credits on demo (an opening balance, three "
                + "paid purchases, one auto-refill and a promotion expiring in 20 days; warning below €15), a saved test "
                + "Visa and auto-refill on (below €10 → €50, cap €200); none on olivia-lab; a webhook endpoint with a "
                + "delivery log, Slack and an editor token (Integrations).")
        // The only time this secret exists in plain text: printed so the API can be tried at once.
        Output.line("Demo API key “CI” (usage:write, expires in 20 days), shown only now: \(ciKey)")
    }
}
