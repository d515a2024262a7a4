import WheelhouseCore

extension Demo {
    /// The Account area's profile: Adam Admin has a picture, the Owner's default organization is
    /// `demo` (chosen, so `/` lands there whatever the names), and Mia Member has asked to move to
    /// a new address (the link waits in the outbox).
    static func seedProfiles(_ database: AppDatabase, owner: User, admin: User, member: User, avatars: LogoStore) throws {
        if let picture = LogoImage.demoPicture(background: (11, 92, 173), foreground: (255, 214, 10)) {
            try database.updateAvatar(userId: admin.id!, .replace(picture), expectedVersion: 1, avatars: avatars)
        }
        try database.setDefaultOrganization(userId: owner.id!, orgKey: "demo", expectedVersion: 1)
        try database.requestEmailChange(
            newEmail: "mia@new-address.test", password: password, by: Actor(user: member, address: "demo"))
    }
}
