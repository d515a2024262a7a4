import WheelhouseCore

extension Demo {
    /// Preferences and the overview: Adam Admin works in the dark, compact theme; the Owner's
    /// readiness checklist on Demo Robotics is half done (chat models chosen in Demo+Credentials, keys in order,
    /// sessions reviewed; two-factor and credits still to look at) and the tutorial is put away
    /// there, while Olivia's Lab (solo) still shows it.
    static func seedPreferences(_ database: AppDatabase, owner: User, admin: User, org: Organization) throws {
        try database.updatePreferences(userId: admin.id!, theme: "dark", density: "compact", language: "en", expectedVersion: 1)
        try database.updatePreferences(userId: owner.id!, theme: "system", density: "comfortable", language: "de", expectedVersion: 1)
        let access = try database.access(orgKey: org.key, userId: owner.id!)
        try database.markReviewed(.sessions, userId: owner.id!, access: access, saas: true)
        try database.dismissTutorial(userId: owner.id!, orgId: org.id!)
    }
}
