import Foundation
import GRDB

/// What put credits into an organization's balance, or took them out: one row of the ledger each.
public enum CreditEntryKind: String, CaseIterable, Sendable, DatabaseValueConvertible {
    /// Bought on the Credits tab.
    case purchase
    /// Bought by auto-refill.
    case refill
    /// Given for free (a promotion); may expire.
    case promotion
    /// Paid back to the card: takes the refunded credits out again.
    case refund
    /// AI usage, one entry per organization and day of its time zone (BYOK usage costs nothing).
    case usage
    /// What was left of an expired lot, written off by the background worker.
    case expiry

    public var title: String {
        switch self {
        case .purchase: "Purchase"
        case .refill: "Auto-refill"
        case .promotion: "Promotional credits"
        case .refund: "Refund"
        case .usage: "AI usage"
        case .expiry: "Expired credits"
        }
    }
}

/// Migration `v22-billing-credits`: credit lots, the ledger and each organization's balance.
///
/// The invariant, kept by every function here in one transaction: `creditAccount.balanceMicros`
/// = Σ `creditLot.remainingMicros` − `creditAccount.owedMicros` = Σ `creditLedger.amountMicros`.
/// Usage that happened is always recorded: what no lot covers becomes `owedMicros` (a negative
/// balance), settled first by the next credits that arrive.
enum CreditsSchema {
    static let sql = """
        CREATE TABLE creditAccount (
            orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
            balanceMicros INTEGER NOT NULL DEFAULT 0,
            owedMicros INTEGER NOT NULL DEFAULT 0 CHECK (owedMicros >= 0),
            version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
        );
        CREATE TABLE creditLot (
            id INTEGER PRIMARY KEY,
            orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('purchase', 'refill', 'promotion')),
            amountMicros INTEGER NOT NULL CHECK (amountMicros > 0),
            remainingMicros INTEGER NOT NULL CHECK (remainingMicros BETWEEN 0 AND amountMicros),
            expiresAt DATETIME,
            createdAt DATETIME NOT NULL,
            reference TEXT NOT NULL DEFAULT '' CHECK (length(reference) <= 200)
        );
        CREATE INDEX creditLot_open ON creditLot(orgId, expiresAt, id) WHERE remainingMicros > 0;
        CREATE TABLE creditLedger (
            id INTEGER PRIMARY KEY,
            orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('purchase', 'refill', 'promotion', 'refund', 'usage', 'expiry')),
            amountMicros INTEGER NOT NULL,
            balanceAfterMicros INTEGER NOT NULL,
            lotId INTEGER REFERENCES creditLot(id) ON DELETE SET NULL,
            day TEXT CHECK (day IS NULL OR length(day) = 10),
            reference TEXT NOT NULL DEFAULT '' CHECK (length(reference) <= 200),
            createdAt DATETIME NOT NULL
        );
        CREATE INDEX creditLedger_org ON creditLedger(orgId, id);
        CREATE UNIQUE INDEX creditLedger_usageDay ON creditLedger(orgId, day) WHERE kind = 'usage';
        """
}

/// An organization's credits as the Credits tab shows them.
public struct CreditBalance: Sendable, Equatable {
    /// Σ lots remaining − owed: negative when usage ran past the credits.
    public var balanceMicros: Int64
    public var owedMicros: Int64
    public var version: Int
}

extension AppDatabase {
    /// The balance of `orgId` (zero for an organization that never had credits).
    public func creditBalance(orgId: Int64) throws -> CreditBalance {
        try reader.read { db in try Self.creditBalance(db, orgId: orgId) }
    }

    static func creditBalance(_ db: Database, orgId: Int64) throws -> CreditBalance {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT balanceMicros, owedMicros, version FROM creditAccount WHERE orgId = ?"), arguments: [orgId])
        return row.map { CreditBalance(balanceMicros: $0[0], owedMicros: $0[1], version: $0[2]) }
            ?? CreditBalance(balanceMicros: 0, owedMicros: 0, version: 1)
    }

    /// Adds credits in the caller's transaction (a purchase only once its payment succeeded): a
    /// lot, settling what is owed first, and its ledger entry. Returns the lot's id.
    @discardableResult
    static func addCredits(
        _ db: Database, orgId: Int64, kind: CreditEntryKind, micros: Int64, expiresAt: Date? = nil, reference: String, now: Date
    ) throws -> Int64 {
        precondition([.purchase, .refill, .promotion].contains(kind), "only purchases, refills and promotions add lots")
        guard micros > 0 else {
            var errors = FieldErrors()
            errors.addForm("An amount of credits must be positive.")
            throw DomainError.invalid(errors)
        }
        var account = try creditBalance(db, orgId: orgId)
        let settled = min(account.owedMicros, micros)
        try db.execute(
            sql: """
                INSERT INTO creditLot (orgId, kind, amountMicros, remainingMicros, expiresAt, createdAt, reference)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [orgId, kind.rawValue, micros, micros - settled, expiresAt, now, String(reference.prefix(200))])
        let lotId = db.lastInsertedRowID
        account.owedMicros -= settled
        account.balanceMicros = account.balanceMicros.addingReportingOverflow(micros).partialValue
        try save(db, orgId: orgId, account)
        try ledger(
            db, orgId: orgId, kind: kind, micros: micros, balance: account.balanceMicros, lotId: lotId, reference: reference, now: now)
        return lotId
    }

    /// Draws `micros` of usage on `day` from the lots, soonest-expiring first, then oldest; what
    /// they do not cover is owed. One ledger entry per organization and day, grown by each batch.
    static func debitUsage(_ db: Database, orgId: Int64, day: String, micros: Int64, now: Date) throws {
        guard micros > 0 else { return }
        var left = micros
        let lots = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id, remainingMicros FROM creditLot WHERE orgId = ? AND remainingMicros > 0
                    ORDER BY expiresAt IS NULL, expiresAt, id
                    """), arguments: [orgId])
        for lot in lots where left > 0 {
            let take = min(left, lot[1] as Int64)
            try db.execute(
                sql: "UPDATE creditLot SET remainingMicros = remainingMicros - ? WHERE id = ?", arguments: [take, lot[0] as Int64])
            left -= take
        }
        var account = try creditBalance(db, orgId: orgId)
        account.owedMicros += left
        account.balanceMicros -= micros
        try save(db, orgId: orgId, account)
        try db.execute(
            sql: """
                INSERT INTO creditLedger (orgId, kind, amountMicros, balanceAfterMicros, day, createdAt) VALUES (?, 'usage', ?, ?, ?, ?)
                ON CONFLICT (orgId, day) WHERE kind = 'usage'
                DO UPDATE SET amountMicros = amountMicros + excluded.amountMicros, balanceAfterMicros = excluded.balanceAfterMicros,
                    createdAt = excluded.createdAt
                """, arguments: [orgId, -micros, account.balanceMicros, day, now])
    }

    /// Writes off what is left of every lot expired by `now`, one ledger entry per lot. Returns
    /// how many lots it closed. Runs in batches from the background worker.
    @discardableResult
    public func expireCreditLots(now: Date? = nil, batchSize: Int = 500) throws -> Int {
        let now = now ?? self.now()
        return try writer.write { db in
            let lots = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, orgId, remainingMicros FROM creditLot WHERE remainingMicros > 0 AND expiresAt IS NOT NULL AND expiresAt <= ?
                    ORDER BY id LIMIT ?
                    """, arguments: [now, batchSize])
            for lot in lots {
                let (lotId, orgId, left): (Int64, Int64, Int64) = (lot[0], lot[1], lot[2])
                try db.execute(sql: "UPDATE creditLot SET remainingMicros = 0 WHERE id = ?", arguments: [lotId])
                var account = try Self.creditBalance(db, orgId: orgId)
                account.balanceMicros -= left
                try Self.save(db, orgId: orgId, account)
                try Self.ledger(
                    db, orgId: orgId, kind: .expiry, micros: -left, balance: account.balanceMicros, lotId: lotId, reference: "", now: now)
            }
            return lots.count
        }
    }

    private static func save(_ db: Database, orgId: Int64, _ account: CreditBalance) throws {
        try db.execute(
            sql: """
                INSERT INTO creditAccount (orgId, balanceMicros, owedMicros, version) VALUES (?, ?, ?, 2)
                ON CONFLICT (orgId) DO UPDATE SET balanceMicros = excluded.balanceMicros, owedMicros = excluded.owedMicros,
                    version = version + 1
                """, arguments: [orgId, account.balanceMicros, account.owedMicros])
    }

    private static func ledger(
        _ db: Database, orgId: Int64, kind: CreditEntryKind, micros: Int64, balance: Int64, lotId: Int64?, reference: String, now: Date
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO creditLedger (orgId, kind, amountMicros, balanceAfterMicros, lotId, reference, createdAt)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [orgId, kind.rawValue, micros, balance, lotId, String(reference.prefix(200)), now])
    }

    /// Gives promotional credits (demo, support, tests), in their own transaction.
    @discardableResult
    public func grantPromotionalCredits(orgId: Int64, micros: Int64, expiresAt: Date?, reference: String) throws -> Int64 {
        try writer.write { db in
            try Self.addCredits(db, orgId: orgId, kind: .promotion, micros: micros, expiresAt: expiresAt, reference: reference, now: now())
        }
    }
}
