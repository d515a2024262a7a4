import Foundation
import GRDB

/// Session lifetimes and sign-in throttling, decided here once.
public enum SessionRules {
    /// A session unused for this long is over.
    public static let idleTimeout: TimeInterval = 12 * 3600
    /// A session is over this long after sign-in, however busy.
    public static let absoluteTimeout: TimeInterval = 7 * 24 * 3600
    /// `lastSeenAt` is written at most this often, so reads stay reads.
    static let touchInterval: TimeInterval = 60
    static let failureWindow: TimeInterval = 15 * 60
    /// Failures of one account from one address before that pair must wait out the window.
    static let maxFailuresPerPair = 5
    /// Beyond this many failures of an account (from anywhere), addresses it has never signed in
    /// from are slowed, never locked: each try waits a little after the last failure.
    static let slowAccountAfter = 10
    /// The same for one address (many people behind one NAT): slowed, not locked, and never for
    /// accounts that have signed in from that address before.
    static let slowAddressAfter = 20
    /// The longest a slowed try waits after the last failure.
    static let maxSlowdown = 60
}

/// A signed-in browser: the session row and its person.
public struct SignedIn: Sendable {
    public var session: SessionRecord
    public var user: User
    /// The person's theme and density (Preferences), read with the session for every page's `<html>`.
    public var appearance = Appearance()
}

public struct Flash: Sendable, Equatable {
    public var kind: String
    public var message: String

    public init(kind: String, message: String) {
        self.kind = kind
        self.message = message
    }
}

extension AppDatabase {
    /// Checks the password and opens a new session. Returns the cookie token, which is stored
    /// only as a hash. Failures throttle the pair (account, address); failures elsewhere only slow
    /// an account or address down, so an attacker at one address cannot keep the owner out (see
    /// `SessionRules`).
    /// `device`: the value of the browser's device cookie (see `DeviceRules`), nil without a browser.
    public func signIn(email: String, password: String, address: String, userAgent: String, device: String? = nil) throws -> (
        token: String, signedIn: SignedIn
    ) {
        let now = self.now()
        let (user, retryAfter) = try writer.read { db -> (User?, Int?) in
            let user = try User.filter(Column("email").collating(.nocase) == email).fetchOne(db)
            return (user, try Self.signInWait(db, email: email, address: address, userId: user?.id, now: now))
        }
        if let retryAfter { throw DomainError.throttled(retryAfterSeconds: max(retryAfter, 1)) }
        // Before the password is checked, so the refusal says nothing about it (SSO enforcement).
        try requirePasswordAllowed(email: email, userId: user?.id)

        guard let user, hasher.verify(password, against: user.passwordHash) else {
            if user == nil { hasher.verifyNothing(password) }
            try writer.write { db in
                var failure = LoginFailure(id: nil, email: String(email.prefix(254)), address: address, at: now)
                try failure.insert(db)
            }
            throw DomainError.invalidCredentials
        }
        if try reader.read({ db in try EmailConfirmation.filter(Column("userId") == user.id!).fetchCount(db) }) > 0 {
            throw AccountProblem.unconfirmed(email: user.email)
        }

        // With two-factor on, the right password opens only a short-lived challenge, not a session.
        let (token, session) = try writer.write { db -> (String, SessionRecord?) in
            try Self.recordBreakGlass(db, user: user, address: address, userAgent: userAgent, now: now)
            if try Self.hasTwoFactor(db, userId: user.id!) {
                return (try Self.openChallenge(db, userId: user.id!, address: address, userAgent: userAgent, now: now), nil)
            }
            return try Self.openSession(db, user: user, address: address, userAgent: userAgent, device: device, now: now)
        }
        guard let session else { throw AccountProblem.secondFactorNeeded(challenge: token) }
        return (token, SignedIn(session: session, user: user))
    }

    /// The live session for a cookie token, or nil when unknown or expired.
    public func session(token: String) throws -> SignedIn? {
        guard let hash = Self.tokenHash(token) else { return nil }
        // Runs on every request: cached statements, and no read transaction around them (GRDB's
        // isolation costs more than the queries). Each statement reads a consistent snapshot.
        guard let found = try threadReaders.read(or: reader, { db in try Self.session(db, hash: hash) }) else { return nil }
        return try keepAlive(found)
    }

    static func tokenHash(_ token: String) -> Data? {
        guard !token.isEmpty, token.utf8.count <= 64 else { return nil }
        return Data(Crypto.sha256(token))
    }

    static func session(_ db: Database, hash: Data) throws -> SignedIn? {
        let statement = try db.cachedStatement(
            sql: """
                SELECT s.tokenHash, s.userId, s.csrfToken, s.createdAt, s.lastSeenAt, s.address, s.userAgent,
                       s.flashKind, s.flashMessage, u.email, u.name, u.passwordHash, u.createdAt, p.theme, p.density
                FROM session s JOIN user u ON u.id = s.userId LEFT JOIN userPreference p ON p.userId = u.id
                WHERE s.tokenHash = ?
                """)
        // By position, in the order selected above: name lookups cost more than the query.
        guard let row = try Row.fetchOne(statement, arguments: [hash]) else { return nil }
        let session = SessionRecord(
            tokenHash: row[0], userId: row[1], csrfToken: row[2], createdAt: row[3],
            lastSeenAt: row[4], address: row[5], userAgent: row[6],
            flashKind: row[7], flashMessage: row[8])
        let user = User(id: session.userId, email: row[9], name: row[10], passwordHash: row[11], createdAt: row[12])
        let appearance = Appearance(
            theme: (row[13] as String?).flatMap(Theme.init) ?? .system, density: (row[14] as String?).flatMap(Density.init) ?? .comfortable)
        return SignedIn(session: session, user: user, appearance: appearance)
    }

    /// Ends an expired session (nil), or notes that it was used, at most once a minute.
    func keepAlive(_ found: SignedIn) throws -> SignedIn? {
        let now = self.now()
        let session = found.session
        if now.timeIntervalSince(session.lastSeenAt) > SessionRules.idleTimeout
            || now.timeIntervalSince(session.createdAt) > SessionRules.absoluteTimeout
        {
            try noteWrite { db in _ = try SessionRecord.deleteOne(db, key: session.tokenHash) }
            return nil
        }
        if now.timeIntervalSince(session.lastSeenAt) > SessionRules.touchInterval {
            try noteWrite { db in
                try db.execute(
                    sql: "UPDATE session SET lastSeenAt = ? WHERE tokenHash = ?",
                    arguments: [now, session.tokenHash])
            }
        }
        return found
    }

    public func signOut(token: String) throws {
        let hash = Data(Crypto.sha256(token))
        try writer.write { db in _ = try SessionRecord.deleteOne(db, key: hash) }
    }

    /// Stores a message for the next page this session sees (POST-redirect-GET).
    public func setFlash(_ flash: Flash, for session: SessionRecord) throws {
        try writer.write { db in
            try db.execute(
                sql: "UPDATE session SET flashKind = ?, flashMessage = ? WHERE tokenHash = ?",
                arguments: [flash.kind, flash.message, session.tokenHash])
        }
    }

    /// Returns the pending flash and clears it, so it shows once.
    public func takeFlash(for session: SessionRecord) throws -> Flash? {
        guard let kind = session.flashKind, let message = session.flashMessage else { return nil }
        // Shown again next time rather than not at all when the storage refuses the write.
        try noteWrite { db in
            try db.execute(
                sql: "UPDATE session SET flashKind = NULL, flashMessage = NULL WHERE tokenHash = ?",
                arguments: [session.tokenHash])
        }
        return Flash(kind: kind, message: message)
    }
}
