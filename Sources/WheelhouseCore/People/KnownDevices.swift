import Foundation
import GRDB

/// "A browser seen before" for the sign-in-from-a-new-browser email. Each browser holds a
/// long-lived cookie with a random 256-bit value (`Crypto.randomToken`, made by the web layer
/// when the browser has none); for each person who signed in with it, only a SHA-256 of the
/// person's id and the value is stored, so the table neither reveals the cookie nor links two
/// people who shared a browser. An address is not used: it changes with every network.
public enum DeviceRules {
    /// Browsers remembered per person; signing in from more forgets the least recently used.
    public static let maxPerUser = 20
    /// The cookie's lifetime: the most browsers keep one (Chrome caps `Max-Age` at 400 days).
    public static let cookieLifetime = 400 * 86_400

    /// A value the web layer made: 43 base64url characters (32 bytes).
    public static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43
            && token.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
            }
    }

    static func hash(_ token: String, userId: Int64) -> Data {
        Data(Crypto.sha256(Array("\(userId):\(token)".utf8)))
    }
}

extension AppDatabase {
    /// Notes that `user` completed a sign-in from the browser holding `device`. A browser not
    /// known for them is remembered and, unless `silently`, they are emailed (a locked kind, so
    /// whatever their preferences) with its browser, system, address and time. A malformed value
    /// is never remembered and always counts as new, so tampering with the cookie cannot hide a
    /// sign-in. `device` nil (no browser: the CLI, domain tests) records nothing.
    static func recognizeDevice(
        _ db: Database, user: User, device: String?, address: String, userAgent: String, silently: Bool, now: Date
    ) throws {
        guard let device, let userId = user.id else { return }
        if DeviceRules.isWellFormed(device) {
            let hash = DeviceRules.hash(device, userId: userId)
            try db.execute(
                sql: "UPDATE knownDevice SET lastSeenAt = ? WHERE userId = ? AND tokenHash = ?", arguments: [now, userId, hash])
            if db.changesCount == 1 { return }
            try db.execute(
                sql: "INSERT INTO knownDevice (userId, tokenHash, firstSeenAt, lastSeenAt) VALUES (?, ?, ?, ?)",
                arguments: [userId, hash, now, now])
            try db.execute(
                sql: """
                    DELETE FROM knownDevice WHERE userId = ?1 AND tokenHash NOT IN (
                        SELECT tokenHash FROM knownDevice WHERE userId = ?1 ORDER BY lastSeenAt DESC, firstSeenAt DESC LIMIT ?2)
                    """, arguments: [userId, DeviceRules.maxPerUser])
        }
        guard !silently else { return }
        let browser = UserAgentSummary.describe(userAgent)
        let described = browser.isEmpty ? "an unknown browser" : browser
        try notify(
            db, userId: userId, orgId: nil, kind: .newBrowserSignIn, title: "New sign-in from \(described) at \(address)",
            link: SecurityWords.sessionsPage,
            mail: NoticeMail(
                subject: "New sign-in to your Wheelhouse account",
                body: """
                    Hello \(user.name),

                    Your Wheelhouse account (\(user.email)) was signed in to from a browser it was not used from before:

                      Browser and system: \(described)
                      Address: \(address)
                      Time: \(SecurityWords.when(now))

                    If this was you, there is nothing to do. If it was not, end the sessions you do not know on the Active sessions page and change your password.
                    """), now: now)
    }

    /// Remembers `device` as a browser the person at `email` already uses, in its own transaction:
    /// for tests only (a client standing for the person's usual browser). Sign-ins remember
    /// browsers through `recognizeDevice`.
    public func seedKnownDevice(email: String, device: String) throws {
        try writer.write { db in
            guard let user = try User.filter(Column("email").collating(.nocase) == email).fetchOne(db) else { throw DomainError.notFound }
            try Self.recognizeDevice(db, user: user, device: device, address: "", userAgent: "", silently: true, now: now())
        }
    }

    /// How many browsers are remembered for `userId` (for tests and the bound).
    public func knownDeviceCount(userId: Int64) throws -> Int {
        try reader.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM knownDevice WHERE userId = ?", arguments: [userId]) ?? 0
        }
    }
}
