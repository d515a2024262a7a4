import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("Billing: auto-refill page") struct AutoRefillWebTests {
    let path = BillingWebSupport.base + "/auto-refill"

    func settings(_ t: TestApp) throws -> Int {
        try t.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM autoRefill")! + Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auditEvent")!
        }
    }

    @Test(arguments: [
        ("10", "10", "200", "above the threshold"), ("50", "10", "200", "above the threshold"), ("10", "50", "30", "below one refill"),
        ("0", "50", "200", "above zero"), ("ten", "50", "200", "above zero"), ("10", "6000", "9000", "at most"),
        ("10", "50", "", "above zero"),
    ])
    func badSettingsChangeNothing(_ threshold: String, _ target: String, _ cap: String, _ message: String) throws {
        let t = try TestApp()
        try BillingWebSupport.prepare(t)
        let owner = try t.client(signedInAs: "owner@acme.test")
        let csrf = owner.get(path).csrf
        let before = try settings(t)
        let response = owner.post(
            path, [("_csrf", csrf), ("version", "0"), ("enabled", "on"), ("threshold", threshold), ("target", target), ("cap", cap)])
        #expect(response.status == 422 && response.contains(message), "\(threshold) \(target) \(cap)")
        #expect(try settings(t) == before)
    }

    @Test func switchingOnBelowTheThresholdAsksFirstThenRefillsAtOnce() throws {
        let t = try TestApp()
        try BillingWebSupport.prepare(t)
        let owner = try t.client(signedInAs: "owner@acme.test")
        let csrf = owner.get(path).csrf
        let fields = [("_csrf", csrf), ("version", "0"), ("enabled", "on"), ("threshold", "10"), ("target", "50"), ("cap", "200")]
        let before = try settings(t)
        let ask = owner.post(path, fields)
        #expect(ask.status == 200 && ask.contains("Switch on and refill now") && ask.contains("€50.00 EUR"))
        #expect(try settings(t) == before)
        let done = owner.post(path, fields + [("confirm", "1")])
        #expect(done.status == 303)
        let page = owner.get(path)
        #expect(page.contains("€50.00 of credits added now") || page.contains("added now"))
        #expect(page.contains("Next refill: when the balance falls below <strong>€10.00 EUR</strong>"))
        #expect(page.contains("€140.50 EUR</strong> of the €200.00 EUR cap left"))
        #expect(try BillingWebSupport.balance(t) == 50_000_000)
        // Stale: the form still carries version 0.
        #expect(owner.post(path, fields + [("confirm", "1")]).status == 409)
    }

    @Test func switchingOnNeedsACardAndAdminsOnlyRead() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let csrf = owner.get(path).csrf
        let fields = [
            ("_csrf", csrf), ("version", "0"), ("enabled", "on"), ("threshold", "10"), ("target", "50"), ("cap", "200"), ("confirm", "1"),
        ]
        let before = try settings(t)
        let refused = owner.post(path, fields)
        #expect(refused.status == 422 && refused.contains("Save a card"))
        let admin = try t.client(signedInAs: "admin@acme.test")
        let page = admin.get(path)
        #expect(page.status == 200 && page.contains("Only an Owner can change auto-refill"))
        #expect(admin.post(path, [("_csrf", page.csrf)] + fields.dropFirst()).status == 403)
        #expect(try settings(t) == before)
    }
}
