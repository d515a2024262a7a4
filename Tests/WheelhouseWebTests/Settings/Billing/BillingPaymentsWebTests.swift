import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// Payment method, Buy credits, invoices and the test gateway's challenge, through the web app.
@Suite("Billing: payments") struct BillingPaymentsWebTests {
    let base = BillingWebSupport.base

    /// What a refused card or details form must leave untouched.
    func state(_ t: TestApp) throws -> [Int] {
        try t.database.read { db in
            try ["paymentMethod", "billingDetails", "payment", "invoice", "auditEvent", "testGatewayCard", "creditLedger"].map {
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)")!
            }
        }
    }

    static let goodCard = [
        ("version", "0"), ("number", "4242 4242 4242 4242"), ("expiry_month", "12"), ("expiry_year", "2040"), ("cvc", "123"),
        ("holder", "Olga Owner"), ("card_country", "DE"),
    ]

    static func card(_ changes: [(String, String)]) -> [(String, String)] {
        goodCard.map { field in changes.first { $0.0 == field.0 } ?? field }
    }

    @Test(arguments: [
        ("number", "4242 4242 4242 4241", "not a valid card number"), ("number", "", "Enter the card number"),
        ("number", "4242abcd42424242", "not a valid card number"), ("expiry_year", "2020", "expired"),
        ("expiry_month", "13", "1 to 12"), ("cvc", "12", "security code"), ("cvc", "12345", "security code"),
        ("holder", "", "required"), ("holder", "A\u{7}B", "control characters"), ("card_country", "XX", "billing country"),
        ("number", "4000 0000 0000 0069", "expired"), ("number", "4000 0000 0000 0127", "incorrect"),
        ("number", "4111 1111 1111 1111", "test card number"),
    ])
    func aBadCardChangesNothing(_ field: String, _ value: String, _ message: String) throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let csrf = owner.get(base + "/payment-method").csrf
        let before = try state(t)
        let response = owner.post(base + "/payment-method/card", [("_csrf", csrf)] + Self.card([(field, value)]))
        #expect(response.status == 422)
        #expect(response.contains(message), "\(field)=\(value)")
        #expect(!response.contains("4242 4242 4242 4241") && !response.contains("value=\"123\""))
        #expect(try state(t) == before)
    }

    @Test func aCardIsSavedAsBrandLastFourAndExpiryOnly() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let response = owner.post(base + "/payment-method/card", [("_csrf", owner.get(base + "/payment-method").csrf)] + Self.goodCard)
        #expect(response.status == 303)
        let page = owner.get(base + "/payment-method")
        #expect(page.contains("Visa ending in 4242, expires 12/2040") && page.contains("Test mode"))
        // Stale: the form still says version 0.
        let stale = owner.post(base + "/payment-method/card", [("_csrf", page.csrf)] + Self.goodCard)
        #expect(stale.status == 409)
    }

    @Test(arguments: [
        ("vat_id", "DE12345", "starts with DE"), ("vat_id", "FR12345678901", "starts with DE"), ("legal_name", "", "required"),
        ("billing_email", "nope", "email address"), ("country", "ZZ", "Choose the country"), ("address", "", "required"),
    ])
    func badBillingDetailsChangeNothing(_ field: String, _ value: String, _ message: String) throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let csrf = owner.get(base + "/payment-method").csrf
        let before = try state(t)
        let good = [
            ("version", "0"), ("legal_name", "Acme GmbH"), ("address", "Hauptstraße 5"), ("country", "DE"),
            ("billing_email", "b@acme.test"),
            ("vat_id", "DE123456789"),
        ]
        let response = owner.post(base + "/payment-method/details", [("_csrf", csrf)] + good.map { $0.0 == field ? (field, value) : $0 })
        #expect(response.status == 422 && response.contains(message), "\(field)")
        #expect(try state(t) == before)
        #expect(owner.post(base + "/payment-method/details", [("_csrf", csrf)] + good).status == 303)
    }

    @Test func buyingTenWithTheSuccessCardAddsCreditsAndAnInvoiceWithItsPDF() throws {
        let t = try TestApp()
        try BillingWebSupport.prepare(t)
        let owner = try t.client(signedInAs: "owner@acme.test")
        let confirm = owner.get(base + "/credits/buy?amount=10")
        #expect(confirm.status == 200 && confirm.contains("€11.90 EUR") && confirm.contains("VAT 19 %"))
        let fields = BillingWebSupport.confirmationFields(owner, amount: "10")
        let response = owner.post(base + "/credits/buy", fields)
        #expect(response.status == 303 && response.location?.hasPrefix(base + "/payments/") == true)
        // The request only queued the charge: the page says so and reloads itself.
        let processing = owner.get(response.location!)
        #expect(processing.contains("being processed") && processing.contains("http-equiv=\"refresh\""))
        #expect(try BillingWebSupport.balance(t) == 0)
        try BillingWebSupport.runPaymentWorker(t)
        // A double submit of the same form charges once.
        #expect(owner.post(base + "/credits/buy", fields).status == 303)
        try BillingWebSupport.runPaymentWorker(t)
        #expect(try BillingWebSupport.balance(t) == 10_000_000)
        let payment = owner.get(response.location!)
        #expect(payment.contains("€10.00 EUR of credits were added") && payment.contains("INV-000001"))
        let invoiceId = try t.database.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM invoice")! }
        #expect(owner.get(base + "/invoices").contains("INV-000001"))
        #expect(owner.get(base + "/invoices/\(invoiceId)").contains("€11.90 EUR"))
        let pdf = owner.get(base + "/invoices/\(invoiceId)/pdf")
        #expect(pdf.status == 200 && pdf.raw.body.starts(with: Array("%PDF".utf8)))
        // Another organization's Owner: 404 for the page and the PDF.
        let outsider = try t.client(signedInAs: "out@other.test")
        #expect(outsider.get("/orgs/other/settings/billing/invoices/\(invoiceId)").status == 404)
        #expect(outsider.get("/orgs/other/settings/billing/invoices/\(invoiceId)/pdf").status == 404)
        #expect(outsider.get("/orgs/other/settings/billing/payments/1").status == 404)
    }

    @Test(arguments: ["4", "5000.01", "abc", "10.001", "-5", ""])
    func aCustomAmountOutOfBoundsChangesNothing(_ amount: String) throws {
        let t = try TestApp()
        try BillingWebSupport.prepare(t)
        let owner = try t.client(signedInAs: "owner@acme.test")
        let before = try state(t)
        #expect(owner.get(base + "/credits/buy?amount=\(amount)").status == 422)
        let minor = CreditPackages.parse(amount, currency: .eur).map(String.init) ?? amount
        let csrf = owner.get(base + "/credits/buy").csrf
        let response = owner.post(base + "/credits/buy", [("_csrf", csrf), ("amount", minor), ("key", "k0123456789abcdefghij")])
        #expect(response.status == 422)
        #expect(try state(t) == before)
    }

    @Test func aDeclinedCardShowsTheReasonAndAddsNothing() throws {
        let t = try TestApp()
        try BillingWebSupport.prepare(t, card: "4000000000009995")
        let owner = try t.client(signedInAs: "owner@acme.test")
        let response = owner.post(base + "/credits/buy", BillingWebSupport.confirmationFields(owner, amount: "25"))
        #expect(response.status == 303)
        try BillingWebSupport.runPaymentWorker(t)
        #expect(owner.get(response.location!).contains("insufficient funds"))
        #expect(try BillingWebSupport.balance(t) == 0)
        #expect(owner.get(base + "/invoices").contains("No invoices yet"))
    }

    @Test(arguments: [true, false])
    func theAuthenticationCardGoesThroughItsChallenge(_ complete: Bool) throws {
        let t = try TestApp()
        try BillingWebSupport.prepare(t, card: "4000002500003155")
        let owner = try t.client(signedInAs: "owner@acme.test")
        let bought = owner.post(base + "/credits/buy", BillingWebSupport.confirmationFields(owner, amount: "10"))
        try BillingWebSupport.runPaymentWorker(t)
        // The payment's page sends the person on to the bank's challenge.
        let response = owner.get(bought.location!)
        #expect(response.status == 303 && response.location?.hasPrefix("/test-gateway/challenge/") == true)
        let challenge = owner.get(response.location!)
        #expect(challenge.contains("Complete") && challenge.contains("€11.90 EUR"))
        let back = owner.post(response.location!, [("_csrf", challenge.csrf), ("action", complete ? "complete" : "fail")])
        #expect(back.status == 303 && back.location?.hasPrefix(base + "/payments/") == true)
        #expect(owner.get(back.location!).contains("Waiting for the bank"))
        try BillingWebSupport.runPaymentWorker(t)
        let outcome = owner.get(back.location!)
        #expect(outcome.contains(complete ? "credits were added" : "authentication was not completed"))
        #expect(try BillingWebSupport.balance(t) == (complete ? 10_000_000 : 0))
        #expect(owner.post(response.location!, [("action", "complete")]).status == 403)  // no CSRF
        #expect(t.client().get(response.location!).status == 303)  // signed out: sign in first
    }

    @Test func adminsReadAndCannotPostMissingCSRFIsRefused() throws {
        let t = try TestApp()
        try BillingWebSupport.prepare(t)
        let admin = try t.client(signedInAs: "admin@acme.test")
        let page = admin.get(base + "/payment-method")
        #expect(page.status == 200 && page.contains("Only an Owner") && !page.contains("name=\"number\""))
        let before = try state(t)
        #expect(admin.post(base + "/payment-method/card", [("_csrf", page.csrf)] + Self.goodCard).status == 403)
        #expect(admin.post(base + "/credits/buy", BillingWebSupport.confirmationFields(admin, amount: "10")).status == 403)
        let owner = try t.client(signedInAs: "owner@acme.test")
        #expect(owner.post(base + "/payment-method/card", Self.goodCard).status == 403)
        #expect(owner.post(base + "/credits/buy", [("amount", "1000"), ("key", "k0123456789abcdefghij")]).status == 403)
        #expect(try state(t) == before)
    }

    @Test func enterpriseModeAnswersTheNoticeOnEveryBillingRoute() throws {
        let t = try TestApp(mode: .enterprise)
        let owner = try t.client(signedInAs: "owner@acme.test")
        let csrf = owner.get("/orgs/acme/settings/general").csrf
        let before = try state(t)
        for route in BillingRoute.examples {
            let path = Route.org("acme", .billing(route)).path
            let response = route.method == .get ? owner.get(path) : owner.post(path, [("_csrf", csrf)] + Self.goodCard)
            #expect(response.status == 200 && response.contains("enterprise agreement"), "\(path)")
        }
        #expect(try state(t) == before)
    }
}
