import Foundation
import GRDB

/// An invoice as issued: everything Article 226 of the VAT Directive asks for, copied at issue
/// time so a later change of billing details or seller never rewrites it.
public struct Invoice: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var description: String
        public var quantity: Int
        public var unitMinor: Int64
        public var amountMinor: Int64 { unitMinor * Int64(quantity) }
    }

    public var id: Int64
    public var orgId: Int64
    public var number: Int64
    public var issuedAt: Date
    /// The day the credits were supplied (yyyy-mm-dd, UTC).
    public var supplyDate: String
    public var seller: Seller
    public var buyerName: String
    public var buyerAddress: String
    public var buyerCountry: String
    public var buyerVATId: String
    public var currency: String
    public var lines: [Line]
    public var netMinor: Int64
    public var vat: VATTreatment
    public var vatMinor: Int64
    public var totalMinor: Int64

    /// "INV-000042": the number as printed (the sequence itself is `number`).
    public var displayNumber: String { Self.display(number) }
    public static func display(_ number: Int64) -> String { "INV-" + String(format: "%06lld", number) }
}

extension AppDatabase {
    /// Issues the invoice of a payment that just succeeded, in the caller's transaction: the next
    /// number of the one counter (so numbers never skip, and a failed payment never takes one).
    static func finalizeInvoice(_ db: Database, paymentId: Int64, seller: Seller, now: Date) throws -> (id: Int64, number: Int64) {
        let number = try Int64.fetchOne(db, sql: "UPDATE invoiceCounter SET lastNumber = lastNumber + 1 WHERE id = 1 RETURNING lastNumber")!
        let p = try Row.fetchOne(
            db,
            sql: "SELECT orgId, kind, creditsMinor, vatMinor, vatKind, vatRateBasisPoints, totalMinor, currency FROM payment WHERE id = ?",
            arguments: [paymentId])!
        let orgId: Int64 = p[0]
        let details = try billingProfile(db, orgId: orgId).details
        let orgName = try String.fetchOne(db, sql: "SELECT displayName FROM organization WHERE id = ?", arguments: [orgId]) ?? ""
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let day = calendar.dateComponents([.year, .month, .day], from: now)
        let supply = String(format: "%04d-%02d-%02d", day.year!, day.month!, day.day!)
        try db.execute(
            sql: """
                INSERT INTO invoice (orgId, number, paymentId, issuedAt, supplyDate, sellerName, sellerAddress, sellerVATId, buyerName,
                    buyerAddress, buyerCountry, buyerVATId, currency, netMinor, vatKind, vatRateBasisPoints, vatMinor, totalMinor)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                orgId, number, paymentId, now, supply, seller.name, seller.address, seller.vatId, details?.legalName ?? orgName,
                details?.address ?? "", details?.country ?? "", details?.vatId ?? "", p[7], p[2], p[4], p[5], p[3], p[6],
            ])
        let invoiceId = db.lastInsertedRowID
        let description: String
        switch PaymentKind(rawValue: p[1]) {
        case .refill: description = "AI credits (auto-refill)"
        case .upgrade:
            let to = try String.fetchOne(db, sql: "SELECT planTo FROM payment WHERE id = ?", arguments: [paymentId]) ?? ""
            description = "Upgrade to the \(Plan.named(to).name) plan, prorated for the rest of the month"
        case .renewal:
            let plan = try String.fetchOne(db, sql: "SELECT planTo FROM payment WHERE id = ?", arguments: [paymentId]) ?? ""
            let month = try String.fetchOne(db, sql: "SELECT dueMonth FROM subscription WHERE orgId = ?", arguments: [orgId]) ?? ""
            description = "The \(Plan.named(plan).name) plan for \(UsageMonth(month).map(\.longName) ?? month)"
        default: description = "AI credits"
        }
        try db.execute(
            sql: "INSERT INTO invoiceLine (invoiceId, description, quantity, unitMinor) VALUES (?, ?, 1, ?)",
            arguments: [invoiceId, description, p[2]])
        return (invoiceId, number)
    }

    /// The organization's invoices, newest first.
    public func invoices(orgId: Int64) throws -> [Invoice] {
        try reader.read { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM invoice WHERE orgId = ? ORDER BY number DESC", arguments: [orgId])
            return try ids.compactMap { try Self.invoice(db, id: $0) }
        }
    }

    /// One invoice of `orgId`; nil for another organization's (the page answers 404).
    public func invoice(orgId: Int64, id: Int64) throws -> Invoice? {
        try reader.read { db in try Self.invoice(db, id: id).flatMap { $0.orgId == orgId ? $0 : nil } }
    }

    static func invoice(_ db: Database, id: Int64) throws -> Invoice? {
        guard
            let r = try Row.fetchOne(
                db,
                sql: """
                    SELECT id, orgId, number, issuedAt, supplyDate, sellerName, sellerAddress, sellerVATId, buyerName, buyerAddress,
                        buyerCountry, buyerVATId, currency, netMinor, vatKind, vatRateBasisPoints, vatMinor, totalMinor
                    FROM invoice WHERE id = ?
                    """, arguments: [id])
        else { return nil }
        let lines = try Row.fetchAll(
            db, sql: "SELECT description, quantity, unitMinor FROM invoiceLine WHERE invoiceId = ? ORDER BY id", arguments: [id]
        ).map { Invoice.Line(description: $0[0], quantity: $0[1], unitMinor: $0[2]) }
        return Invoice(
            id: r[0], orgId: r[1], number: r[2], issuedAt: r[3], supplyDate: r[4], seller: Seller(name: r[5], address: r[6], vatId: r[7]),
            buyerName: r[8], buyerAddress: r[9], buyerCountry: r[10], buyerVATId: r[11], currency: r[12], lines: lines, netMinor: r[13],
            vat: VATTreatment(kind: VATTreatment.Kind(rawValue: r[14]) ?? .standard, rateBasisPoints: r[15]), vatMinor: r[16],
            totalMinor: r[17])
    }
}
