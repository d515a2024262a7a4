import Foundation
import GRDB

/// What a notification is about. Stored by raw value (at most 40 characters); a kind is added
/// here, with its line in `NotificationKind.spec`, when the feature that raises it lands — the
/// grid on /account/notifications shows a row for every case, so no row promises a feature that
/// does not exist yet. Billing's kinds (credits low or exhausted, auto-refill done or failed,
/// payment failed) will be cases of group `.payment` with `locked: true`.
public enum NotificationKind: String, CaseIterable, Sendable {
    // Security: always on (ACCOUNT-NOTES: critical kinds cannot be switched off).
    /// The password was changed, or reset with an emailed link.
    case passwordChanged = "security.password-changed"
    /// Two-factor sign-in turned on or off, or a recovery code used to sign in.
    case twoFactorChanged = "security.two-factor-changed"
    /// A sign-in from a browser not seen before for this person.
    case newBrowserSignIn = "security.new-browser"
    // People.
    /// Someone accepted an invitation the person sent.
    case invitationAccepted = "invitation.accepted"
    /// Someone joined an organization the person administers.
    case memberJoined = "member.joined"
    /// Someone left, or was removed from, an organization the person administers.
    case memberLeft = "member.left"
    /// The person was removed from an organization.
    case removedYou = "member.removed-you"
    /// The person's own role changed.
    case roleChanged = "member.role-changed"
    // Credentials.
    /// A provider connection test recorded Failed.
    case providerFailed = "provider.failed"
    /// An API key the person made expires in 30, 7 or 1 days.
    case apiKeyExpiring = "api-key.expiring"
    // Organization.
    case dataExportReady = "data-export.ready"
    case dataExportFailed = "data-export.failed"
    /// Scheduled, and the reminders 7 days and 1 day before.
    case deletionScheduled = "org.deletion-scheduled"
    case deletionCancelled = "org.deletion-cancelled"
    // Payments: always on.
    /// The AI-credit balance fell below the Owner's warning threshold (Owners and Admins).
    case creditsLow = "billing.credits-low"
    /// The AI-credit balance reached zero: paid AI usage is paused (Owners and Admins).
    case creditsExhausted = "billing.credits-exhausted"
    /// Auto-refill failed 3 times in a row and switched itself off (Owners).
    case autoRefillFailed = "billing.auto-refill-failed"
    /// Auto-refill charged the card and added credits (Owners).
    case autoRefillDone = "billing.auto-refill-done"
    /// A payment was declined (Owners).
    case paymentFailed = "billing.payment-failed"
}

/// One entry of a person's in-app inbox. `link` is a path inside the console (never an
/// absolute URL), so a notification cannot send anyone elsewhere.
public struct AppNotification: Sendable, Equatable {
    public var id: Int64
    public var userId: Int64
    public var orgId: Int64?
    public var kind: NotificationKind
    public var title: String
    public var link: String?
    public var createdAt: Date
    public var readAt: Date?
}

enum NotificationSchema {
    static let sql = """
        CREATE TABLE notification (
            id INTEGER PRIMARY KEY,
            userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            orgId INTEGER REFERENCES organization(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
            title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
            link TEXT CHECK (link IS NULL OR (length(link) <= 500 AND substr(link, 1, 1) = '/' AND substr(link, 2, 1) <> '/')),
            createdAt DATETIME NOT NULL,
            readAt DATETIME
        );
        CREATE INDEX notification_user ON notification(userId, id);
        CREATE INDEX notification_unread ON notification(userId) WHERE readAt IS NULL;
        CREATE INDEX notification_org_read ON notification(orgId, readAt) WHERE readAt IS NOT NULL;
        """
}
