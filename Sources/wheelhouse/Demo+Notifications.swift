import Foundation
import WheelhouseCore

extension Demo {
    /// The Owner's inbox: a few notifications of real kinds, the older ones read, two unread (a
    /// member joined, a provider failed), so the header shows a badge. Each links to a page of the
    /// console that exists. And Adam Admin's settings differ from the defaults: members joining
    /// by email too, data exports in the app only.
    static func seedNotifications(
        _ database: AppDatabase, owner: User, admin: User, demo: Organization, lab: Organization
    ) throws -> Int {
        try database.saveNotificationPreferences(
            userId: admin.id!, choices: [.memberJoined: [.email, .inApp], .dataExportReady: [.inApp]], expectedVersion: 0)
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        func ago(_ seconds: TimeInterval) -> Date { now.addingTimeInterval(-seconds) }
        let items: [(NotificationKind, Organization, String, String, Date, read: Bool)] = [
            (
                .deletionScheduled, lab, "Olivia’s Lab is scheduled for deletion in 30 days", "/orgs/olivia-lab/settings/general",
                ago(9 * 86_400), true
            ),
            (
                .deletionCancelled, lab, "The deletion of Olivia’s Lab was cancelled", "/orgs/olivia-lab/settings/audit", ago(8 * 86_400),
                true
            ),
            (
                .dataExportFailed, demo, "The data export of Demo Robotics failed; request it again", "/orgs/demo/settings/general",
                ago(2 * 86_400), true
            ),
            (.dataExportReady, lab, "Your data export of Olivia’s Lab is ready", "/orgs/olivia-lab/settings/compliance", ago(86_400), true),
            (.memberJoined, demo, "Dana Developer joined Demo Robotics as Member", "/orgs/demo/settings/members", ago(3 * 3_600), false),
            (
                .providerFailed, demo,
                "The provider “Mistral AI” of Demo Robotics failed its connection test",
                "/orgs/demo/settings/providers", ago(20 * 60), false
            ),
        ]
        for (kind, org, title, link, at, read) in items {
            try database.seedNotification(
                userId: owner.id!, orgId: org.id, kind: kind, title: title, link: link, createdAt: at,
                readAt: read ? at.addingTimeInterval(3_600) : nil)
        }
        return items.count
    }
}
