import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// A card's number and CVC appear in no page, header, log line, audit entry or database byte —
/// as the secrets' leak test checks for credentials.
@Suite("Card numbers never leave the card form") struct CardLeakTests {
    let number = "4000002500003155"
    let spaced = "4000 0025 0000 3155"
    let cvc = "7319"
    let refusedNumber = "4000 0025 0000 3156"  // fails Luhn: the form comes back, without it
    let refusedCVC = "8642"

    @Test func noPageNoLogLineNoAuditEntryAndNoDatabaseByteHoldsTheNumberOrCVC() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wh-card-leak-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = try AppDatabase.open(
            path: directory.appendingPathComponent("wheelhouse.sqlite").path, hasher: .fastForTests, readers: 2,
            masterKey: .key(.generate()))
        let log = CapturedLog()
        let t = try TestApp(database: database, logger: log.logger)
        let base = BillingWebSupport.base
        var bodies: [(String, TestResponse)] = []
        let owner = try t.client(signedInAs: "owner@acme.test")
        func card(_ number: String, _ cvc: String) -> [(String, String)] {
            [
                ("_csrf", owner.get(base + "/payment-method").csrf), ("version", "0"), ("number", number), ("expiry_month", "12"),
                ("expiry_year", "2040"), ("cvc", cvc), ("holder", "Olga Owner"), ("card_country", "DE"),
            ]
        }

        // Given: a refused card form, a saved card, details, and a purchase through the challenge.
        let refused = owner.post(base + "/payment-method/card", card(refusedNumber, refusedCVC))
        #expect(refused.status == 422)
        bodies.append(("422 card", refused))
        let saved = owner.post(base + "/payment-method/card", card(spaced, cvc))
        #expect(saved.status == 303)
        bodies.append(("303 card", saved))
        let details = owner.post(
            base + "/payment-method/details",
            [
                ("_csrf", owner.get(base + "/payment-method").csrf), ("version", "0"), ("legal_name", "Acme GmbH"), ("address", "Street 1"),
                ("country", "DE"), ("billing_email", "b@acme.test"), ("vat_id", ""),
            ])
        #expect(details.status == 303)
        let bought = owner.post(base + "/credits/buy", BillingWebSupport.confirmationFields(owner, amount: "10"))
        bodies.append(("processing", owner.get(bought.location ?? "/")))
        try BillingWebSupport.runPaymentWorker(t)
        let challengePath = owner.get(bought.location ?? "/").location ?? "/"
        let challenge = owner.get(challengePath)
        bodies.append(("challenge", challenge))
        let back = owner.post(challengePath, [("_csrf", challenge.csrf), ("action", "complete")])
        #expect(back.status == 303)
        bodies.append(("waiting", owner.get(back.location ?? "/")))
        try BillingWebSupport.runPaymentWorker(t)  // records the outcome: credits and the invoice
        bodies.append(("payment", owner.get(back.location ?? "/")))
        let invoiceId = try database.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM invoice")! }

        // When: every billing page, for the Owner and an Admin.
        for email in ["owner@acme.test", "admin@acme.test"] {
            let client = try t.client(signedInAs: email)
            for path in [
                "", "/payment-method", "/credits/buy", "/credits/buy?amount=10", "/payments/1", "/invoices", "/invoices/\(invoiceId)",
                "/invoices/\(invoiceId)/pdf", "/auto-refill",
            ] {
                let response = client.get(base + path)
                #expect(response.status == 200, "\(path)")
                bodies.append((path, response))
            }
        }

        // Then: in no page or header…
        let digits = [number, spaced, refusedNumber, String(number.dropFirst(4).prefix(8))]
        for (path, response) in bodies {
            let text = response.html + response.raw.headers.map { "\($0.0): \($0.1)" }.joined(separator: "\n")
            for secret in digits { #expect(!text.contains(secret), "\(path) shows a card number") }
            for secret in [cvc, refusedCVC] { #expect(!text.contains("\"\(secret)\""), "\(path) shows a CVC") }
        }
        // …in the log (which did record the requests)…
        let lines = log.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("POST /orgs/acme/settings/billing/payment-method/card 303") })
        for secret in digits + [cvc, refusedCVC] { #expect(!lines.contains { $0.contains(secret) }) }
        // …in the audit log (which did record the card)…
        let events = try database.auditEvents(orgId: t.org.id!)
        #expect(events.contains { $0.action == .billingCard && $0.summary.contains("•3155") })
        for event in events { for secret in digits + [cvc, refusedCVC] { #expect(!event.summary.contains(secret)) } }
        // …or in any byte of the database files, write-ahead log included.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.contains("wheelhouse.sqlite-wal"))
        for file in files {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
            for secret in digits + [cvc, refusedCVC] { #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) holds \(secret)") }
        }
    }
}
