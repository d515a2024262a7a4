import Foundation
import GRDB
import Testing
import WheelhouseCore
import WheelhouseTestSupport

/// In SaaS mode a plan caps audit retention: Free 90 days, the paid plans forever.
@Suite("Audit retention under a plan") struct AuditRetentionCapTests {
    typealias R = AuditRetentionTests

    @Test func aPeriodLongerThanThePlanOffersIsRefusedBesideTheField() throws {
        let (f, _) = try R.world()
        try f.database.changePlan(orgId: f.org.id!, to: .free, actor: nil)
        for value in ["365", "forever"] {
            #expect {
                try f.database.setAuditRetention(orgKey: "acme", value: value, expectedVersion: 0, enforcePlan: true, by: R.owner(f))
            } throws: { error in
                guard case DomainError.invalid(let errors) = error else { return false }
                return errors.messages(for: "retention") == [
                    "The Free plan keeps audit entries for at most 90 days. Choose a shorter period, or change plan on Billing."
                ]
            }
        }
        #expect(try f.database.auditRetention(orgId: f.org.id!).version == 0)
        try f.database.setAuditRetention(orgKey: "acme", value: "90", expectedVersion: 0, enforcePlan: true, by: R.owner(f))
        // Enterprise mode has no plans: any period
        try f.database.setAuditRetention(orgKey: "acme", value: "forever", expectedVersion: 1, enforcePlan: false, by: R.owner(f))
        #expect(try f.database.auditRetention(orgId: f.org.id!).retention == .forever)
    }

    @Test func afterADowngradeThePruneKeepsNoMoreThanThePlanOffers() throws {
        let (f, clock) = try R.world()
        try R.seed(f, orgId: f.org.id!, at: [clock.now.addingTimeInterval(-100 * R.day), clock.now.addingTimeInterval(-80 * R.day)])
        try f.database.changePlan(orgId: f.org.id!, to: .free, actor: nil)
        // Chosen: forever (the default). Enterprise mode keeps it all.
        #expect(try f.database.pruneAuditLog(enforcePlan: false).isEmpty)
        #expect(try R.targets(f, orgId: f.org.id!) == ["old-0", "old-1"])
        // SaaS mode on Free: 90 days
        let results = try f.database.pruneAuditLog(enforcePlan: true)
        #expect(results.map(\.removed) == [1])
        #expect(try R.targets(f, orgId: f.org.id!) == ["old-1"])
        #expect(AuditRetention.forever.capped(by: Plan.pro.auditRetentionCap) == .forever)
        #expect(AuditRetention.days365.capped(by: Plan.free.auditRetentionCap) == .days90)
        #expect(AuditRetention.days30.capped(by: Plan.free.auditRetentionCap) == .days30)
    }
}
