import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// The readiness checklist and the tutorial, computed from the state of the database.
@Suite("Readiness checklist and tutorial") struct ReadinessTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }
    static let day: TimeInterval = 86_400

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    func checks(_ user: User, saas: Bool = true) throws -> [ReadinessItem: ReadinessStatus] {
        let access = try database.access(orgKey: "acme", userId: user.id!)
        return Dictionary(
            uniqueKeysWithValues: try database.readiness(userId: user.id!, access: access, saas: saas).map { ($0.item, $0.status) })
    }

    func review(_ item: ReadinessItem, _ user: User) throws {
        try database.markReviewed(item, userId: user.id!, access: database.access(orgKey: "acme", userId: user.id!), saas: true)
    }

    @Test func eachItemAppliesOnlyWhereItsPageOpens() throws {
        #expect(Set(try checks(fixture.owner).keys) == Set(ReadinessItem.allCases))
        #expect(Set(try checks(fixture.owner, saas: false).keys) == [.profile, .sessions, .defaults, .tokens])
        #expect(Set(try checks(fixture.member).keys) == [.profile, .sessions, .defaults])
        #expect(throws: DomainError.notFound) { try review(.tokens, fixture.member) }
    }

    @Test func profileIsDoneWithTwoFactor() throws {
        #expect(try checks(fixture.owner)[.profile] == .open)
        try database.turnOnTwoFactor(for: fixture.owner, now: clock.now)
        #expect(try checks(fixture.owner)[.profile] == .done)
    }

    @Test func sessionsAreDoneWithOneBrowserOrAReview() throws {
        #expect(try checks(fixture.owner)[.sessions] == .done, "no browser at all")
        _ = try database.signIn(email: "owner@acme.test", password: Fixture.password, address: "a", userAgent: "")
        #expect(try checks(fixture.owner)[.sessions] == .done)
        _ = try database.signIn(email: "owner@acme.test", password: Fixture.password, address: "b", userAgent: "")
        #expect(try checks(fixture.owner)[.sessions] == .open)
    }

    @Test func aReviewCountsFor90DaysThenGoesStale() throws {
        #expect(try checks(fixture.owner)[.credits] == .open)
        try review(.credits, fixture.owner)
        #expect(try checks(fixture.owner)[.credits] == .reviewed)
        #expect(try checks(fixture.admin)[.credits] == .open, "a review is the reviewer's own")
        clock.advance(89 * Self.day)
        #expect(try checks(fixture.owner)[.credits] == .reviewed)
        clock.advance(2 * Self.day)
        #expect(try checks(fixture.owner)[.credits] == .stale)
        try review(.credits, fixture.owner)
        #expect(try checks(fixture.owner)[.credits] == .reviewed)
    }

    @Test func defaultsAreDoneOnceChatModelsAreChosen() throws {
        #expect(try checks(fixture.member)[.defaults] == .open)
        try database.setChatModel(orgKey: "acme", modelId: "openai/gpt-4o", enabled: true, by: Actor(user: fixture.member, address: "t"))
        #expect(try checks(fixture.member)[.defaults] == .done)
        #expect(try checks(fixture.owner)[.defaults] == .open)
    }

    @Test func keysWithoutExpiryOrUnusedFor90DaysAreFlagged() throws {
        let owner = Actor(user: fixture.owner, address: "t")
        #expect(try checks(fixture.owner)[.tokens] == .done, "no keys")
        let key = try database.createAPIKey(orgKey: "acme", NewAPIKey(name: "CI", scopes: ["org:read"], expiry: "365"), by: owner).key
        #expect(try checks(fixture.owner)[.tokens] == .done)
        clock.advance(91 * Self.day)
        #expect(try checks(fixture.owner)[.tokens] == .open, "never used in 91 days")
        try database.writer.write { db in
            try db.execute(sql: "UPDATE apiKey SET lastUsedAt = ? WHERE id = ?", arguments: [clock.now, key.id])
        }
        #expect(try checks(fixture.owner)[.tokens] == .done)
        _ = try database.createAPIKey(orgKey: "acme", NewAPIKey(name: "Forever", scopes: ["org:read"], expiry: "never"), by: owner)
        let access = try database.access(orgKey: "acme", userId: fixture.owner.id!)
        let tokens = try database.readiness(userId: fixture.owner.id!, access: access, saas: true).first { $0.item == .tokens }!
        #expect(tokens.status == .open && tokens.detail == "1 key never expires.")
    }

    @Test func theTutorialFollowsTheStateAndComesBackWhenAsked() throws {
        let owner = try database.access(orgKey: "acme", userId: fixture.owner.id!)
        #expect(
            try database.tutorial(userId: fixture.admin.id!, access: database.access(orgKey: "acme", userId: fixture.admin.id!), saas: true)
                == nil)
        let steps = {
            try Dictionary(
                uniqueKeysWithValues: database.tutorial(userId: fixture.owner.id!, access: owner, saas: true)!.steps.map {
                    ($0.step, $0.done)
                })
        }
        #expect(
            try steps() == [
                .nameOrganization: false, .inviteTeam: true, .addProviderKey: false, .chooseChatModels: false, .reviewBilling: false,
            ])
        let actor = Actor(user: fixture.owner, address: "t")
        try database.writer.write { db in try db.execute(sql: "UPDATE organization SET description = 'Tools' WHERE key = 'acme'") }
        _ = try database.addProvider(
            orgKey: "acme", by: actor,
            ProviderChange(kind: .mistral, name: "", baseURL: "https://api.mistral.ai/v1", apiKey: "mistral-key-1234567890"))
        try database.setChatModel(orgKey: "acme", modelId: "openai/gpt-4o", enabled: true, by: actor)
        #expect(try steps().values.filter { !$0 }.count == 1, "only billing is left")
        #expect(try database.tutorial(userId: fixture.owner.id!, access: owner, saas: false)!.isComplete, "billing is SaaS only")
        try database.dismissTutorial(userId: fixture.owner.id!, orgId: owner.org.id!)
        #expect(try database.tutorial(userId: fixture.owner.id!, access: owner, saas: true)!.isShown == false)
        try database.showTutorialAgain(userId: fixture.owner.id!)
        #expect(try database.tutorial(userId: fixture.owner.id!, access: owner, saas: true)!.isShown)
        try review(.credits, fixture.owner)
        let done = try database.tutorial(userId: fixture.owner.id!, access: owner, saas: true)!
        #expect(done.isComplete && !done.isShown)
    }

    @Test func aSoloOrganizationAsksToInviteTheTeam() throws {
        let other = try database.access(orgKey: "other", userId: fixture.outsider.id!)
        let tutorial = try #require(try database.tutorial(userId: fixture.outsider.id!, access: other, saas: true))
        #expect(tutorial.steps.first { $0.step == .inviteTeam }?.done == false)
        #expect(tutorial.isShown)
    }
}
