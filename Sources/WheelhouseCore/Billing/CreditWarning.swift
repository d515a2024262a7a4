import Foundation
import GRDB

/// Migration `v23-billing-usage`: the Owner's warning threshold of an organization's AI credits.
/// Its own row and version, not `creditAccount`'s: every usage debit bumps the account's version,
/// and an Owner's edit must not be refused as stale because usage was recorded meanwhile.
enum CreditWarningSchema {
    static let sql = """
        CREATE TABLE creditWarning (
            orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
            thresholdMicros INTEGER NOT NULL CHECK (thresholdMicros >= 0),
            version INTEGER NOT NULL CHECK (version > 0),
            updatedAt DATETIME NOT NULL
        );
        """

    static func setting(_ db: Database, orgId: Int64) throws -> CreditWarningSetting {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT thresholdMicros, version FROM creditWarning WHERE orgId = ?"), arguments: [orgId])
        return row.map { CreditWarningSetting(thresholdMicros: $0[0], version: $0[1]) }
            ?? CreditWarningSetting(thresholdMicros: 0, version: 0)
    }
}

/// "Warn below X": zero means no warning (the exhausted state still shows at zero).
public struct CreditWarningSetting: Sendable, Equatable {
    public var thresholdMicros: Int64
    /// 0 while never set.
    public var version: Int

    public init(thresholdMicros: Int64, version: Int) { (self.thresholdMicros, self.version) = (thresholdMicros, version) }
}

/// Reads the threshold as typed, in the deployment's currency.
public enum CreditAmountText {
    /// The largest threshold accepted: far above any real balance, far below Int64's micros.
    public static let maximumUnits: Int64 = 1_000_000_000

    /// `"12.5"`, `"1,000.00"` (commas between groups), a leading currency symbol or trailing code
    /// allowed. Nil with the reason for anything else: negative, not a number, more decimals
    /// than the currency has, above the maximum.
    public static func micros(_ typed: String, currency: Currency) -> Result<Int64, AmountProblem> {
        var text = typed.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix(currency.symbol) { text = String(text.dropFirst(currency.symbol.count)).trimmingCharacters(in: .whitespaces) }
        if text.uppercased().hasSuffix(currency.code) {
            text = String(text.dropLast(currency.code.count)).trimmingCharacters(in: .whitespaces)
        }
        if text.hasPrefix("-") || text.hasPrefix("−") { return .failure(.negative) }
        text = text.replacingOccurrences(of: ",", with: "")
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !text.isEmpty, parts.count <= 2, let whole = parts.first,
            !whole.isEmpty || parts.count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { (48...57).contains($0) } }), parts.count == 1 || !parts[1].isEmpty
        else { return .failure(.notANumber) }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= currency.minorDigits else { return .failure(.tooManyDecimals(currency.minorDigits)) }
        let digits = whole.drop { $0 == "0" }
        guard digits.count <= 10, let units = Int64(digits.isEmpty ? "0" : String(digits)), units <= maximumUnits else {
            return .failure(.tooLarge)
        }
        let minor = Int64(fraction + String(repeating: "0", count: currency.minorDigits - fraction.count)) ?? 0
        let perUnit = AmountProblem.perUnit(currency)
        let total = units * perUnit + minor
        guard total <= maximumUnits * perUnit else { return .failure(.tooLarge) }
        return .success(currency.micros(fromMinor: total))
    }

    public enum AmountProblem: Error, Equatable {
        case negative, notANumber, tooManyDecimals(Int), tooLarge

        public func message(_ currency: Currency) -> String {
            switch self {
            case .negative: "Enter an amount of zero or more (zero switches the warning off)."
            case .notANumber: "Enter an amount in \(currency.code), such as 10 or 12.50."
            case .tooManyDecimals(let digits):
                digits == 0
                    ? "\(currency.code) amounts have no decimals." : "\(currency.code) amounts have at most \(digits) decimals."
            case .tooLarge: "Enter at most \(currency.format(minor: maximumUnits * Self.perUnit(currency), withCode: true))."
            }
        }

        static func perUnit(_ currency: Currency) -> Int64 {
            var value: Int64 = 1
            for _ in 0..<currency.minorDigits { value *= 10 }
            return value
        }
    }
}

extension AppDatabase {
    public func creditWarning(orgId: Int64) throws -> CreditWarningSetting {
        try reader.read { db in try CreditWarningSchema.setting(db, orgId: orgId) }
    }

    /// Owner only (`manageBilling`). `typed` is the form's amount in `currency`; a bad amount is
    /// refused beside the `threshold` field and a stale `expectedVersion` throws `staleVersion`.
    /// The change and its audit entry are one transaction; the current value writes nothing.
    @discardableResult
    public func setCreditWarning(
        orgKey: String, typed: String, currency: Currency, expectedVersion: Int, by actor: Actor
    ) throws -> CreditWarningSetting {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageBilling)
            let micros: Int64
            switch CreditAmountText.micros(typed, currency: currency) {
            case .success(let value): micros = value
            case .failure(let problem):
                var errors = FieldErrors()
                errors.add("threshold", problem.message(currency))
                throw DomainError.invalid(errors)
            }
            let orgId = access.org.id!
            let before = try CreditWarningSchema.setting(db, orgId: orgId)
            guard before.version == expectedVersion else { throw DomainError.staleVersion }
            guard micros != before.thresholdMicros else { return before }
            let now = self.now()
            let after = CreditWarningSetting(thresholdMicros: micros, version: before.version + 1)
            try db.execute(
                sql: """
                    INSERT INTO creditWarning (orgId, thresholdMicros, version, updatedAt) VALUES (?, ?, ?, ?)
                    ON CONFLICT (orgId) DO UPDATE SET thresholdMicros = excluded.thresholdMicros, version = excluded.version,
                        updatedAt = excluded.updatedAt
                    """, arguments: [orgId, micros, after.version, now])
            func shown(_ value: Int64) -> String { value == 0 ? "off" : currency.format(micros: value, withCode: true) }
            try AuditEvent(
                org: orgId, actor: actor, action: .billingCreditWarning, target: "org:\(access.org.key)",
                summary: "credit warning \(shown(before.thresholdMicros)) → \(shown(micros))", at: now
            ).insert(db)
            return after
        }
    }
}
