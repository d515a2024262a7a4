import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// The grid of notification kinds × channels on /account/notifications, in process: the round
/// trip, and bad input that changes nothing.
@Suite("Notification settings, in process") struct NotificationSettingsWebTests {
    static let page = "/account/notifications"
    static let action = "/account/notifications/preferences"

    /// Everything a refused grid must leave as it was: every person's choices and version, the
    /// inbox, the outbox, the audit log.
    static func state(_ t: TestApp) throws -> [String] {
        try t.database.reader.read { db in
            try String.fetchAll(db, sql: "SELECT userId || kind || channel || enabled FROM notificationPreference ORDER BY 1")
                + String.fetchAll(db, sql: "SELECT userId || ':' || version FROM notificationSettings ORDER BY 1")
                + [String(try Int.fetchOne(db, sql: "SELECT count(*) FROM notification")!)]
                + [String(try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox")!)]
                + [String(try Int.fetchOne(db, sql: "SELECT count(*) FROM auditEvent")!)]
        }
    }

    static func box(_ channel: NotificationChannel, _ kind: NotificationKind) -> String {
        "id=\"pref-\(channel.rawValue)-\(kind.rawValue)\" name=\"\(channel.rawValue):\(kind.rawValue)\" value=\"on\""
    }

    @Test func theGridShowsDefaultsLocksSecurityAndSavesARoundTrip() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let shown = client.get(Self.page)
        #expect(shown.status == 200 && shown.contains("<table class=\"data notification-grid\">"))
        // Defaults: member chatter in the app only, a role change by both.
        #expect(shown.contains(Self.box(.email, .memberJoined) + " aria-label=\"Email: A member joined (Owners and Admins)\">"))
        #expect(
            shown.contains(Self.box(.inApp, .memberJoined) + " aria-label=\"In the app: A member joined (Owners and Admins)\" checked>"))
        #expect(shown.contains(Self.box(.email, .roleChanged) + " aria-label=\"Email: Your role changed\" checked>"))
        // Security: locked on, with the reason; emailed only. Payments: locked on too, by both channels.
        #expect(shown.contains(Self.box(.email, .newBrowserSignIn) + " aria-label=\"Email: Sign-in from a new browser\" checked disabled>"))
        #expect(shown.contains("Always on: you must hear about changes to how your account is signed in to."))
        #expect(!shown.contains("name=\"in-app:security.new-browser\"") && shown.contains("Not sent in the app"))
        #expect(shown.contains("Payments") && shown.contains("Always on: a payment problem can stop your organization"))
        #expect(shown.inputValue("kinds") == PreferencesGrid.editable.map(\.rawValue).joined(separator: " "))
        #expect(!shown.inputValue("kinds")!.contains("security."))
        // Save: member-joined by email too, role changes in the app only.
        let saved = client.post(
            Self.action,
            [
                ("_csrf", shown.csrf), ("version", "0"), ("kinds", shown.inputValue("kinds")!),
                ("email:member.joined", "on"), ("in-app:member.joined", "on"), ("in-app:member.role-changed", "on"),
            ])
        #expect(saved.status == 303 && saved.location == Self.page)
        let after = client.get(Self.page)
        #expect(after.contains("Your notification settings are saved."))
        #expect(after.contains(Self.box(.email, .memberJoined) + " aria-label=\"Email: A member joined (Owners and Admins)\" checked>"))
        #expect(after.contains(Self.box(.email, .roleChanged) + " aria-label=\"Email: Your role changed\">"))
        #expect(after.inputValue("version") == "1")
        let stored = try t.database.notificationPreferences(userId: t.member.id!)
        #expect(stored.channels(.memberJoined) == [.email, .inApp] && stored.channels(.roleChanged) == [.inApp])
        // Every kind the form listed without a box is off; locked kinds stay on.
        #expect(stored.channels(.apiKeyExpiring).isEmpty && stored.channels(.passwordChanged) == [.email])
        // Nobody else's choices moved.
        #expect(try t.database.notificationPreferences(userId: t.admin.id!).version == 0)
        // The same again: nothing to save.
        let same = client.post(
            Self.action,
            [
                ("_csrf", shown.csrf), ("version", "1"), ("kinds", "member.joined"), ("email:member.joined", "on"),
                ("in-app:member.joined", "on"),
            ])
        #expect(same.status == 303 && client.get(Self.page).contains("Nothing to save: your notification settings are unchanged."))
    }

    @Test(
        arguments: [
            (
                "unknown kind listed", [("version", "0"), ("kinds", "member.joined billing.bogus")], 422,
                "Not a kind of notification: “billing.bogus”"
            ),
            ("unknown kind box", [("version", "0"), ("kinds", "member.joined"), ("email:bogus.kind", "on")], 422, "does not take"),
            ("unknown channel", [("version", "0"), ("kinds", "member.joined"), ("sms:member.joined", "on")], 422, "does not take"),
            ("locked kind off", [("version", "0"), ("kinds", "member.joined security.new-browser")], 422, "cannot be switched off"),
            ("box not listed", [("version", "0"), ("kinds", "member.joined"), ("email:member.left", "on")], 422, "not on this form"),
            ("missing version", [("kinds", "member.joined")], 422, "missing the version"),
            ("missing kinds", [("version", "0"), ("email:member.joined", "on")], 422, "missing the list of kinds"),
            ("control characters", [("version", "0"), ("kinds", "member.joined\u{0}")], 422, "Not a kind of notification"),
            ("over-long", [("version", "0"), ("kinds", String(repeating: "x", count: 5_000))], 422, "Not a kind of notification"),
            (
                "stale version", [("version", "7"), ("kinds", "member.joined"), ("email:member.joined", "on")], 409,
                "changed in another tab"
            ),
        ] as [(String, [(String, String)], Int, String)])
    func badInputChangesNothing(_ label: String, _ fields: [(String, String)], _ status: Int, _ message: String) throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let csrf = client.get(Self.page).csrf
        let before = try Self.state(t)
        let refused = client.post(Self.action, [("_csrf", csrf)] + fields)
        #expect(refused.status == status, "\(label)")
        #expect(refused.contains(message), "\(label)")
        #expect(refused.contains("<details class=\"card notification-settings\" id=\"notification-settings\" open>"), "\(label)")
        #expect(try Self.state(t) == before, "\(label)")
    }

    @Test func csrfAndInvalidUTF8AreRefusedAndChangeNothing() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let csrf = client.get(Self.page).csrf
        let before = try Self.state(t)
        #expect(client.post(Self.action, [("version", "0"), ("kinds", "member.joined")]).status == 403)
        #expect(client.post(Self.action, [("_csrf", "forged"), ("version", "0"), ("kinds", "member.joined")]).status == 403)
        #expect(t.client().post(Self.action, [("_csrf", csrf), ("version", "0"), ("kinds", "member.joined")]).status == 403)
        let bytes = client.send(
            "POST", Self.action, contentType: "application/x-www-form-urlencoded", body: Array("_csrf=\(csrf)&version=0&kinds=%FF".utf8))
        #expect(bytes.status == 422 && bytes.contains("not valid UTF-8"))
        #expect(try Self.state(t) == before)
    }

    @Test func aRefusedGridKeepsTheBoxesAsSentAndAStaleOneCarriesTheStoredVersion() throws {
        let t = try TestApp()
        let here = try t.client(signedInAs: "member@acme.test")
        let there = try t.client(signedInAs: "member@acme.test")
        let form = here.get(Self.page)
        // Another tab saves first.
        let other = there.get(Self.page)
        #expect(there.post(Self.action, [("_csrf", other.csrf), ("version", "0"), ("kinds", "member.left")]).status == 303)
        let stale = here.post(
            Self.action, [("_csrf", form.csrf), ("version", "0"), ("kinds", "member.joined"), ("email:member.joined", "on")])
        #expect(stale.status == 409)
        #expect(stale.contains(Self.box(.email, .memberJoined) + " aria-label=\"Email: A member joined (Owners and Admins)\" checked>"))
        #expect(stale.inputValue("version") == "1", "saving again replaces the other change knowingly")
        // A malformed one keeps the boxes and the version it was loaded with.
        let bad = here.post(
            Self.action,
            [("_csrf", form.csrf), ("version", "1"), ("kinds", "member.joined nope"), ("email:member.joined", "on")])
        #expect(bad.status == 422 && bad.inputValue("version") == "1")
        #expect(bad.contains(Self.box(.email, .memberJoined) + " aria-label=\"Email: A member joined (Owners and Admins)\" checked>"))
        #expect(try t.database.notificationPreferences(userId: t.member.id!).channels(.memberJoined) == [.inApp])
    }

    @Test func aForgedPostLeavingOutTheSecurityBoxesCannotSwitchThemOff() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "member@acme.test")
        let csrf = client.get(Self.page).csrf
        let forged = client.post(
            Self.action, [("_csrf", csrf), ("version", "0"), ("kinds", "member.joined"), ("email:security.new-browser", "")])
        #expect(forged.status == 303)
        let stored = try t.database.notificationPreferences(userId: t.member.id!)
        for kind in NotificationKind.allCases where kind.locked { #expect(stored.channels(kind) == kind.spec.offered) }
        #expect(
            try t.database.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM notificationPreference WHERE kind LIKE 'security.%'")
            } == 0)
    }

    @Test func theSecurityNoticesLinkToTheAccountRoutes() {
        #expect(SecurityWords.securityPage == Route.account(.security).path)
        #expect(SecurityWords.twoFactorPage == Route.account(.twoFactor(.show)).path)
        #expect(SecurityWords.sessionsPage == Route.account(.sessions).path)
    }
}
