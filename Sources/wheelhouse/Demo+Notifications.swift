import Foundation
import WheelhouseCore

extension Demo {
    /// The Owner's inbox: a few notifications of each kind that exists, the older ones read, two
    /// unread, so the header shows a badge. Each links to a page of the console that exists.
    /// (When the Compliance tab lands, the export ones should link to it.)
    static func seedNotifications(_ database: AppDatabase, owner: User, demo: Organization, lab: Organization) throws -> Int {
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
            (.dataExportReady, demo, "Your data export of Demo Robotics is ready", "/orgs/demo/settings/general", ago(3 * 3_600), false),
            (.dataExportReady, lab, "Your data export of Olivia’s Lab is ready", "/orgs/olivia-lab/settings/general", ago(20 * 60), false),
        ]
        for (kind, org, title, link, at, read) in items {
            try database.seedNotification(
                userId: owner.id!, orgId: org.id, kind: kind, title: title, link: link, createdAt: at,
                readAt: read ? at.addingTimeInterval(3_600) : nil)
        }
        return items.count
    }
}
