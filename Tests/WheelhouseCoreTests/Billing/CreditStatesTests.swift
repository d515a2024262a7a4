import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// `credits low` and `credits exhausted`: told once when a debit crosses the line, the paid-AI
/// entitlement with its true cause, the Owner's threshold, the billing jobs, and the invariant
/// after real imports.
@Suite("Credit states, entitlement and jobs") struct CreditStatesTests {
    let clock = TestClock()
    let usage = CreditUsageTests()

    func fixture(billing: Bool = true) throws -> Fixture {
        let clock = clock
        var database = try AppDatabase.inMemory(now: { clock.now })
        database.billingEnabled = billing
        let f = try Fixture(database: database)
        try f.database.createWorkspace(orgId: f.org.id!, key: "lab", name: "Lab", shared: true)
        let other = try f.database.access(orgKey: "other", userId: f.outsider.id!).org
        try f.database.createWorkspace(orgId: other.id!, key: "lab", name: "Their lab", shared: true)
        return f
    }

    func spend(_ f: Fixture, _ micros: Int64, key: String) throws {
        let event = UsageEventInput(
            org: "acme", at: Int64(clock.now.timeIntervalSince1970), workspace: "lab", kind: "llm_call", status: .success,
            provider: "openai", model: "gpt-4o", inputTokens: 1, outputTokens: 1, costMicros: micros, byok: false, idempotencyKey: key)
        #expect(try f.database.recordUsage([event]).imported == 1)
    }

    func told(_ f: Fixture, _ kind: NotificationKind) throws -> [Int64] {
        try f.database.read { db in
            try Int64.fetchAll(db, sql: "SELECT userId FROM notification WHERE kind = ? ORDER BY userId", arguments: [kind.rawValue])
        }
    }

    func setWarning(_ f: Fixture, _ typed: String) throws {
        let version = try f.database.creditWarning(orgId: f.org.id!).version
        try f.database.setCreditWarning(
            orgKey: "acme", typed: typed, currency: .eur, expectedVersion: version, by: Actor(user: f.owner, address: "t"))
    }

    @Test func crossingTheThresholdAndZeroEachTellOwnersAndAdminsOnce() throws {
        let f = try fixture()
        try setWarning(f, "5")
        try f.database.grantPromotionalCredits(orgId: f.org.id!, micros: 6_000_000, expiresAt: nil, reference: "t")
        try spend(f, 500_000, key: "a")  // 5.50: above
        #expect(try told(f, .creditsLow).isEmpty)
        try spend(f, 1_000_000, key: "b")  // 4.50: crossed
        #expect(try told(f, .creditsLow) == [f.owner.id!, f.admin.id!].sorted())
        #expect(try f.database.creditStatus(orgId: f.org.id!).alert == .low(thresholdMicros: 5_000_000))
        try spend(f, 1_000_000, key: "c")  // 3.50: still low, nobody told again
        #expect(try told(f, .creditsLow).count == 2)
        #expect(try told(f, .creditsExhausted).isEmpty)
        try spend(f, 4_000_000, key: "d")  // −0.50: exhausted
        #expect(try told(f, .creditsExhausted).count == 2)
        try spend(f, 1_000, key: "e")
        #expect(try told(f, .creditsExhausted).count == 2, "once, not on every debit below zero")
        #expect(try told(f, .creditsLow).count == 2)
        // Locked payment kinds: also emailed, whatever the person chose.
        let mails = try f.database.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE subject LIKE '%AI credits%'")!
        }
        #expect(mails == 4)
        #expect(NotificationKind.creditsLow.locked && NotificationKind.creditsExhausted.spec.group == .payment)
    }

    @Test func crossingBothAtOnceSaysOnlyExhausted() throws {
        let f = try fixture()
        try setWarning(f, "5")
        try f.database.grantPromotionalCredits(orgId: f.org.id!, micros: 6_000_000, expiresAt: nil, reference: "t")
        try spend(f, 7_000_000, key: "a")
        #expect(try told(f, .creditsLow).isEmpty && told(f, .creditsExhausted).count == 2)
    }

    @Test func thePaidAIEntitlementSaysTheTrueCause() throws {
        let f = try fixture()
        let id = f.org.id!
        let none = try f.database.entitlement(orgId: id, for: .paidAI)
        #expect(!none.allowed && none.code == "credits_exhausted" && none.reason!.contains("has no AI credits"))
        #expect(none.reason!.contains("own provider keys still work") && !none.reason!.contains("credit limit"))
        try f.database.grantPromotionalCredits(orgId: id, micros: 1_000, expiresAt: nil, reference: "t")
        #expect(try f.database.entitlement(orgId: id, for: .paidAI) == Entitlement(allowed: true))
        #expect(try f.database.entitlements(orgId: id, saas: true).usePaidAI.allowed)
        try spend(f, 1_000, key: "a")
        let used = try f.database.entitlement(orgId: id, for: .paidAI)
        #expect(!used.allowed && used.code == "credits_exhausted" && used.reason!.contains("used up"))
        #expect(try f.database.entitlements(orgId: id, saas: true).usePaidAI == used)
        #expect(try f.database.entitlements(orgId: id, saas: false).usePaidAI.allowed, "enterprise: no credits involved")
        try f.database.writer.write { db in
            try db.execute(sql: "UPDATE organization SET purgeAt = ? WHERE id = ?", arguments: [clock.now.addingTimeInterval(86_400), id])
        }
        #expect(try f.database.entitlement(orgId: id, for: .paidAI).code == "pending_deletion")
        #expect(try fixture(billing: false).database.entitlement(orgId: id, for: .paidAI).allowed)
    }

    @Test(arguments: [
        ("-1", "zero or more"), ("ten", "such as 10"), ("1.234", "at most 2 decimals"), ("99999999999", "at most"),
        ("1e3", "such as 10"), ("", "such as 10"), (".", "such as 10"), ("1..2", "such as 10"), ("\u{7}5", "such as 10"),
    ])
    func aBadThresholdIsRefusedAndChangesNothing(typed: String, message: String) throws {
        let f = try fixture()
        do {
            try setWarning(f, typed)
            Issue.record("accepted “\(typed)”")
        } catch DomainError.invalid(let errors) {
            #expect(errors.messages(for: "threshold").first?.contains(message) == true, "\(errors.byField)")
        }
        #expect(try f.database.creditWarning(orgId: f.org.id!) == CreditWarningSetting(thresholdMicros: 0, version: 0))
    }

    @Test func theThresholdIsReadInTheCurrencyVersionCheckedAuditedAndOwnersOnly() throws {
        let f = try fixture()
        #expect(try CreditAmountText.micros("€1,250.5", currency: .eur).get() == 1_250_500_000)
        #expect(try CreditAmountText.micros("12 EUR", currency: .eur).get() == 12_000_000)
        #expect(throws: CreditAmountText.AmountProblem.tooManyDecimals(0)) {
            try CreditAmountText.micros("1.5", currency: Currency.named("JPY")!).get()
        }
        try setWarning(f, "12.50")
        #expect(try f.database.creditWarning(orgId: f.org.id!) == CreditWarningSetting(thresholdMicros: 12_500_000, version: 1))
        #expect(throws: DomainError.staleVersion) {
            try f.database.setCreditWarning(
                orgKey: "acme", typed: "3", currency: .eur, expectedVersion: 0, by: Actor(user: f.owner, address: "t"))
        }
        #expect(throws: DomainError.forbidden(.manageBilling)) {
            try f.database.setCreditWarning(
                orgKey: "acme", typed: "3", currency: .eur, expectedVersion: 1, by: Actor(user: f.admin, address: "t"))
        }
        let audit = try f.database.read { db in
            try Row.fetchAll(db, sql: "SELECT action, summary FROM auditEvent WHERE action = 'billing.creditWarning'")
        }
        #expect(audit.count == 1 && (audit[0][1] as String) == "credit warning off → €12.50 EUR")
    }

    @Test func runDueWritesOffExpiredLotsAndNothingInEnterpriseMode() throws {
        let f = try fixture()
        try f.database.grantPromotionalCredits(
            orgId: f.org.id!, micros: 3_000_000, expiresAt: clock.now.addingTimeInterval(86_400), reference: "t")
        #expect(try f.database.runDueBillingJobs().done[.creditExpiry] == 0)
        #expect(try f.database.runDueBillingJobs(at: clock.now.addingTimeInterval(2 * 86_400)).done[.creditExpiry] == 1)
        #expect(try f.database.creditBalance(orgId: f.org.id!).balanceMicros == 0)
        var off = f.database
        off.billingEnabled = false
        #expect(try off.runDueBillingJobs(at: clock.now.addingTimeInterval(9 * 86_400)).done.isEmpty)
    }

    /// The invariant (balance = Σ lots remaining − owed = Σ ledger) after real imports with
    /// duplicates, BYOK and two organizations, interleaved with purchases, promotions and expiry.
    @Test(arguments: 1...6) func theInvariantHoldsAcrossImports(seed: UInt64) throws {
        let f = try fixture()
        let other = try f.database.access(orgKey: "other", userId: f.outsider.id!).org.id!
        var random = SplitMix(seed: seed)
        for step in 0..<25 {
            let org = random.next() % 2 == 0 ? f.org.id! : other
            switch random.next() % 4 {
            case 0:
                try f.database.seedCreditLot(
                    orgId: org, kind: .purchase, micros: Int64(random.next() % 3_000_000) + 1, reference: "p", at: clock.now)
            case 1:
                try f.database.grantPromotionalCredits(
                    orgId: org, micros: Int64(random.next() % 1_000_000) + 1,
                    expiresAt: clock.now.addingTimeInterval(Double(random.next() % 4) * 86_400), reference: "g")
            case 2:
                let events = (0..<40).map { i in
                    UsageEventInput(
                        org: random.next() % 2 == 0 ? "acme" : "other", at: Int64(clock.now.timeIntervalSince1970) - Int64(i) * 3_600,
                        workspace: "lab", kind: "llm_call", status: .success, provider: "openai", model: "gpt-4o", inputTokens: 1,
                        outputTokens: 1, costMicros: Int64(random.next() % 200_000), byok: random.next() % 4 == 0,
                        idempotencyKey: "k\(random.next() % 300)")
                }
                _ = try f.database.recordUsage(events)
            default:
                clock.advance(Double(random.next() % 3) * 86_400)
                try f.database.runDueBillingJobs()
            }
            for id in [f.org.id!, other] {
                let (a, b, c) = try f.database.read { db in
                    let account = try AppDatabase.creditBalance(db, orgId: id)
                    let lots = try Int64.fetchOne(
                        db, sql: "SELECT coalesce(sum(remainingMicros), 0) FROM creditLot WHERE orgId = ?", arguments: [id])!
                    let ledger = try Int64.fetchOne(
                        db, sql: "SELECT coalesce(sum(amountMicros), 0) FROM creditLedger WHERE orgId = ?", arguments: [id])!
                    return (account.balanceMicros, lots - account.owedMicros, ledger)
                }
                #expect(a == b && b == c, "seed \(seed), step \(step)")
            }
        }
        // And every non-BYOK cost recorded is in the ledger, exactly.
        let (spent, debited) = try f.database.read { db in
            (
                try Int64.fetchOne(db, sql: "SELECT coalesce(sum(costMicros), 0) FROM usageEvent WHERE byok = 0")!,
                try Int64.fetchOne(db, sql: "SELECT coalesce(-sum(amountMicros), 0) FROM creditLedger WHERE kind = 'usage'")!
            )
        }
        #expect(spent == debited)
    }
}
