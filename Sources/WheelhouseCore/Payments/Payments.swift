import Foundation
import GRDB

/// What billing needs of the deployment: who sells, in which currency, through which gateway.
public struct BillingSetup: Sendable {
    public var seller: Seller
    public var currency: Currency
    public var gateway: any PaymentGateway
    /// Wakes the payment worker when a request queued a charge.
    public let queued = PaymentSignal()

    public init(seller: Seller, currency: Currency, gateway: any PaymentGateway) {
        (self.seller, self.currency, self.gateway) = (seller, currency, gateway)
    }
}

public enum PaymentKind: String, Sendable {
    case purchase, refill
    /// A move to a higher plan: the prorated difference for the rest of the month (no credits).
    case upgrade
    /// A paid plan's price for a new month (`runDueRenewals`), and its retries when it failed.
    case renewal
}

public enum PaymentStatus: String, Sendable { case pending, authenticating, succeeded, failed }

/// One charge the console asked for, and where it stands.
public struct PaymentRecord: Sendable, Equatable {
    public var id: Int64
    public var orgId: Int64
    public var kind: PaymentKind
    public var creditsMinor: Int64
    public var vatMinor: Int64
    public var totalMinor: Int64
    public var status: PaymentStatus
    public var failure: DeclineCode?
    public var challengeId: String?
    public var invoiceId: Int64?
    public var invoiceNumber: Int64?
    public var createdAt: Date
}

/// The exact amounts of a purchase before it is confirmed: computed by the same code that
/// charges, so the confirmation step and the charge agree to the cent.
public struct PurchaseQuote: Sendable, Equatable {
    public var creditsMinor: Int64
    public var vat: VATTreatment
    public var vatMinor: Int64
    public var totalMinor: Int64
    public var card: SavedCard
}

extension AppDatabase {
    /// Refuses with a message on `field` what cannot be bought: an amount out of bounds, no card
    /// or no billing details yet.
    public func purchaseQuote(orgId: Int64, creditsMinor: Int64, seller: Seller) throws -> PurchaseQuote {
        try reader.read { db in try Self.quote(db, orgId: orgId, creditsMinor: creditsMinor, seller: seller, field: "amount") }
    }

    static func quote(_ db: Database, orgId: Int64, creditsMinor: Int64, seller: Seller, field: String) throws -> PurchaseQuote {
        guard CreditPackages.customRange.contains(creditsMinor) else {
            var errors = FieldErrors()
            errors.add(field, "Choose an amount from 5 to 5 000 (whole or with cents).")
            throw DomainError.invalid(errors)
        }
        return try chargeQuote(db, orgId: orgId, netMinor: creditsMinor, seller: seller)
    }

    /// What charging `netMinor` to the saved card costs in all (VAT by the billing details), for any
    /// charge: a purchase, a refill, an upgrade. Refused without a card or billing details.
    public func chargeQuote(orgId: Int64, netMinor: Int64, seller: Seller) throws -> PurchaseQuote {
        try reader.read { db in try Self.chargeQuote(db, orgId: orgId, netMinor: netMinor, seller: seller) }
    }

    static func chargeQuote(_ db: Database, orgId: Int64, netMinor: Int64, seller: Seller) throws -> PurchaseQuote {
        let profile = try billingProfile(db, orgId: orgId)
        guard let card = profile.card, let details = profile.details else {
            var errors = FieldErrors()
            errors.addForm(
                profile.card == nil
                    ? "Save a card on Payment method first." : "Add the billing details on Payment method first: the invoice needs them.")
            throw DomainError.invalid(errors)
        }
        let vat = VATTreatment.of(buyerCountry: details.country, buyerVATId: details.vatId, sellerCountry: seller.country)
        let vatMinor = vat.vat(onNet: netMinor)
        return PurchaseQuote(creditsMinor: netMinor, vat: vat, vatMinor: vatMinor, totalMinor: netMinor + vatMinor, card: card)
    }

    /// Owner only. Queues a charge of the saved card for `creditsMinor` of credits (plus VAT) for
    /// the payment worker (`runQueuedPayments`) and returns the pending payment. The same
    /// `idempotencyKey` (rendered into the confirmation form) never charges twice: a double
    /// submit finds the first payment. The gateway is called between two short transactions,
    /// never inside one; credits land only in the transaction that records the success.
    public func buyCredits(
        orgKey: String, creditsMinor: Int64, idempotencyKey: String, setup: BillingSetup, by actor: Actor
    ) throws -> PaymentRecord {
        try Self.checkFormPaymentKey(idempotencyKey)
        let key = "buy-" + idempotencyKey
        let payment = try writer.write { db -> PaymentRecord in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageBilling)
            if let existing = try Self.payment(db, idempotencyKey: key) {
                guard existing.orgId == access.org.id! else { throw DomainError.notFound }
                return existing
            }
            let quote = try Self.quote(db, orgId: access.org.id!, creditsMinor: creditsMinor, seller: setup.seller, field: "amount")
            let record = try Self.insertPayment(
                db, orgId: access.org.id!, kind: .purchase, quote: quote, key: key, currency: setup.currency,
                actorId: actor.user.id, now: now())
            try Self.queuePayment(db, paymentId: record.id, actor: actor)
            return record
        }
        setup.queued.wake()
        return payment
    }

    /// The gateway call and the recording of its outcome. A gateway that throws counts as a
    /// retryable processing error: nothing was taken that the console knows of.
    func charge(
        _ payment: PaymentRecord, key: String, setup: BillingSetup, customerPresent: Bool, actor: Actor?, at: Date? = nil
    ) throws -> PaymentRecord {
        let token = try reader.read { db in
            try String.fetchOne(db, sql: "SELECT token FROM paymentMethod WHERE orgId = ?", arguments: [payment.orgId])
        }
        let orgKey = try reader.read { db in
            try String.fetchOne(db, sql: "SELECT key FROM organization WHERE id = ?", arguments: [payment.orgId])
        }
        var outcome = ChargeOutcome.declined(.cardDeclined)
        if let token {
            let request = ChargeRequest(
                cardToken: token, amountMinor: payment.totalMinor, currency: setup.currency.code, idempotencyKey: key,
                description: payment.kind.chargeDescription,
                customerPresent: customerPresent,
                returnPath: "/orgs/\(orgKey ?? "")/settings/billing/payments/\(payment.id)?returned=1")
            outcome = (try? setup.gateway.charge(request)) ?? .declined(.processingError)
        }
        return try record(paymentId: payment.id, outcome: outcome, setup: setup, actor: actor, at: at)
    }

    /// Records a charge's outcome once: a payment that already ended is left as it is.
    func record(paymentId: Int64, outcome: ChargeOutcome, setup: BillingSetup, actor: Actor?, at: Date? = nil) throws -> PaymentRecord {
        try writer.write { db in
            let payment = try Self.payment(db, id: paymentId)!
            guard payment.status == .pending || payment.status == .authenticating else { return payment }
            try Self.apply(db, payment, outcome: outcome, setup: setup, actor: actor, now: at ?? now())
            return try Self.payment(db, id: paymentId)!
        }
    }

    static func apply(_ db: Database, _ payment: PaymentRecord, outcome: ChargeOutcome, setup: BillingSetup, actor: Actor?, now: Date)
        throws
    {
        let orgKey = try String.fetchOne(db, sql: "SELECT key FROM organization WHERE id = ?", arguments: [payment.orgId]) ?? ""
        let amount = setup.currency.format(minor: payment.totalMinor)
        switch outcome {
        case .succeeded(let chargeId):
            try db.execute(
                sql: "UPDATE payment SET status = 'succeeded', chargeId = ?, updatedAt = ? WHERE id = ?",
                arguments: [chargeId, now, payment.id])
            let invoice = try finalizeInvoice(db, paymentId: payment.id, seller: setup.seller, now: now)
            if payment.kind == .upgrade {
                try completeUpgrade(db, payment, invoice: invoice.number, actor: actor, now: now)
                return
            }
            if payment.kind == .renewal {
                try completeRenewal(db, payment, invoice: invoice.number, setup: setup, now: now)
                return
            }
            try addCredits(
                db, orgId: payment.orgId, kind: payment.kind == .refill ? .refill : .purchase,
                micros: setup.currency.micros(fromMinor: payment.creditsMinor), reference: "invoice \(invoice.number)", now: now)
            try AuditEvent(
                org: payment.orgId, actor: actor, action: payment.kind == .refill ? .billingAutoRefillCharge : .billingCreditsPurchase,
                target: "invoice:\(invoice.number)",
                summary: "\(setup.currency.format(minor: payment.creditsMinor)) of credits, \(amount) charged, invoice \(invoice.number)",
                at: now
            ).insert(db)
        case .requiresAuthentication(let chargeId, let challengeId):
            try db.execute(
                sql: "UPDATE payment SET status = 'authenticating', chargeId = ?, challengeId = ?, updatedAt = ? WHERE id = ?",
                arguments: [chargeId, challengeId, now, payment.id])
        case .declined(let code):
            try db.execute(
                sql: "UPDATE payment SET status = 'failed', failureCode = ?, updatedAt = ? WHERE id = ?",
                arguments: [code.rawValue, now, payment.id])
            if payment.kind == .renewal {
                try renewalDeclined(db, payment, code: code, setup: setup, now: now)
                return
            }
            try AuditEvent(
                org: payment.orgId, actor: actor, action: .billingPaymentFail, target: "org:\(orgKey)",
                summary: "\(payment.kind.word) of \(amount) declined: \(code.rawValue)", at: now
            ).insert(db)
        }
    }

    /// The idempotency key a confirmation form carries (16–100 ASCII letters, digits or `-`);
    /// anything else means the form was tampered with or lost it.
    static func checkFormPaymentKey(_ key: String) throws {
        guard (16...100).contains(key.count), key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            var errors = FieldErrors()
            errors.addForm("This form has lost its payment key: reload the page and confirm again.")
            throw DomainError.invalid(errors)
        }
    }

    static func insertPayment(
        _ db: Database, orgId: Int64, kind: PaymentKind, quote: PurchaseQuote, key: String, currency: Currency, actorId: Int64?, now: Date
    ) throws -> PaymentRecord {
        try db.execute(
            sql: """
                INSERT INTO payment (orgId, kind, creditsMinor, vatMinor, vatKind, vatRateBasisPoints, totalMinor, currency,
                    idempotencyKey, status, cardLabel, actorUserId, createdAt, updatedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
                """,
            arguments: [
                orgId, kind.rawValue, quote.creditsMinor, quote.vatMinor, quote.vat.kind.rawValue, quote.vat.rateBasisPoints,
                quote.totalMinor, currency.code, key, "\(quote.card.brand) •\(quote.card.lastFour)", actorId, now, now,
            ])
        return try payment(db, id: db.lastInsertedRowID)!
    }

    public func payment(orgId: Int64, id: Int64) throws -> PaymentRecord? {
        try reader.read { db in try Self.payment(db, id: id).flatMap { $0.orgId == orgId ? $0 : nil } }
    }

    static let paymentColumns = """
        SELECT p.id, p.orgId, p.kind, p.creditsMinor, p.vatMinor, p.totalMinor, p.status, p.failureCode, p.challengeId, i.id, i.number,
            p.createdAt FROM payment p LEFT JOIN invoice i ON i.paymentId = p.id
        """

    static func payment(_ db: Database, id: Int64) throws -> PaymentRecord? {
        try Row.fetchOne(db, sql: paymentColumns + " WHERE p.id = ?", arguments: [id]).map(paymentRecord)
    }

    static func payment(_ db: Database, idempotencyKey: String) throws -> PaymentRecord? {
        try Row.fetchOne(db, sql: paymentColumns + " WHERE p.idempotencyKey = ?", arguments: [idempotencyKey]).map(paymentRecord)
    }

    static func paymentRecord(_ r: Row) -> PaymentRecord {
        PaymentRecord(
            id: r[0], orgId: r[1], kind: PaymentKind(rawValue: r[2]) ?? .purchase, creditsMinor: r[3], vatMinor: r[4], totalMinor: r[5],
            status: PaymentStatus(rawValue: r[6]) ?? .failed, failure: (r[7] as String?).flatMap(DeclineCode.init(rawValue:)),
            challengeId: r[8], invoiceId: r[9], invoiceNumber: r[10], createdAt: r[11])
    }
}
