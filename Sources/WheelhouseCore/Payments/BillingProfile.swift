import Foundation
import GRDB

/// Who sells: printed on every invoice. From `WHEELHOUSE_SELLER_NAME`, `…_ADDRESS` (lines
/// separated by `\n` or `;`) and `…_VAT_ID`; the defaults are a demo seller in Germany.
public struct Seller: Sendable, Equatable {
    public var name: String
    public var address: String
    public var vatId: String

    public static let demo = Seller(name: "Wheelhouse Demo GmbH", address: "Beispielstraße 1\n10115 Berlin\nGermany", vatId: "DE123456789")

    public init(name: String, address: String, vatId: String) {
        (self.name, self.address, self.vatId) = (name, address.replacingOccurrences(of: ";", with: "\n"), vatId)
    }

    public static func from(environment env: [String: String]) -> Seller {
        func value(_ key: String, _ fallback: String) -> String { env[key].flatMap { $0.isEmpty ? nil : $0 } ?? fallback }
        return Seller(
            name: value("WHEELHOUSE_SELLER_NAME", demo.name), address: value("WHEELHOUSE_SELLER_ADDRESS", demo.address),
            vatId: value("WHEELHOUSE_SELLER_VAT_ID", demo.vatId))
    }

    /// The member state of the seller's VAT id (EL → GR), for the reverse-charge rule.
    public var country: String {
        let prefix = String(vatId.prefix(2)).uppercased()
        return Countries.eu.first { $0.vatPrefix == prefix }?.code ?? prefix
    }
}

/// The buyer's details printed on invoices.
public struct BillingDetails: Sendable, Equatable {
    public var legalName: String
    public var address: String
    public var country: String
    public var email: String
    public var vatId: String
    public var version: Int

    public init(legalName: String, address: String, country: String, email: String, vatId: String, version: Int = 0) {
        (self.legalName, self.address, self.country, self.email, self.vatId, self.version) = (
            legalName, address, country, email, vatId, version
        )
    }
}

/// What Billing's pages read about an organization's card and details.
public struct BillingProfile: Sendable, Equatable {
    public var card: SavedCard?
    public var cardVersion: Int
    public var details: BillingDetails?
}

extension AppDatabase {
    public func billingProfile(orgId: Int64) throws -> BillingProfile {
        try reader.read { db in try Self.billingProfile(db, orgId: orgId) }
    }

    static func billingProfile(_ db: Database, orgId: Int64) throws -> BillingProfile {
        let card = try Row.fetchOne(
            db, sql: "SELECT token, brand, lastFour, expiryMonth, expiryYear, version FROM paymentMethod WHERE orgId = ?",
            arguments: [orgId])
        let details = try Row.fetchOne(
            db, sql: "SELECT legalName, address, country, email, vatId, version FROM billingDetails WHERE orgId = ?", arguments: [orgId])
        return BillingProfile(
            card: card.map { SavedCard(token: $0[0], brand: $0[1], lastFour: $0[2], expiryMonth: $0[3], expiryYear: $0[4]) },
            cardVersion: card?[5] ?? 0,
            details: details.map {
                BillingDetails(legalName: $0[0], address: $0[1], country: $0[2], email: $0[3], vatId: $0[4], version: $0[5])
            })
    }

    /// Owner only. Saves the card the gateway tokenized (replacing the previous one) with its
    /// audit entry; `expectedVersion` is the card row's version the form was loaded with (0: none).
    public func saveCard(orgKey: String, _ card: SavedCard, expectedVersion: Int, by actor: Actor) throws {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageBilling)
            let orgId = access.org.id!
            guard try Self.billingProfile(db, orgId: orgId).cardVersion == expectedVersion else { throw DomainError.staleVersion }
            let now = self.now()
            try db.execute(
                sql: """
                    INSERT INTO paymentMethod (orgId, token, brand, lastFour, expiryMonth, expiryYear, version, updatedAt)
                    VALUES (?, ?, ?, ?, ?, ?, 1, ?)
                    ON CONFLICT (orgId) DO UPDATE SET token = excluded.token, brand = excluded.brand, lastFour = excluded.lastFour,
                        expiryMonth = excluded.expiryMonth, expiryYear = excluded.expiryYear, version = version + 1,
                        updatedAt = excluded.updatedAt
                    """, arguments: [orgId, card.token, card.brand, card.lastFour, card.expiryMonth, card.expiryYear, now])
            try AuditEvent(
                org: orgId, actor: actor, action: .billingCard, target: "org:\(access.org.key)",
                summary: "card saved: \(card.brand) •\(card.lastFour), expires \(card.expiryMonth)/\(card.expiryYear)", at: now
            ).insert(db)
        }
    }

    /// Owner only. Checks and saves the billing details with their audit entry.
    public func saveBillingDetails(orgKey: String, _ typed: BillingDetails, expectedVersion: Int, by actor: Actor) throws {
        var details = typed
        var errors = FieldErrors()
        details.legalName = TextRules.trimmed(details.legalName)
        details.email = TextRules.trimmed(details.email)
        TextRules.checkSingleLine(
            details.legalName, field: "legal_name", label: "Legal name", required: true, maxLength: 200, into: &errors)
        details.address = TextRules.trimmed(details.address)
        if details.address.isEmpty { errors.add("address", "Address is required.") }
        TextRules.checkMultiLine(details.address, field: "address", label: "Address", maxLength: 500, into: &errors)
        if Countries.name(details.country) == nil { errors.add("country", "Choose the country.") }
        if !EmailRules.isPlausible(details.email) || details.email.count > 254 {
            errors.add("billing_email", "Enter an email address like billing@example.com.")
        }
        switch Countries.normalizedVATId(details.vatId, country: details.country) {
        case .success(let id): details.vatId = id
        case .failure(let problem): errors.add("vat_id", problem.message)
        }
        try errors.throwIfAny()
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageBilling)
            let orgId = access.org.id!
            guard (try Self.billingProfile(db, orgId: orgId).details?.version ?? 0) == expectedVersion else {
                throw DomainError.staleVersion
            }
            let now = self.now()
            try db.execute(
                sql: """
                    INSERT INTO billingDetails (orgId, legalName, address, country, email, vatId, version, updatedAt)
                    VALUES (?, ?, ?, ?, ?, ?, 1, ?)
                    ON CONFLICT (orgId) DO UPDATE SET legalName = excluded.legalName, address = excluded.address,
                        country = excluded.country, email = excluded.email, vatId = excluded.vatId, version = version + 1,
                        updatedAt = excluded.updatedAt
                    """,
                arguments: [orgId, details.legalName, details.address, details.country, details.email, details.vatId, now])
            try AuditEvent(
                org: orgId, actor: actor, action: .billingDetails, target: "org:\(access.org.key)",
                summary:
                    "billing details: \(details.legalName), \(details.country)\(details.vatId.isEmpty ? "" : ", VAT id \(details.vatId)")",
                at: now
            ).insert(db)
        }
    }
}
