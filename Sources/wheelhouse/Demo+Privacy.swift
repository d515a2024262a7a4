import WheelhouseCore

extension Demo {
    /// The demo org's Privacy tab: usage events kept 365 days, delivered mail bodies 90 days,
    /// PII masking on for Admins and the model-training opt-out set by the owner; then the job
    /// runs once, so the page shows its last run.
    static func seedPrivacy(_ database: AppDatabase, owner: User, orgKey: String) throws {
        let actor = Actor(user: owner, address: "demo")
        var setting = try database.setPrivacyRetention(
            orgKey: orgKey, values: [.usageEvents: "365", .endedSessions: "forever", .readNotifications: "forever", .mailBodies: "90"],
            expectedVersion: 0, by: actor)
        setting = try database.setPIIMasking(orgKey: orgKey, value: "on", expectedVersion: setting.version, by: actor)
        try database.setTrainingOptOut(orgKey: orgKey, value: "on", expectedVersion: setting.version, by: actor)
        try database.prunePrivacyData()
    }
}
