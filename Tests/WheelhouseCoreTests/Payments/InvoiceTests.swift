import Foundation
import GRDB
import Synchronization
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

@Suite("Purchases and invoices") struct InvoiceTests {
    @Test func aPurchaseAddsCreditsAndIssuesInvoiceOneInOneTransaction() throws {
        let world = try BillingWorld()
        let k = key()
        let payment = try world.database.buyCreditsAndCharge(
            orgKey: "acme", creditsMinor: 1_000, idempotencyKey: k, setup: world.setup(), by: world.owner)
        #expect(payment.status == .succeeded && payment.invoiceNumber == 1)
        #expect(payment.vatMinor == 190 && payment.totalMinor == 1_190)
        #expect(try world.balance() == 10_000_000)
        // A double submit with the same key charges once and adds nothing more.
        let again = try world.database.buyCreditsAndCharge(
            orgKey: "acme", creditsMinor: 1_000, idempotencyKey: k, setup: world.setup(), by: world.owner)
        #expect(again.id == payment.id)
        #expect(try world.balance() == 10_000_000)
        #expect(try world.count("SELECT COUNT(*) FROM testGatewayCharge") == 1)
        #expect(try world.count("SELECT COUNT(*) FROM invoice") == 1)
    }

    @Test func aDeclinedPaymentAddsNothingAndTakesNoNumber() throws {
        let world = try BillingWorld(card: "4000000000009995")
        let payment = try world.database.buyCreditsAndCharge(
            orgKey: "acme", creditsMinor: 2_500, idempotencyKey: key(), setup: world.setup(), by: world.owner)
        #expect(payment.status == .failed && payment.failure == .insufficientFunds)
        #expect(try world.balance() == 0)
        #expect(try world.count("SELECT lastNumber FROM invoiceCounter") == 0)
        try world.save(card: "4242424242424242")
        let next = try world.database.buyCreditsAndCharge(
            orgKey: "acme", creditsMinor: 2_500, idempotencyKey: key(), setup: world.setup(), by: world.owner)
        #expect(next.invoiceNumber == 1)
    }

    @Test func authenticationFailedAddsNothingAndCompletedAddsOnce() throws {
        let world = try BillingWorld(card: "4000002500003155")
        let setup = world.setup()
        let gateway = setup.gateway as! TestModeGateway
        let first = try world.database.buyCreditsAndCharge(
            orgKey: "acme", creditsMinor: 1_000, idempotencyKey: key(), setup: setup, by: world.owner)
        #expect(first.status == .authenticating)
        try gateway.answerChallenge(first.challengeId!, passed: false)
        #expect(try world.database.afterPaymentWorker(orgId: world.orgId, paymentId: first.id, setup: setup).status == .failed)
        let second = try world.database.buyCreditsAndCharge(
            orgKey: "acme", creditsMinor: 1_000, idempotencyKey: key(), setup: setup, by: world.owner)
        try gateway.answerChallenge(second.challengeId!, passed: true)
        #expect(try world.database.afterPaymentWorker(orgId: world.orgId, paymentId: second.id, setup: setup).status == .succeeded)
        #expect(try world.database.afterPaymentWorker(orgId: world.orgId, paymentId: second.id, setup: setup).invoiceNumber == 1)
        #expect(try world.balance() == 10_000_000)
        #expect(try world.database.payment(orgId: 999, id: second.id) == nil)
    }

    /// Numbers 1…N, each once, whatever the interleaving: threads on one instance and a second
    /// instance (another process's) on the same file.
    @Test func invoiceNumbersAreGaplessUnderConcurrentCharges() throws {
        let world = try BillingWorld()
        let other = try world.secondInstance()
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 24) { i in
            let database = i % 2 == 0 ? world.database : other
            do {
                _ = try database.buyCreditsAndCharge(
                    orgKey: "acme", creditsMinor: 500 + Int64(i), idempotencyKey: key(), setup: world.setup(database),
                    by: world.owner)
            } catch { failures.withLock { $0 += 1 } }
        }
        #expect(failures.withLock { $0 } == 0)
        let numbers = try world.database.read { db in try Int64.fetchAll(db, sql: "SELECT number FROM invoice ORDER BY number") }
        #expect(numbers == Array(1...24))
        #expect(try world.count("SELECT lastNumber FROM invoiceCounter") == 24)
        // balance = Σ credits bought
        #expect(try world.balance() == (0..<24).reduce(Int64(0)) { $0 + (500 + Int64($1)) * 10_000 })
    }

    @Test(
        arguments: [
            ("DE", "", VATTreatment.Kind.standard, 1_900), ("FR", "", .standard, 2_000), ("FR", "FR12345678901", .reverseCharge, 0),
            ("DE", "DE987654321", .standard, 1_900), ("US", "", .outsideEU, 0), ("CH", "", .outsideEU, 0),
        ] as [(String, String, VATTreatment.Kind, Int)])
    func vatFollowsTheBuyer(_ country: String, _ vatId: String, _ kind: VATTreatment.Kind, _ rate: Int) throws {
        let world = try BillingWorld(country: country, vatId: vatId)
        let payment = try world.database.buyCreditsAndCharge(
            orgKey: "acme", creditsMinor: 10_000, idempotencyKey: key(), setup: world.setup(), by: world.owner)
        let invoice = try #require(try world.database.invoice(orgId: world.orgId, id: payment.invoiceId!))
        #expect(invoice.vat.kind == kind && invoice.vat.rateBasisPoints == rate)
        #expect(invoice.vatMinor == Int64(rate) && invoice.totalMinor == 10_000 + Int64(rate))
        #expect(try world.database.invoice(orgId: world.orgId + 1, id: payment.invoiceId!) == nil)
        if kind == .reverseCharge { #expect(invoice.vat.note.hasPrefix("Reverse charge")) }
    }

    @Test func vatIdsAreCheckedPerCountry() {
        #expect((try? Countries.normalizedVATId("de 123.456.789", country: "DE").get()) == "DE123456789")
        #expect((try? Countries.normalizedVATId("EL123456789", country: "GR").get()) == "EL123456789")
        #expect((try? Countries.normalizedVATId("DE12345678", country: "DE").get()) == nil)
        #expect((try? Countries.normalizedVATId("FR123", country: "FR").get()) == nil)
        #expect((try? Countries.normalizedVATId("GB123456789", country: "GB").get()) == nil)
        #expect((try? Countries.normalizedVATId("", country: "US").get()) == "")
    }

    /// The PDF read back by poppler's pdftotext: number, names in any script, lines and totals.
    @Test func thePDFReadsBackWithNumberLinesAndTotals() throws {
        let world = try BillingWorld(country: "FR", vatId: "FR12345678901")
        let payment = try world.database.buyCreditsAndCharge(
            orgKey: "acme", creditsMinor: 2_500, idempotencyKey: key(), setup: world.setup(), by: world.owner)
        let invoice = try #require(try world.database.invoice(orgId: world.orgId, id: payment.invoiceId!))
        let pdf = InvoicePDF.render(invoice, currency: .eur)
        #expect(pdf.starts(with: Array("%PDF-".utf8)))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("inv-\(UUID()).pdf")
        try Data(pdf).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
        process.arguments = ["-layout", file.path, "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for expected in [
            "INV-000001", "Acme Łódź Åberg GmbH", "AI credits", "€25.00 EUR", "Total", "Reverse charge", "FR12345678901",
            "DE123456789", "Wheelhouse Demo GmbH",
        ] {
            #expect(text.contains(expected), "\(expected) not in:\n\(text)")
        }
    }
}
