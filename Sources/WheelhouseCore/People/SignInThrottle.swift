import Foundation
import GRDB

/// Why a correct password did not open a session.
public enum AccountProblem: Error, Equatable, Sendable {
    /// The account was created through an invitation link and its address is not confirmed yet.
    case unconfirmed(email: String)
    /// The password was right and two-factor is on: the browser gets this challenge token and
    /// must send a code with it (`completeSignIn`) before any session exists.
    case secondFactorNeeded(challenge: String)
    /// The challenge is unknown or older than `challengeLifetime`: start again with the password.
    case challengeExpired
}

extension AppDatabase {
    /// Seconds this try must wait, or nil when it may go ahead (`SessionRules`):
    /// - five failures of this account from this address lock that pair for the window;
    /// - many failures of the account, or from the address, slow tries from addresses the account
    ///   has not signed in from before: each waits 2, 4, 8 … at most 60 seconds after the last failure.
    static func signInWait(_ db: Database, email: String, address: String, userId: Int64?, now: Date) throws -> Int? {
        let since = now.addingTimeInterval(-SessionRules.failureWindow)
        let pair = try Date.fetchAll(
            db,
            sql: """
                SELECT at FROM loginFailure WHERE email = ? COLLATE NOCASE AND address = ? AND at > ? ORDER BY at
                """, arguments: [email, address, since])
        if pair.count >= SessionRules.maxFailuresPerPair {
            let freed = pair[pair.count - SessionRules.maxFailuresPerPair].addingTimeInterval(SessionRules.failureWindow)
            return seconds(from: now, to: freed)
        }
        if let userId,
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM knownSignIn WHERE userId = ? AND address = ?)",
                arguments: [userId, address])!
        {
            return nil
        }
        let checks = [
            ("email = ? COLLATE NOCASE", email, SessionRules.slowAccountAfter),
            ("address = ?", address, SessionRules.slowAddressAfter),
        ]
        var wait: Int?
        for (condition, value, threshold) in checks {
            let row = try Row.fetchOne(
                db, sql: "SELECT count(*), max(at) FROM loginFailure WHERE \(condition) AND at > ?",
                arguments: [value, since])!
            let count: Int = row[0]
            guard count >= threshold, let last: Date = row[1] else { continue }
            let delay = min(SessionRules.maxSlowdown, 1 << min(6, count - threshold + 1))
            let left = seconds(from: now, to: last.addingTimeInterval(TimeInterval(delay)))
            if left > 0 { wait = max(wait ?? 0, left) }
        }
        return wait
    }

    private static func seconds(from now: Date, to then: Date) -> Int {
        Int(then.timeIntervalSince(now).rounded(.up))
    }

    /// After a successful sign-in: the address becomes known for this person, and this pair's
    /// failures are forgiven (others' failures on the account stay counted).
    static func rememberSignIn(_ db: Database, userId: Int64, email: String, address: String, now: Date) throws {
        try db.execute(
            sql: """
                INSERT INTO knownSignIn (userId, address, lastAt) VALUES (?, ?, ?)
                ON CONFLICT (userId, address) DO UPDATE SET lastAt = excluded.lastAt
                """, arguments: [userId, String(address.prefix(100)), now])
        try db.execute(sql: "DELETE FROM loginFailure WHERE email = ? COLLATE NOCASE AND address = ?", arguments: [email, address])
    }

    // MARK: - Unauthenticated posts

    /// Counts one unauthenticated post of `kind` from `address` and refuses it (`.throttled`)
    /// beyond `limit` in `window`. Cheap: one indexed count and one insert, before any real work.
    public func countAttempt(kind: String, address: String, limit: Int, window: TimeInterval) throws {
        let now = self.now()
        let wait: Int? = try writer.write { db in
            let since = now.addingTimeInterval(-window)
            try db.execute(sql: "DELETE FROM requestAttempt WHERE kind = ? AND at <= ?", arguments: [kind, since])
            let times = try Date.fetchAll(
                db, sql: "SELECT at FROM requestAttempt WHERE kind = ? AND address = ? AND at > ? ORDER BY at",
                arguments: [kind, address, since])
            if times.count >= limit {
                return Self.seconds(from: now, to: times[times.count - limit].addingTimeInterval(window))
            }
            try db.execute(sql: "INSERT INTO requestAttempt (kind, address, at) VALUES (?, ?, ?)", arguments: [kind, address, now])
            return nil
        }
        if let wait { throw DomainError.throttled(retryAfterSeconds: max(1, wait)) }
    }
}
