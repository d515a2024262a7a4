import Foundation
import GRDB

/// Where a person's two-factor sign-in stands.
public enum TwoFactorState: Sendable, Equatable {
    case off
    /// A secret is made and shown; it becomes active with the first code typed from it.
    case pending(TwoFactorEnrolment)
    case on(enabledAt: Date, recoveryCodesLeft: Int)
}

/// What the enrolment page shows: the secret as text and as the URI its QR code carries.
public struct TwoFactorEnrolment: Sendable, Equatable {
    public let secret: [UInt8]
    public let base32: String
    public let uri: String
}

extension AppDatabase {
    public static let recoveryCodeCount = 10

    /// Whether sign-in asks this person for a code after the password.
    public func hasTwoFactor(userId: Int64) throws -> Bool {
        try reader.read { db in try Self.hasTwoFactor(db, userId: userId) }
    }

    static func hasTwoFactor(_ db: Database, userId: Int64) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT enabledAt IS NOT NULL FROM twoFactor WHERE userId = ?", arguments: [userId]) ?? false
    }

    public func twoFactorState(userId: Int64, email: String) throws -> TwoFactorState {
        try reader.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM twoFactor WHERE userId = ?", arguments: [userId]) else {
                return .off
            }
            if let enabledAt: Date = row["enabledAt"] {
                let left =
                    try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM recoveryCode WHERE userId = ? AND usedAt IS NULL", arguments: [userId]) ?? 0
                return .on(enabledAt: enabledAt, recoveryCodesLeft: left)
            }
            return .pending(try enrolment(row, email: email))
        }
    }

    /// Makes a secret to enrol with, or returns the one already waiting (a reload shows the same
    /// QR code). Nothing changes while two-factor is on.
    public func startTwoFactor(userId: Int64, email: String) throws -> TwoFactorState {
        let now = self.now()
        try writer.write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM twoFactor WHERE userId = ?", arguments: [userId]) == nil else { return }
            try vault.requireCurrent(db)
            let secret = Crypto.randomBytes(TOTP.secretLength)
            try db.execute(
                sql: "INSERT INTO twoFactor (userId, sealed, keyVersion, createdAt) VALUES (?, ?, ?, ?)",
                arguments: [userId, Data(vault.seal(Base32.encode(secret), .twoFactor(userId: userId))), vault.version, now])
        }
        return try twoFactorState(userId: userId, email: email)
    }

    /// Turns two-factor on with a code from the pending secret. Returns the ten recovery codes,
    /// which are also held (sealed) for `session` to show once; only their hashes stay.
    @discardableResult
    public func confirmTwoFactor(
        userId: Int64, email: String, password: String, code: String, session: SessionRecord, address: String
    ) throws -> [String] {
        let now = self.now()
        // A stolen session must not be able to lock the person out with its own authenticator.
        try checkPassword(userId: userId, password: password, address: address, now: now)
        return try writer.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM twoFactor WHERE userId = ?", arguments: [userId]) else {
                throw DomainError.invalid(Self.codeError("There is no setup key yet: scan the QR code on this page first."))
            }
            guard row["enabledAt"] as Date? == nil else { throw DomainError.invalid(Self.codeError("Two-factor sign-in is already on.")) }
            let totp = TOTP(secret: try enrolment(row, email: email).secret)
            guard let step = totp.matchingStep(code, at: now, after: row["lastStep"]) else {
                throw DomainError.invalid(Self.codeError("That code does not match. Type the 6 digits your app shows now."))
            }
            let codes = (0..<Self.recoveryCodeCount).map { _ in RecoveryCodes.make() }
            try db.execute(sql: "DELETE FROM recoveryCode WHERE userId = ?", arguments: [userId])
            for code in codes {
                try db.execute(
                    sql: "INSERT INTO recoveryCode (userId, codeHash) VALUES (?, ?)",
                    arguments: [userId, RecoveryCodes.hash(code, userId: userId)])
            }
            let sealed = vault.seal(codes.joined(separator: " "), .recoveryReveal(userId: userId, session: session.tokenHash))
            try db.execute(
                sql: "UPDATE twoFactor SET enabledAt = ?, lastStep = ?, revealSession = ?, revealSealed = ? WHERE userId = ?",
                arguments: [now, step, session.tokenHash, Data(sealed), userId])
            try Self.notify(
                db, userId: userId, orgId: nil, kind: .twoFactorChanged, title: "Two-factor sign-in is on",
                link: SecurityWords.twoFactorPage,
                mail: NoticeMail(
                    subject: "Two-factor sign-in is on",
                    body: "Two-factor sign-in was turned on for your Wheelhouse account. From now on, signing in asks for a code "
                        + "from your authenticator app after your password.\n\nIf this was not you, change your password and "
                        + "contact an Owner of your organization."), now: now)
            return codes
        }
    }

    /// The recovery codes made in this session, once; nil afterwards or for any other session.
    public func takeRecoveryCodes(userId: Int64, session: SessionRecord) throws -> [String]? {
        try writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT revealSealed, keyVersion FROM twoFactor WHERE userId = ? AND revealSession = ?",
                    arguments: [userId, session.tokenHash]),
                let sealed: Data = row["revealSealed"]
            else { return nil }
            try db.execute(sql: "UPDATE twoFactor SET revealSession = NULL, revealSealed = NULL WHERE userId = ?", arguments: [userId])
            let text = try vault.open(
                Array(sealed), .recoveryReveal(userId: userId, session: session.tokenHash), keyVersion: vault.version)
            return text.split(separator: " ").map(String.init)
        }
    }

    /// Turns two-factor off: the password and a current code (or a recovery code) are both needed.
    public func disableTwoFactor(userId: Int64, email: String, password: String, code: String, address: String) throws {
        let now = self.now()
        try checkPassword(userId: userId, password: password, address: address, now: now)
        try writer.write { db in
            guard try Self.hasTwoFactor(db, userId: userId) else { throw DomainError.invalid(Self.codeError("Two-factor sign-in is off.")) }
            guard try secondFactor(db, userId: userId, typed: code, now: now) != nil else {
                // Counted like a wrong password: the form is no way round the sign-in throttle.
                var failure = LoginFailure(id: nil, email: email, address: address, at: now)
                try failure.insert(db)
                throw DomainError.invalid(Self.codeError("That code does not match."))
            }
            try db.execute(sql: "DELETE FROM twoFactor WHERE userId = ?", arguments: [userId])
            try db.execute(sql: "DELETE FROM recoveryCode WHERE userId = ?", arguments: [userId])
            try Self.notify(
                db, userId: userId, orgId: nil, kind: .twoFactorChanged, title: "Two-factor sign-in is off",
                link: SecurityWords.twoFactorPage,
                mail: NoticeMail(
                    subject: "Two-factor sign-in is off",
                    body: "Two-factor sign-in was turned off for your Wheelhouse account: signing in now asks for your "
                        + "password only.\n\nIf this was not you, sign in, change your password and turn two-factor on again."),
                now: now)
        }
    }

    /// What a typed second factor was: a TOTP code (its step is now used) or a recovery code (now
    /// spent, with how many remain); nil when it is neither. Writes in the caller's transaction.
    enum SecondFactor: Equatable { case code, recovery(left: Int) }

    func secondFactor(_ db: Database, userId: Int64, typed: String, now: Date) throws -> SecondFactor? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM twoFactor WHERE userId = ? AND enabledAt IS NOT NULL", arguments: [userId])
        else { return nil }
        let secret = Base32.decode(try vault.open(Array(row["sealed"] as Data), .twoFactor(userId: userId), keyVersion: row["keyVersion"]))!
        if let step = TOTP(secret: secret).matchingStep(typed, at: now, after: row["lastStep"]) {
            try db.execute(sql: "UPDATE twoFactor SET lastStep = ? WHERE userId = ?", arguments: [step, userId])
            return .code
        }
        guard let normalized = RecoveryCodes.normalized(typed) else { return nil }
        try db.execute(
            sql: "UPDATE recoveryCode SET usedAt = ? WHERE userId = ? AND codeHash = ? AND usedAt IS NULL",
            arguments: [now, userId, RecoveryCodes.hash(normalized, userId: userId)])
        guard db.changesCount == 1 else { return nil }
        let left =
            try Int.fetchOne(db, sql: "SELECT count(*) FROM recoveryCode WHERE userId = ? AND usedAt IS NULL", arguments: [userId]) ?? 0
        return .recovery(left: left)
    }

    /// Throws a refusal beside the password field unless `password` is the person's (see `passwordMatches`).
    func checkPassword(userId: Int64, password: String, address: String, now: Date) throws {
        guard let user = try reader.read({ db in try User.fetchOne(db, key: userId) }) else { throw DomainError.notFound }
        guard try passwordMatches(password, of: user, address: address, now: now) else {
            var errors = FieldErrors()
            errors.add("password", "That is not your password.")
            throw DomainError.invalid(errors)
        }
    }

    /// The person's TOTP secret, opened: what the tests compute codes from, as an app would.
    func twoFactorSecret(userId: Int64) throws -> [UInt8]? {
        let row = try reader.read { db in try Row.fetchOne(db, sql: "SELECT * FROM twoFactor WHERE userId = ?", arguments: [userId]) }
        return try row.map { try enrolment($0, email: "").secret }
    }

    private func enrolment(_ row: Row, email: String) throws -> TwoFactorEnrolment {
        let text = try vault.open(Array(row["sealed"] as Data), .twoFactor(userId: row["userId"]), keyVersion: row["keyVersion"])
        let secret = Base32.decode(text)!
        return TwoFactorEnrolment(secret: secret, base32: text, uri: TOTP.uri(secret: secret, account: email))
    }

    static func codeError(_ message: String) -> FieldErrors {
        var errors = FieldErrors()
        errors.add("code", message)
        return errors
    }
}

/// Recovery codes: 80 random bits as 16 base32 letters in groups of four (`abcd-efgh-…`). Random
/// enough that a salted SHA-256 is as safe to store as a slow hash would be.
enum RecoveryCodes {
    static func make() -> String {
        let letters = Base32.encode(Crypto.randomBytes(10)).lowercased()
        return stride(from: 0, to: 16, by: 4).map { i in
            String(letters[letters.index(letters.startIndex, offsetBy: i)..<letters.index(letters.startIndex, offsetBy: i + 4)])
        }.joined(separator: "-")
    }

    /// The code as stored: lower case, dashes where `make` puts them; nil when it cannot be one.
    static func normalized(_ typed: String) -> String? {
        let letters = typed.lowercased().unicodeScalars.filter { $0 != "-" && $0 != " " }
        guard letters.count == 16, Base32.decode(String(String.UnicodeScalarView(letters))) != nil else { return nil }
        let text = String(String.UnicodeScalarView(letters))
        return stride(from: 0, to: 16, by: 4).map { i in
            String(text[text.index(text.startIndex, offsetBy: i)..<text.index(text.startIndex, offsetBy: i + 4)])
        }.joined(separator: "-")
    }

    /// Bound to the person, so equal codes of two people never share a hash.
    static func hash(_ code: String, userId: Int64) -> Data {
        Data(Crypto.sha256("wheelhouse-recovery|\(userId)|\(code)"))
    }
}
