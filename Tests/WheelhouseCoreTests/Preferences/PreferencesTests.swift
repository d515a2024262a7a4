import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Preferences (validation, version, the appearance read with the session) and the overview's
/// widget layout (move, hide, show, reset), each person's own.
@Suite("Preferences and dashboard widgets") struct PreferencesTests {
    let fixture: Fixture
    var database: AppDatabase { fixture.database }

    init() throws { fixture = try Fixture() }

    func access(_ user: User, _ org: String = "acme") throws -> OrgAccess { try database.access(orgKey: org, userId: user.id!) }

    @Test func savingChecksEveryValueAndTheVersion() throws {
        #expect(try database.preferences(userId: fixture.member.id!) == .defaults)
        let saved = try database.updatePreferences(
            userId: fixture.member.id!, theme: "dark", density: "compact", language: "zh-Hans", expectedVersion: 1)
        #expect(saved == Preferences(theme: .dark, density: .compact, language: "zh-Hans", version: 2))
        #expect(try database.preferences(userId: fixture.member.id!) == saved)
        #expect(try database.preferences(userId: fixture.admin.id!) == .defaults, "another person's row is untouched")
        #expect(throws: DomainError.staleVersion) {
            try database.updatePreferences(
                userId: fixture.member.id!, theme: "light", density: "compact", language: "en", expectedVersion: 1)
        }
        // Unchanged: nothing written, the version stays.
        #expect(
            try database.updatePreferences(
                userId: fixture.member.id!, theme: "dark", density: "compact", language: "zh-Hans", expectedVersion: 2
            ).version == 2)
        do {
            try database.updatePreferences(userId: fixture.member.id!, theme: "neon", density: "tiny", language: "xx", expectedVersion: 2)
            Issue.record("unknown values were saved")
        } catch DomainError.invalid(let errors) {
            #expect(Set(errors.byField.keys) == ["theme", "density", "language"])
        }
        #expect(try database.preferences(userId: fixture.member.id!) == saved)
    }

    @Test func theSessionCarriesTheAppearance() throws {
        let (token, signedIn) = try database.signIn(email: "member@acme.test", password: Fixture.password, address: "t", userAgent: "")
        #expect(signedIn.appearance == Appearance())
        #expect(try database.session(token: token)?.appearance == Appearance())
        try database.updatePreferences(userId: fixture.member.id!, theme: "dark", density: "compact", language: "en", expectedVersion: 1)
        #expect(try database.session(token: token)?.appearance == Appearance(theme: .dark, density: .compact))
    }

    @Test func everyLanguageTagIsUniqueAndKnown() {
        #expect(Set(WorkLanguages.all.map(\.tag)).count == WorkLanguages.all.count)
        #expect(WorkLanguages.isKnown("zh-Hans") && WorkLanguages.isKnown(WorkLanguages.default))
        #expect(!WorkLanguages.isKnown("EN") && !WorkLanguages.isKnown(""))
    }

    @Test func widgetsMoveHideShowAndResetPerPersonAndOrganization() throws {
        let owner = try access(fixture.owner)
        let layout = { try database.dashboardLayout(userId: fixture.owner.id!, access: owner, saas: true) }
        #expect(try layout().shown == DashboardWidget.allCases)
        try database.moveWidget(.members, .up, userId: fixture.owner.id!, access: owner, saas: true)
        #expect(try layout().shown == [.usage, .members, .plan, .providers, .audit])
        try database.moveWidget(.usage, .up, userId: fixture.owner.id!, access: owner, saas: true)  // already first: no change
        try database.moveWidget(.audit, .down, userId: fixture.owner.id!, access: owner, saas: true)  // already last
        #expect(try layout().shown == [.usage, .members, .plan, .providers, .audit])
        try database.moveWidget(.plan, .hide, userId: fixture.owner.id!, access: owner, saas: true)
        #expect(try layout() == DashboardLayout(shown: [.usage, .members, .providers, .audit], hidden: [.plan]))
        // Moving skips the hidden widget: providers goes above members.
        try database.moveWidget(.providers, .up, userId: fixture.owner.id!, access: owner, saas: true)
        #expect(try layout().shown == [.usage, .providers, .members, .audit])
        try database.moveWidget(.plan, .show, userId: fixture.owner.id!, access: owner, saas: true)
        #expect(try layout().hidden.isEmpty)
        // Another person, and the same person elsewhere, keep the default.
        let admin = try access(fixture.admin)
        #expect(try database.dashboardLayout(userId: fixture.admin.id!, access: admin, saas: true).shown == DashboardWidget.allCases)
        try database.resetDashboards(userId: fixture.owner.id!)
        #expect(try layout() == DashboardLayout(shown: DashboardWidget.allCases, hidden: []))
    }

    @Test func aMemberSeesOnlyWhatTheirRoleOpensAndCannotMoveTheRest() throws {
        let member = try access(fixture.member)
        #expect(try database.dashboardLayout(userId: fixture.member.id!, access: member, saas: true).shown == [.members])
        #expect(throws: DomainError.notFound) {
            try database.moveWidget(.audit, .hide, userId: fixture.member.id!, access: member, saas: true)
        }
        let owner = try access(fixture.owner)
        #expect(
            try database.dashboardLayout(userId: fixture.owner.id!, access: owner, saas: false).shown == [
                .usage, .members, .providers, .audit,
            ])
    }
}
