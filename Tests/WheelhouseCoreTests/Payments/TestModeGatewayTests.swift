import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

@Suite("Test-mode gateway") struct TestModeGatewayTests {
    func card(_ number: String) -> CardDetails {
        CardDetails(number: number, expiryMonth: 1, expiryYear: 2041, cvc: "321", holderName: "T", country: "DE")
    }

    func charge(_ gateway: TestModeGateway, _ token: String, key: String = key(), present: Bool = true) throws -> ChargeOutcome {
        try gateway.charge(
            ChargeRequest(
                cardToken: token, amountMinor: 1_190, currency: "EUR", idempotencyKey: key, description: "t",
                customerPresent: present, returnPath: "/x"))
    }

    @Test(
        arguments: [
            ("4242424242424242", nil), ("4000000000000002", DeclineCode.cardDeclined), ("4000000000009995", .insufficientFunds),
            ("4000000000000119", .processingError), ("4000000000000341", .cardDeclined),
        ] as [(String, DeclineCode?)])
    func eachTestNumberChargesAsDocumented(_ number: String, _ expected: DeclineCode?) throws {
        let world = try BillingWorld(card: nil)
        let gateway = TestModeGateway(database: world.database)
        let saved = try gateway.tokenize(card(number))
        #expect(saved.lastFour == String(number.suffix(4)))
        let outcome = try charge(gateway, saved.token)
        if let expected {
            #expect(outcome == .declined(expected))
        } else {
            guard case .succeeded = outcome else { Issue.record("\(outcome)"); return }
        }
        #expect(expected?.isRetryable ?? false == (number == "4000000000000119"))
    }

    @Test func expiredAndWrongCVCCardsAreRefusedWhenSaved() throws {
        let gateway = TestModeGateway(database: try BillingWorld(card: nil).database)
        #expect(throws: PaymentGatewayError.cardRefused(.expiredCard)) { try gateway.tokenize(card("4000000000000069")) }
        #expect(throws: PaymentGatewayError.cardRefused(.incorrectCVC)) { try gateway.tokenize(card("4000000000000127")) }
        #expect(throws: PaymentGatewayError.cardRefused(.unknownCard)) { try gateway.tokenize(card("4111111111111111")) }
    }

    @Test func theAuthenticationCardWaitsForItsChallenge() throws {
        let gateway = TestModeGateway(database: try BillingWorld(card: nil).database)
        let token = try gateway.tokenize(card("4000002500003155")).token
        guard case .requiresAuthentication(let chargeId, let challengeId) = try charge(gateway, token) else {
            Issue.record("no challenge"); return
        }
        #expect(try gateway.challenge(challengeId)?.isOpen == true)
        try gateway.answerChallenge(challengeId, passed: true)
        #expect(try gateway.confirmAuthentication(chargeId: chargeId) == .succeeded(chargeId: chargeId))
        try gateway.answerChallenge(challengeId, passed: false)  // decided once
        #expect(try gateway.confirmAuthentication(chargeId: chargeId) == .succeeded(chargeId: chargeId))
        // Nobody present (auto-refill): no challenge, a decline that says why.
        #expect(try charge(gateway, token, present: false) == .declined(.authenticationRequired))
    }

    @Test func theSameKeyAnswersTheSameResultAndChargesOnceAcrossInstances() throws {
        let world = try BillingWorld(card: nil)
        let gateway = TestModeGateway(database: world.database)
        let other = TestModeGateway(database: try world.secondInstance())
        let token = try gateway.tokenize(card("4242424242424242")).token
        let k = key()
        let first = try charge(gateway, token, key: k)
        #expect(try charge(other, token, key: k) == first)
        #expect(try world.count("SELECT COUNT(*) FROM testGatewayCharge") == 1)
        #expect(throws: PaymentGatewayError.idempotencyMismatch) {
            try other.charge(
                ChargeRequest(
                    cardToken: token, amountMinor: 999, currency: "EUR", idempotencyKey: k, description: "t",
                    customerPresent: true, returnPath: ""))
        }
        guard case .succeeded(let chargeId) = first else { Issue.record("\(first)"); return }
        _ = try gateway.refund(chargeId: chargeId, amountMinor: 1_190, idempotencyKey: k + "r")
        #expect(try world.count("SELECT COUNT(*) FROM testGatewayCharge WHERE status = 'refunded'") == 1)
    }

    @Test func cardRulesCheckLuhnExpiryAndCVC() {
        let now = Date(timeIntervalSince1970: 1_790_000_000)  // September 2026
        #expect(CardRules.passesLuhn("4242424242424242"))
        #expect(!CardRules.passesLuhn("4242424242424241"))
        let (ok, none) = CardRules.check(
            number: "4242 4242 4242 4242", month: "9", year: "26", cvc: "123", holder: "A", country: "DE", now: now)
        #expect(ok?.number == "4242424242424242" && none.isEmpty)
        let (_, past) = CardRules.check(
            number: "4242424242424242", month: "8", year: "2026", cvc: "12", holder: "", country: "XX", now: now)
        #expect(!past.messages(for: "expiry_year").isEmpty && !past.messages(for: "cvc").isEmpty)
        #expect(!past.messages(for: "holder").isEmpty && !past.messages(for: "card_country").isEmpty)
    }

    /// The number and CVC reach no database byte: only the token, brand, last four and expiry.
    @Test func tokenizeNeverStoresTheNumberOrCVC() throws {
        let world = try BillingWorld(card: nil)
        let number = "4000002500003155"
        let saved = try world.setup().gateway.tokenize(
            CardDetails(number: number, expiryMonth: 7, expiryYear: 2039, cvc: "9876", holderName: "N", country: "DE"))
        try world.database.saveCard(orgKey: "acme", saved, expectedVersion: 0, by: world.owner)
        try world.database.writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: world.path))
        if let wal = try? Data(contentsOf: URL(fileURLWithPath: world.path + "-wal")) { bytes.append(wal) }
        #expect(bytes.range(of: Data(number.utf8)) == nil)
        #expect(bytes.range(of: Data("4000 0025 0000 3155".utf8)) == nil)
        #expect(bytes.range(of: Data("9876".utf8)) == nil)
        #expect(
            !"\(CardDetails(number: number, expiryMonth: 1, expiryYear: 2040, cvc: "9876", holderName: "", country: ""))".contains(number))
    }
}
