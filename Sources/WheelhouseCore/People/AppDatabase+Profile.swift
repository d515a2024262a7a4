import Foundation
import GRDB

/// Migration `v17-account-security`: a version on each person's row (the profile form's stale
/// check), password reset links, and the outbox kind that mails them.
enum AccountSecuritySchema {
    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE user ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);
                CREATE TABLE passwordReset (
                    id INTEGER PRIMARY KEY,
                    userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    linkNonce BLOB NOT NULL CHECK (length(linkNonce) = 32),
                    tokenHash BLOB NOT NULL UNIQUE CHECK (length(tokenHash) = 32),
                    createdAt DATETIME NOT NULL,
                    expiresAt DATETIME NOT NULL,
                    usedAt DATETIME
                );
                CREATE INDEX passwordReset_user ON passwordReset(userId);
                """)
        try PeopleHardening.widenOutboxKinds(
            db, from: "kind IN ('invitation', 'confirmation', 'notice')",
            to: "kind IN ('invitation', 'confirmation', 'notice', 'passwordReset')")
        try db.execute(
            sql: "ALTER TABLE outbox ADD COLUMN passwordResetId INTEGER REFERENCES passwordReset(id) ON DELETE CASCADE")
    }
}

/// What the profile page shows and checks: the person's name, picture and default organization,
/// and the row's version.
public struct Profile: Sendable, Equatable {
    public var email: String
    public var name: String
    public var version: Int
    /// The stored picture's file name under the data directory's `avatars/` folder.
    public var avatarFile: String? = nil
    /// Where `/` lands, while the person still belongs to it.
    public var defaultOrgKey: String? = nil
}

extension AppDatabase {
    public func profile(userId: Int64) throws -> Profile {
        try reader.read { db in try Self.profile(db, userId: userId) }
    }

    static func profile(_ db: Database, userId: Int64) throws -> Profile {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT u.email, u.name, u.version, u.avatarFile, o.key FROM user u
                    LEFT JOIN membership m ON m.userId = u.id AND m.orgId = u.defaultOrgId
                    LEFT JOIN organization o ON o.id = m.orgId
                    WHERE u.id = ?
                    """, arguments: [userId])
        else { throw DomainError.notFound }
        return Profile(email: row[0], name: row[1], version: row[2], avatarFile: row[3], defaultOrgKey: row[4])
    }

    /// Renames the person (same rules as everywhere a name is typed). Returns the saved profile;
    /// nothing is written when the name is unchanged. `staleVersion` when the row moved on since
    /// the form was loaded. Personal: no organization's audit log hears of it.
    @discardableResult
    public func updateName(userId: Int64, name: String, expectedVersion: Int) throws -> Profile {
        var errors = FieldErrors()
        TextRules.checkSingleLine(name, field: "name", label: "Name", required: true, maxLength: 100, into: &errors)
        try errors.throwIfAny()
        return try writer.write { db in
            var profile = try Self.profile(db, userId: userId)
            guard profile.version == expectedVersion else { throw DomainError.staleVersion }
            guard profile.name != name else { return profile }
            try db.execute(sql: "UPDATE user SET name = ?, version = version + 1 WHERE id = ?", arguments: [name, userId])
            profile.name = name
            profile.version += 1
            return profile
        }
    }

    /// Changes the password after checking the current one (a wrong one counts as a failed
    /// sign-in of this address, so the form cannot be used to guess it). Every other session of
    /// the person ends; the one in `keepSession` (the browser that changed it) stays. A security
    /// email, which cannot be switched off, goes to the person's address.
    public func changePassword(
        userId: Int64, current: String, new: String, keepSession: Data, address: String, blocklist: PasswordBlocklist
    ) throws {
        let now = self.now()
        guard let user = try reader.read({ db in try User.fetchOne(db, key: userId) }) else { throw DomainError.notFound }
        var errors = FieldErrors()
        if current.isEmpty {
            try requireNoSignInWait(user, address: address, now: now)
            errors.add("current_password", "Enter your current password.")
        } else if try !passwordMatches(current, of: user, address: address, now: now) {
            errors.add("current_password", "That is not your current password.")
        }
        PasswordPolicy.check(
            new, for: .init(email: user.email, name: user.name, hasTwoFactor: try hasTwoFactor(userId: userId)),
            blocklist: blocklist, field: "new_password", into: &errors)
        if errors.byField["new_password"] == nil, !current.isEmpty, new == current {
            errors.add("new_password", "The new password is the one you have now. Choose another.")
        }
        try errors.throwIfAny()
        let hash = hasher.hash(new)
        try writer.write { db in
            try db.execute(sql: "UPDATE user SET passwordHash = ? WHERE id = ?", arguments: [hash, userId])
            try db.execute(sql: "DELETE FROM session WHERE userId = ? AND tokenHash != ?", arguments: [userId, keepSession])
            // Reset links asked for before, and sign-ins half done with the old password, end too.
            try db.execute(sql: "DELETE FROM passwordReset WHERE userId = ? AND usedAt IS NULL", arguments: [userId])
            try db.execute(sql: "DELETE FROM signInChallenge WHERE userId = ?", arguments: [userId])
            try Self.queueSecurityNotice(
                db, to: user, subject: "Your Wheelhouse password was changed",
                what: "The password of your Wheelhouse account (\(user.email)) was changed from a signed-in browser",
                address: address, now: now)
        }
    }

    /// Refuses (429) while sign-in is throttled for this person and address.
    func requireNoSignInWait(_ user: User, address: String, now: Date) throws {
        if let wait = try reader.read({ db in try Self.signInWait(db, email: user.email, address: address, userId: user.id!, now: now) }) {
            throw DomainError.throttled(retryAfterSeconds: max(1, wait))
        }
    }

    /// Whether `password` is the person's, checked as sign-in checks it: refused while throttled,
    /// and a wrong one counted as a failed sign-in of this address, so no form that asks for the
    /// password (a change of it, two-factor on or off) can be used to guess it.
    func passwordMatches(_ password: String, of user: User, address: String, now: Date) throws -> Bool {
        try requireNoSignInWait(user, address: address, now: now)
        guard password.utf8.count <= 1024, hasher.verify(password, against: user.passwordHash) else {
            try writer.write { db in
                var failure = LoginFailure(id: nil, email: user.email, address: address, at: now)
                try failure.insert(db)
            }
            return false
        }
        return true
    }

    /// The security notice of a password change or reset: kind `.passwordChanged`, locked on, so
    /// it is emailed (and in the inbox) whatever the person's preferences.
    static func queueSecurityNotice(_ db: Database, to user: User, subject: String, what: String, address: String, now: Date) throws {
        try notify(
            db, userId: user.id!, orgId: nil, kind: .passwordChanged, title: subject, link: SecurityWords.securityPage,
            mail: NoticeMail(
                subject: subject,
                body: """
                    Hello \(user.name),

                    \(what) at \(SecurityWords.when(now)), from the address \(address). Every other browser signed in to your account has been signed out.

                    If this was you, there is nothing to do. If it was not, reset your password at once with "Forgot password?" on the sign-in page, and tell an administrator of your organization.
                    """), now: now)
    }
}

/// Words and places the security notices share. The paths are the web layer's `/account` routes
/// (its route tests check they agree), written here because the core does not know the routes.
public enum SecurityWords {
    public static let securityPage = "/account/security"
    public static let twoFactorPage = "/account/security/two-factor"
    public static let sessionsPage = "/account/security/sessions"

    /// "2026-11-30 07:38:21 UTC".
    static func when(_ date: Date) -> String {
        ISO8601DateFormatter.string(
            from: date, timeZone: TimeZone(identifier: "UTC")!,
            formatOptions: [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]) + " UTC"
    }
}
