import Foundation
import GRDB

extension AccountProblem {
    /// How long the half-signed-in state between the password and the code lasts.
    public static let challengeLifetime: TimeInterval = 5 * 60
}

extension AppDatabase {
    /// After the right password of a person with two-factor on: a short-lived record (only its
    /// token's hash stored) that lets this browser type a code, and nothing else.
    static func openChallenge(_ db: Database, userId: Int64, address: String, userAgent: String, now: Date) throws -> String {
        let token = Crypto.randomToken()
        try db.execute(
            sql: "DELETE FROM signInChallenge WHERE createdAt < ?", arguments: [now.addingTimeInterval(-AccountProblem.challengeLifetime)])
        try db.execute(
            sql: "INSERT INTO signInChallenge (tokenHash, userId, address, userAgent, createdAt) VALUES (?, ?, ?, ?, ?)",
            arguments: [Data(Crypto.sha256(token)), userId, address, String(userAgent.prefix(300)), now])
        return token
    }

    /// Whether a challenge token is live: the code page shows its form only then.
    public func signInChallengeIsLive(_ token: String) throws -> Bool {
        guard let hash = Self.tokenHash(token) else { return false }
        let now = self.now()
        return try reader.read { db in
            try Row.fetchOne(
                db, sql: "SELECT 1 FROM signInChallenge WHERE tokenHash = ? AND createdAt >= ?",
                arguments: [hash, now.addingTimeInterval(-AccountProblem.challengeLifetime)]) != nil
        }
    }

    /// The second step of signing in: a TOTP code or a recovery code for the challenge's person.
    /// Wrong codes count as failed sign-ins of that account from that address, so they are
    /// throttled exactly like wrong passwords. Returns the new session's token.
    public func completeSignIn(challenge: String, code: String, address: String, userAgent: String, device: String? = nil) throws -> (
        token: String, signedIn: SignedIn
    ) {
        let now = self.now()
        guard let hash = Self.tokenHash(challenge) else { throw AccountProblem.challengeExpired }
        let user = try reader.read { db -> User? in
            let userId = try Int64.fetchOne(
                db, sql: "SELECT userId FROM signInChallenge WHERE tokenHash = ? AND createdAt >= ?",
                arguments: [hash, now.addingTimeInterval(-AccountProblem.challengeLifetime)])
            return try userId.flatMap { try User.fetchOne(db, key: $0) }
        }
        guard let user, let userId = user.id else { throw AccountProblem.challengeExpired }
        if let wait = try reader.read({ db in try Self.signInWait(db, email: user.email, address: address, userId: userId, now: now) }) {
            throw DomainError.throttled(retryAfterSeconds: max(wait, 1))
        }
        // Checked again inside the write, where the failure is also recorded: writes are serial,
        // so parallel guesses cannot all pass the check before the first failure lands.
        let outcome = try writer.write { db -> (String, SessionRecord)? in
            if let wait = try Self.signInWait(db, email: user.email, address: address, userId: userId, now: now) {
                throw DomainError.throttled(retryAfterSeconds: max(wait, 1))
            }
            guard let factor = try secondFactor(db, userId: userId, typed: code, now: now) else {
                var failure = LoginFailure(id: nil, email: String(user.email.prefix(254)), address: address, at: now)
                try failure.insert(db)
                return nil
            }
            try db.execute(sql: "DELETE FROM signInChallenge WHERE tokenHash = ?", arguments: [hash])
            if case .recovery(let left) = factor {
                try Self.notify(
                    db, userId: userId, orgId: nil, kind: .twoFactorChanged, title: "A recovery code was used to sign in",
                    link: SecurityWords.twoFactorPage,
                    mail: NoticeMail(
                        subject: "A recovery code was used to sign in",
                        body: "Someone signed in to your Wheelhouse account with a recovery code instead of a code from "
                            + "your authenticator app (from \(address)). \(left) recovery code\(left == 1 ? "" : "s") left.\n\n"
                            + "If this was not you, change your password and turn two-factor sign-in off and on again "
                            + "to get new recovery codes."), now: now)
            }
            return try Self.openSession(db, user: user, address: address, userAgent: userAgent, device: device, now: now)
        }
        guard let (token, session) = outcome else { throw DomainError.invalidCredentials }
        return (token, SignedIn(session: session, user: user))
    }

    /// A new session row for a person whose sign-in is complete, remembering the address and the
    /// browser (`device`: its cookie's value; a browser new for this person is emailed about).
    static func openSession(
        _ db: Database, user: User, address: String, userAgent: String, device: String?, now: Date
    ) throws -> (String, SessionRecord) {
        let token = Crypto.randomToken()
        let session = SessionRecord(
            tokenHash: Data(Crypto.sha256(token)), userId: user.id!,
            csrfToken: Crypto.randomToken(), createdAt: now, lastSeenAt: now,
            address: address, userAgent: String(userAgent.prefix(300)),
            flashKind: nil, flashMessage: nil)
        try session.insert(db)
        try Self.rememberSignIn(db, userId: user.id!, email: user.email, address: address, now: now)
        try Self.recognizeDevice(db, user: user, device: device, address: address, userAgent: userAgent, silently: false, now: now)
        // Expired sessions of this person (past either time-out) are swept here rather than by a
        // timer, so signing in again and again never piles sessions up.
        try SessionRecord.filter(
            Column("userId") == user.id!
                && (Column("createdAt") < now.addingTimeInterval(-SessionRules.absoluteTimeout)
                    || Column("lastSeenAt") < now.addingTimeInterval(-SessionRules.idleTimeout))
        ).deleteAll(db)
        return (token, session)
    }
}
