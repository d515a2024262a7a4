import Foundation
import GRDB

/// The shipped gateway: a card processor's test mode, in process, with its well-known numbers.
/// It keeps its cards and charges in its own tables (`testGatewayCard`, `testGatewayCharge`), in
/// its own transactions — as a remote processor would keep them on its side —, so an idempotency
/// key answers the same result in every responder process of the data directory.
///
/// | number | outcome |
/// |---|---|
/// | 4242 4242 4242 4242, 5555 5555 5555 4444 | succeeds |
/// | 4000 0000 0000 0002 | saved; charges declined (`card_declined`) |
/// | 4000 0000 0000 9995 | saved; charges declined (`insufficient_funds`) |
/// | 4000 0025 0000 3155 | saved; charges need the challenge page (off-session: `authentication_required`) |
/// | 4000 0000 0000 0119 | saved; charges fail with `processing_error` (retryable) |
/// | 4000 0000 0000 0069 | refused when saved (`expired_card`) |
/// | 4000 0000 0000 0127 | refused when saved (`incorrect_cvc`) |
/// | 4000 0000 0000 0341 | saved; every charge declined |
public struct TestModeGateway: PaymentGateway {
    let database: AppDatabase
    public var isTestMode: Bool { true }
    public var timeout: TimeInterval { 10 }

    public init(database: AppDatabase) { self.database = database }

    enum Outcome: String {
        case succeed, decline, insufficientFunds = "insufficient-funds", authenticate, processingError = "processing-error"
    }

    static let cards: [String: Outcome] = [
        "4242424242424242": .succeed, "5555555555554444": .succeed, "4000000000000002": .decline,
        "4000000000009995": .insufficientFunds, "4000002500003155": .authenticate, "4000000000000119": .processingError,
        "4000000000000341": .decline,
    ]

    public func tokenize(_ card: CardDetails) throws -> SavedCard {
        switch card.number {
        case "4000000000000069": throw PaymentGatewayError.cardRefused(.expiredCard)
        case "4000000000000127": throw PaymentGatewayError.cardRefused(.incorrectCVC)
        default: break
        }
        guard let outcome = Self.cards[card.number] else { throw PaymentGatewayError.cardRefused(.unknownCard) }
        let token = "tok_test_" + Crypto.randomToken().prefix(24)
        try database.writer.write { db in
            try db.execute(
                sql: "INSERT INTO testGatewayCard (token, outcome, createdAt) VALUES (?, ?, ?)",
                arguments: [token, outcome.rawValue, database.now()])
        }
        return SavedCard(
            token: token, brand: CardRules.brand(card.number), lastFour: String(card.number.suffix(4)),
            expiryMonth: card.expiryMonth, expiryYear: card.expiryYear)
    }

    public func charge(_ request: ChargeRequest) throws -> ChargeOutcome {
        try database.writer.write { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT token, amountMinor, currency FROM testGatewayCharge WHERE idempotencyKey = ?",
                arguments: [request.idempotencyKey])
            {
                guard row[0] == request.cardToken, row[1] == request.amountMinor, row[2] == request.currency else {
                    throw PaymentGatewayError.idempotencyMismatch
                }
                return try Self.outcome(db, key: request.idempotencyKey)
            }
            let card = try String.fetchOne(db, sql: "SELECT outcome FROM testGatewayCard WHERE token = ?", arguments: [request.cardToken])
            let (status, code, challenge): (String, DeclineCode?, String?) =
                switch card.flatMap(Outcome.init(rawValue:)) {
                case .succeed: ("succeeded", nil, nil)
                case .decline: ("declined", .cardDeclined, nil)
                case .insufficientFunds: ("declined", .insufficientFunds, nil)
                case .processingError: ("declined", .processingError, nil)
                case .authenticate:
                    request.customerPresent
                        ? ("authenticating", nil, "ch_" + Crypto.randomToken().prefix(24)) : ("declined", .authenticationRequired, nil)
                case nil: ("declined", .cardDeclined, nil)
                }
            try db.execute(
                sql: """
                    INSERT INTO testGatewayCharge (id, idempotencyKey, token, amountMinor, currency, status, declineCode, challengeId,
                        returnPath, createdAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    "py_" + Crypto.randomToken().prefix(24), request.idempotencyKey, request.cardToken, request.amountMinor,
                    request.currency, status, code?.rawValue, challenge, request.returnPath, database.now(),
                ])
            return try Self.outcome(db, key: request.idempotencyKey)
        }
    }

    public func confirmAuthentication(chargeId: String) throws -> ChargeOutcome {
        try database.writer.read { db in
            guard let key = try String.fetchOne(db, sql: "SELECT idempotencyKey FROM testGatewayCharge WHERE id = ?", arguments: [chargeId])
            else { throw PaymentGatewayError.unknownCharge }
            return try Self.outcome(db, key: key)
        }
    }

    public func refund(chargeId: String, amountMinor: Int64, idempotencyKey: String) throws -> String {
        try database.writer.write { db in
            try db.execute(
                sql: """
                    UPDATE testGatewayCharge SET status = 'refunded', refundedMinor = ?
                    WHERE id = ? AND status = 'succeeded' AND amountMinor >= ?
                    """, arguments: [amountMinor, chargeId, amountMinor])
            if db.changesCount == 0 {
                // Refunded already (the same key again) is fine; anything else is not a refundable charge.
                let status = try String.fetchOne(db, sql: "SELECT status FROM testGatewayCharge WHERE id = ?", arguments: [chargeId])
                guard status == "refunded" else { throw PaymentGatewayError.unknownCharge }
            }
            return "re_" + chargeId.dropFirst(3)
        }
    }

    private static func outcome(_ db: Database, key: String) throws -> ChargeOutcome {
        let row = try Row.fetchOne(
            db, sql: "SELECT id, status, declineCode, challengeId FROM testGatewayCharge WHERE idempotencyKey = ?", arguments: [key])!
        switch row[1] as String {
        case "succeeded", "refunded": return .succeeded(chargeId: row[0])
        case "authenticating": return .requiresAuthentication(chargeId: row[0], challengeId: row[3])
        default: return .declined(DeclineCode(rawValue: row[2] ?? "") ?? .cardDeclined)
        }
    }
}

/// The test gateway's challenge page (`/test-gateway/challenge/{id}`): what it shows, and the
/// person's answer.
public struct TestChallenge: Sendable, Equatable {
    public var id: String
    public var amountMinor: Int64
    public var currency: String
    public var returnPath: String
    /// Still waiting for Complete or Fail.
    public var isOpen: Bool
}

extension TestModeGateway {
    public func challenge(_ id: String) throws -> TestChallenge? {
        try database.reader.read { db in
            try Row.fetchOne(
                db, sql: "SELECT amountMinor, currency, returnPath, status FROM testGatewayCharge WHERE challengeId = ?", arguments: [id]
            ).map { TestChallenge(id: id, amountMinor: $0[0], currency: $0[1], returnPath: $0[2], isOpen: $0[3] == "authenticating") }
        }
    }

    /// Complete (`passed`) or Fail: decided once; a second answer changes nothing.
    public func answerChallenge(_ id: String, passed: Bool) throws {
        try database.writer.write { db in
            try db.execute(
                sql: """
                    UPDATE testGatewayCharge SET status = ?, declineCode = ? WHERE challengeId = ? AND status = 'authenticating'
                    """,
                arguments: [passed ? "succeeded" : "declined", passed ? nil : DeclineCode.authenticationFailed.rawValue, id])
        }
    }
}
