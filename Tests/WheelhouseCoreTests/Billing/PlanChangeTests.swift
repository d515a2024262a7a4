import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// The plan's meters, an upgrade's prorated quote, and downgrades scheduled, cancelled and applied.
@Suite("Plan meters and changes") struct PlanChangeTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }
    var owner: Actor { Actor(user: fixture.owner, address: "203.0.113.1") }

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
    }

    @Test func metersCountRunsSeatsSharedWorkspacesAndAgents() throws {
        _ = try database.invite(orgKey: "acme", addresses: ["new@acme.test"], role: .member, by: owner)
        let status = try database.planStatus(org: try fixture.currentOrg())
        #expect(status.plan == .pro)
        let seats = try #require(status.meters.first { $0.kind == .seats })
        #expect(seats.used == 4 && seats.limit == 25, "three members and one pending invitation")
        let runs = try #require(status.meters.first { $0.kind == .runs })
        #expect(runs.limit == 10_000 && runs.resetsOn == status.month.next.first)
    }

    @Test func anUpgradeCostsTheDifferenceForTheRestOfTheMonthToTheCent() throws {
        let utc = TimeZone(identifier: "UTC")!
        // 1 September 2026 00:00 UTC + 10 days: 20 of 30 days left.
        let start = Date(timeIntervalSince1970: 1_788_220_800)
        let quote = try #require(UpgradeQuote.quote(from: .starter, to: .pro, now: start.addingTimeInterval(10 * 86_400), timeZone: utc))
        #expect(quote.periodSeconds == 30 * 86_400 && quote.secondsLeft == 20 * 86_400)
        #expect(quote.amountMinor == 1_333, "€20 × 20/30 = €13.333…, half up to €13.33")
        #expect(UpgradeQuote.quote(from: .pro, to: .starter, now: start, timeZone: utc) == nil, "a downgrade has no charge")
        #expect(UpgradeQuote.quote(from: .pro, to: .enterprise, now: start, timeZone: utc) == nil, "Enterprise is not self-serve")
        #expect(UpgradeQuote.quote(from: .free, to: .business, now: start, timeZone: utc)?.amountMinor == 67_000)
    }

    @Test func aDowngradeWaitsForTheNextMonthCanBeCancelledAndIsAppliedOnce() throws {
        let scheduled = try database.scheduleDowngrade(orgKey: "acme", to: .free, by: owner)
        let status = try database.planStatus(org: try fixture.currentOrg())
        #expect(status.plan == .pro && status.scheduled?.to == .free && scheduled.effectiveOn == status.month.next.first)
        #expect(
            AppDatabase.downgradeBlockers(status, to: .free).map(\.meter) == [.seats]
                || status.meters.first { $0.kind == .seats }!.used <= 3)
        #expect(try database.applyDuePlanChanges() == 0, "not before its day")
        #expect(throws: DomainError.staleVersion) { try database.cancelDowngrade(orgKey: "acme", expectedVersion: 9, by: owner) }
        try database.cancelDowngrade(orgKey: "acme", expectedVersion: scheduled.version, by: owner)
        #expect(try database.planStatus(org: try fixture.currentOrg()).scheduled == nil)
        _ = try database.scheduleDowngrade(orgKey: "acme", to: .starter, by: owner)
        clock.advance(32 * 86_400)
        #expect(try database.applyDuePlanChanges() == 1)
        #expect(try database.applyDuePlanChanges() == 0)
        #expect(try database.planStatus(org: try fixture.currentOrg()).plan == .starter)
        let actions = try database.auditEvents(orgId: fixture.org.id!).map(\.action).suffix(4)
        #expect(Array(actions) == [.planDowngradeSchedule, .planDowngradeCancel, .planDowngradeSchedule, .organizationPlan])
    }

    @Test func onlyAnOwnerMovesTheOrganizationDownAndNeverUpThisWay() throws {
        let admin = Actor(user: fixture.admin, address: "203.0.113.2")
        #expect(throws: DomainError.self) { try database.scheduleDowngrade(orgKey: "acme", to: .free, by: admin) }
        #expect(throws: DomainError.notFound) { try database.scheduleDowngrade(orgKey: "acme", to: .business, by: owner) }
        #expect(throws: DomainError.notFound) { try database.scheduleDowngrade(orgKey: "acme", to: .pro, by: owner) }
    }
}
