import Foundation

/// A card as typed into the payment-method form. It lives only for the `tokenize` call: the
/// console never stores, logs or renders `number` or `cvc` (`description` hides them).
public struct CardDetails: Sendable, CustomStringConvertible {
    public var number: String
    public var expiryMonth: Int
    public var expiryYear: Int
    public var cvc: String
    public var holderName: String
    public var country: String

    public init(number: String, expiryMonth: Int, expiryYear: Int, cvc: String, holderName: String, country: String) {
        (self.number, self.expiryMonth, self.expiryYear, self.cvc, self.holderName, self.country) = (
            number, expiryMonth, expiryYear, cvc, holderName, country
        )
    }

    /// Never the number or the CVC, so an accidental `"\(card)"` in a log line leaks nothing.
    public var description: String { "card ending \(String(number.suffix(4))) \(expiryMonth)/\(expiryYear)" }
}

/// What the console keeps of a card: the gateway's token and what a person needs to recognise it.
public struct SavedCard: Sendable, Equatable {
    public var token: String
    public var brand: String
    public var lastFour: String
    public var expiryMonth: Int
    public var expiryYear: Int

    public init(token: String, brand: String, lastFour: String, expiryMonth: Int, expiryYear: Int) {
        (self.token, self.brand, self.lastFour, self.expiryMonth, self.expiryYear) = (token, brand, lastFour, expiryMonth, expiryYear)
    }

    public var label: String { "\(brand) ending in \(lastFour), expires \(String(format: "%02d", expiryMonth))/\(expiryYear)" }
}

/// One charge asked of the gateway. The same `idempotencyKey` always answers the first result
/// and never charges twice; the same key with another amount or card is refused.
public struct ChargeRequest: Sendable, Equatable {
    public var cardToken: String
    public var amountMinor: Int64
    public var currency: String
    public var idempotencyKey: String
    public var description: String
    /// False for auto-refill: nobody is there to pass an authentication challenge.
    public var customerPresent: Bool
    /// Where the challenge page sends the person back to (a console path).
    public var returnPath: String

    public init(
        cardToken: String, amountMinor: Int64, currency: String, idempotencyKey: String, description: String,
        customerPresent: Bool, returnPath: String
    ) {
        (self.cardToken, self.amountMinor, self.currency, self.idempotencyKey) = (cardToken, amountMinor, currency, idempotencyKey)
        (self.description, self.customerPresent, self.returnPath) = (description, customerPresent, returnPath)
    }
}

/// Why a gateway refused a card or a charge, in the processor's usual codes.
public enum DeclineCode: String, Sendable, Equatable, CaseIterable {
    case cardDeclined = "card_declined"
    case insufficientFunds = "insufficient_funds"
    case expiredCard = "expired_card"
    case incorrectCVC = "incorrect_cvc"
    case processingError = "processing_error"
    case authenticationFailed = "authentication_failed"
    case authenticationRequired = "authentication_required"
    case unknownCard = "unknown_card"
    case timedOut = "timed_out"

    /// What the person reads: the cause, and what to do.
    public var message: String {
        switch self {
        case .cardDeclined: "The card was declined. Use another card or ask the bank why."
        case .insufficientFunds: "The card has insufficient funds. Use another card."
        case .expiredCard: "The card has expired. Use another card."
        case .incorrectCVC: "The security code (CVC) is incorrect."
        case .processingError: "The payment could not be processed. Nothing was charged; try again in a moment."
        case .authenticationFailed: "The bank's authentication was not completed. Nothing was charged."
        case .authenticationRequired: "The bank asks for authentication, which needs you present. Buy credits by hand once."
        case .unknownCard: "This is the test gateway: use a test card number such as 4242 4242 4242 4242."
        case .timedOut: "The payment gateway did not answer in time. Nothing was charged; try again."
        }
    }

    /// Worth trying again later with the same card (hard declines never are).
    public var isRetryable: Bool { self == .processingError || self == .timedOut }
}

/// What a charge came to.
public enum ChargeOutcome: Sendable, Equatable {
    case succeeded(chargeId: String)
    /// The bank wants the person to pass a challenge at `challengeId` before it decides.
    case requiresAuthentication(chargeId: String, challengeId: String)
    case declined(DeclineCode)
}

public enum PaymentGatewayError: Error, Equatable, Sendable {
    /// The card could not be saved (bad number, expired, wrong CVC …).
    case cardRefused(DeclineCode)
    /// The same idempotency key with other parameters.
    case idempotencyMismatch
    case unknownCharge
}

/// The payment processor the console talks to. The shipped implementation is
/// `TestModeGateway`; a live processor is one more conformance. Calls are synchronous and must
/// return within `timeout` seconds (a live implementation bounds its HTTP call by it and answers
/// `.declined(.timedOut)` past it), so a request thread never waits on the outside world unbounded.
/// No call is ever made inside a database write transaction.
public protocol PaymentGateway: Sendable {
    /// Shown on every billing page when true.
    var isTestMode: Bool { get }
    var timeout: TimeInterval { get }
    func tokenize(_ card: CardDetails) throws -> SavedCard
    func charge(_ request: ChargeRequest) throws -> ChargeOutcome
    /// After the challenge page: the charge's outcome now (still waiting, succeeded or declined).
    func confirmAuthentication(chargeId: String) throws -> ChargeOutcome
    /// Pays `amountMinor` of a succeeded charge back; returns the refund's id.
    func refund(chargeId: String, amountMinor: Int64, idempotencyKey: String) throws -> String
}
