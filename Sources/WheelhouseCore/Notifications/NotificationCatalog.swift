/// How a notification reaches a person. The raw value is the stored one and the grid's field prefix.
public enum NotificationChannel: String, CaseIterable, Sendable {
    case email
    case inApp = "in-app"

    public var label: String {
        switch self {
        case .email: "Email"
        case .inApp: "In the app"
        }
    }
}

/// The grid's sections, in the order shown.
public enum NotificationGroup: String, CaseIterable, Sendable {
    case security, payment, people, credentials, organization

    public var label: String {
        switch self {
        case .security: "Security"
        case .payment: "Payments"
        case .people: "People"
        case .credentials: "Providers and API keys"
        case .organization: "Organization"
        }
    }

    /// Why the boxes of a locked group cannot be cleared, shown beside them.
    public var lockedReason: String? {
        switch self {
        case .security: "Always on: you must hear about changes to how your account is signed in to."
        case .payment: "Always on: a payment problem can stop your organization's work."
        case .people, .credentials, .organization: nil
        }
    }
}

/// A kind's place in the grid and its defaults (Novu's model: defaults per kind, a per-person
/// override per channel, critical kinds locked on).
public struct NotificationKindSpec: Sendable, Equatable {
    public var label: String
    public var group: NotificationGroup
    public var email: Bool
    public var inApp: Bool
    /// On for every channel it offers whatever is stored: security and payment events.
    public var locked: Bool
    /// The channels it can reach a person by. Security events are emailed only: the mailbox is
    /// the channel someone holding a stolen session does not also hold, and an inbox entry there
    /// could be read (and marked read) by them first.
    public var offered: Set<NotificationChannel>
}

extension NotificationKind {
    /// Defaults: every kind is in the inbox (but security events, emailed only). Email is on where the person has to act or has lost
    /// something (role, provider, key, export, deletion, removal); off for the people chatter of
    /// an organization (joined, left, invitation accepted), which the inbox is enough for.
    public var spec: NotificationKindSpec {
        func kind(_ label: String, _ group: NotificationGroup, email: Bool, locked: Bool = false) -> NotificationKindSpec {
            let offered: Set<NotificationChannel> = group == .security ? [.email] : [.email, .inApp]
            return NotificationKindSpec(
                label: label, group: group, email: email || locked, inApp: offered.contains(.inApp), locked: locked, offered: offered)
        }
        return switch self {
        case .passwordChanged: kind("Your password changed or was reset", .security, email: true, locked: true)
        case .twoFactorChanged: kind("Two-factor sign-in changed or a recovery code used", .security, email: true, locked: true)
        case .newBrowserSignIn: kind("Sign-in from a new browser", .security, email: true, locked: true)
        case .invitationAccepted: kind("Someone accepted your invitation", .people, email: false)
        case .memberJoined: kind("A member joined (Owners and Admins)", .people, email: false)
        case .memberLeft: kind("A member left or was removed (Owners and Admins)", .people, email: false)
        case .removedYou: kind("You were removed from an organization", .people, email: true)
        case .roleChanged: kind("Your role changed", .people, email: true)
        case .providerFailed: kind("A provider connection failed (Owners and Admins)", .credentials, email: true)
        case .apiKeyExpiring: kind("An API key you made expires soon", .credentials, email: true)
        case .dataExportReady: kind("A data export you asked for is ready", .organization, email: true)
        case .dataExportFailed: kind("A data export you asked for failed", .organization, email: true)
        case .deletionScheduled: kind("An organization's deletion is scheduled, and reminders", .organization, email: true)
        case .deletionCancelled: kind("An organization's deletion is cancelled", .organization, email: true)
        case .creditsLow: kind("AI credits fell below the warning threshold (Owners and Admins)", .payment, email: true, locked: true)
        case .creditsExhausted: kind("AI credits ran out: paid AI paused (Owners and Admins)", .payment, email: true, locked: true)
        case .autoRefillFailed: kind("Auto-refill failed and switched itself off (Owners)", .payment, email: true, locked: true)
        case .autoRefillDone: kind("Auto-refill added credits (Owners)", .payment, email: true, locked: true)
        case .paymentFailed: kind("A payment was declined (Owners)", .payment, email: true, locked: true)
        }
    }

    public var locked: Bool { spec.locked }

    public func isOnByDefault(_ channel: NotificationChannel) -> Bool {
        guard spec.offered.contains(channel) else { return false }
        return switch channel {
        case .email: spec.email
        case .inApp: spec.inApp
        }
    }
}
