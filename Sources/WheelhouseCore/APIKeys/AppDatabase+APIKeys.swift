import Foundation
import GRDB

/// The create form's values as sent: the domain checks every one and reports all problems at
/// once, each beside its field (`name`, `scopes`, `expiry`, `expiry_date`).
public struct NewAPIKey: Sendable {
    public var name: String
    /// Raw scope values as ticked (`org:read`, …); unknown ones are refused, not dropped.
    public var scopes: [String]
    /// The expiry select's value (`7`, `30`, `60`, `90`, `365`, `date`, `never`).
    public var expiry: String
    /// `YYYY-MM-DD`, read only when `expiry` is `date`.
    public var expiryDate: String

    public init(name: String, scopes: [String], expiry: String, expiryDate: String = "") {
        (self.name, self.scopes, self.expiry, self.expiryDate) = (name, scopes, expiry, expiryDate)
    }
}

/// Platform API keys of an organization (Owner and Admin, `manageAPIKeys`): reading the list and
/// making keys. Rotation, revocation and the policy are in `AppDatabase+APIKeyChanges`.
extension AppDatabase {
    /// Every key of the organization, newest first; revoked and expired ones stay listed.
    public func apiKeys(_ access: OrgAccess) throws -> [APIKeySummary] {
        try access.require(.manageAPIKeys)
        let now = self.now()
        return try reader.read { db in
            let policy = try APIKeySchema.policy(db, orgId: access.org.id!).policy
            return try Row.fetchAll(
                db.cachedStatement(
                    sql:
                        "SELECT \(APIKeySummary.columns) FROM \(APIKeySummary.from) WHERE k.orgId = ? AND k.kind = 'platform' ORDER BY k.id DESC"
                ),
                arguments: [access.org.id]
            ).map { APIKeySummary(row: $0, policy: policy, now: now) }
        }
    }

    /// One key of the organization; another organization's id (or none) is `.notFound`.
    public func apiKey(id: Int64, _ access: OrgAccess) throws -> APIKeySummary {
        try access.require(.manageAPIKeys)
        return try reader.read { db in try Self.apiKey(db, id: id, orgId: access.org.id!, now: now()) }
    }

    /// Editor tokens (`kind` "editor", Integrations) are keys too, but never on this tab.
    static func apiKey(_ db: Database, id: Int64, orgId: Int64, now: Date, kind: String = "platform") throws -> APIKeySummary {
        let policy = try APIKeySchema.policy(db, orgId: orgId).policy
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT \(APIKeySummary.columns) FROM \(APIKeySummary.from) WHERE k.id = ? AND k.orgId = ? AND k.kind = ?"),
                arguments: [id, orgId, kind])
        else { throw DomainError.notFound }
        return APIKeySummary(row: row, policy: policy, now: now)
    }

    public func apiKeyPolicy(orgId: Int64) throws -> APIKeyPolicySetting {
        try reader.read { db in try APIKeySchema.policy(db, orgId: orgId) }
    }

    /// Makes a key. The secret is returned once and stored only as its SHA-256; with `revealTo`,
    /// it is also held sealed for that session's one showing (`takeAPIKeyReveal`), in the same
    /// transaction as the key and its audit entry (which names neither the secret nor its prefix).
    public func createAPIKey(
        orgKey: String, _ form: NewAPIKey, by actor: Actor, revealTo session: SessionRecord? = nil
    ) throws -> IssuedAPIKey {
        try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageAPIKeys)
            let orgId = access.org.id!, now = self.now()
            let policy = try APIKeySchema.policy(db, orgId: orgId).policy
            var errors = FieldErrors()
            TextRules.checkSingleLine(
                form.name, field: "name", label: "Name", required: true, maxLength: APIKeyRules.maxNameLength, into: &errors)
            if errors.byField["name"] == nil,
                try Bool.fetchOne(
                    db,
                    sql:
                        "SELECT EXISTS (SELECT 1 FROM apiKey WHERE orgId = ? AND name = ? COLLATE NOCASE AND revokedAt IS NULL AND kind = 'platform')",
                    arguments: [orgId, form.name])!
            {
                errors.add("name", "A key named \(form.name) already exists here. Choose another name, or rotate that key.")
            }
            let scopes = Self.checkScopes(form.scopes, role: access.role, into: &errors)
            let expiresAt = Self.checkExpiry(form, policy: policy, now: now, into: &errors)
            try errors.throwIfAny()
            let secret = APIKeyFormat.generate()
            try db.execute(
                sql: """
                    INSERT INTO apiKey (orgId, name, scopes, createdBy, createdAt, expiresAt, secretHash, displayPrefix, noticesSent)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    orgId, form.name, APIKeyRules.stored(scopes), actor.user.id, now, expiresAt, Data(Crypto.sha256(secret)),
                    APIKeyFormat.displayPrefix(secret), APIKeyRules.noticesPast(lifetime: expiresAt?.timeIntervalSince(now)),
                ])
            let id = db.lastInsertedRowID
            if let session { try holdForReveal(db, secret: secret, keyId: id, session: session, now: now) }
            try AuditEvent(
                org: orgId, actor: actor, action: .apiKeyCreate, target: "apiKey:\(id)",
                summary: "created API key \(form.name) (\(APIKeyRules.stored(scopes)); "
                    + (expiresAt.map { "expires \(UTCDay.string($0))" } ?? "never expires") + ")", at: now
            ).insert(db)
            return IssuedAPIKey(key: try Self.apiKey(db, id: id, orgId: orgId, now: now), secret: secret)
        }
    }

    /// Non-empty, every value a known scope this role may grant.
    static func checkScopes(_ raw: [String], role: Role, into errors: inout FieldErrors) -> Set<APIScope> {
        if raw.isEmpty { errors.add("scopes", "Choose at least one scope.") }
        let grantable = Set(APIScope.grantable(by: role))
        var scopes = Set<APIScope>()
        for value in raw {
            guard let scope = APIScope(rawValue: value) else {
                errors.add("scopes", "“\(TextRules.displayable(String(value.prefix(40))))” is not a scope.")
                continue
            }
            guard grantable.contains(scope) else {
                errors.add("scopes", "As \(role.label) you cannot grant \(scope.rawValue): a key never does more than its maker may.")
                continue
            }
            scopes.insert(scope)
        }
        return scopes
    }

    /// The expiry date the form asks for, refused beside `expiry` or `expiry_date` when it is not
    /// offered, not a future date, or longer than the policy allows.
    static func checkExpiry(_ form: NewAPIKey, policy: APIKeyLifetimePolicy, now: Date, into errors: inout FieldErrors) -> Date? {
        guard let expiry = APIKeyExpiry(choice: form.expiry, date: form.expiryDate) else {
            errors.add("expiry", "Choose when the key expires.")
            return nil
        }
        let maxDays = policy.maxDays ?? APIKeyRules.maxDays
        let words = policy.maxDays.map { "The organization's policy allows keys of at most \($0) days." } ?? ""
        switch expiry {
        case .never:
            if policy != .none { errors.add("expiry", "\(words) Choose an expiry.") }
            return nil
        case .days(let days):
            if days > maxDays { errors.add("expiry", "\(words) Choose a shorter expiry.") }
            return now.addingTimeInterval(TimeInterval(days) * 86_400)
        case .date(let text):
            guard let day = UTCDay.parse(text) else {
                errors.add("expiry_date", "Enter the date as YYYY-MM-DD.")
                return nil
            }
            let startOfToday = UTCDay.startOfDay(now)
            if day <= now {
                errors.add("expiry_date", "The date must be after today.")
            } else if day > startOfToday.addingTimeInterval(TimeInterval(maxDays) * 86_400) {
                errors.add(
                    "expiry_date", words.isEmpty ? "The date must be within \(maxDays / 365) years." : "\(words) Choose an earlier date.")
            }
            return day
        }
    }

    // MARK: - The one showing of a new secret

    /// Holds `secret` sealed for `session`'s next visit of the key's secret page (one slot per
    /// session: a newer secret replaces an unseen older one, which can still be rotated).
    func holdForReveal(_ db: Database, secret: String, keyId: Int64, session: SessionRecord, now: Date) throws {
        try vault.requireCurrent(db)
        let sealed = vault.seal(secret, .apiKeyReveal(keyId: keyId, session: session.tokenHash))
        try db.execute(
            sql: "INSERT OR REPLACE INTO apiKeyReveal (sessionHash, keyId, sealed, keyVersion, createdAt) VALUES (?, ?, ?, ?, ?)",
            arguments: [session.tokenHash, keyId, Data(sealed), vault.version, now])
    }

    /// The secret held for `session` and key `keyId`, removed as it is read, so it is shown once;
    /// nil when there is none (already shown, another session, older than `revealWindow`).
    public func takeAPIKeyReveal(keyId: Int64, session: SessionRecord) throws -> String? {
        try writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT sealed, keyVersion, createdAt FROM apiKeyReveal WHERE sessionHash = ? AND keyId = ?",
                    arguments: [session.tokenHash, keyId])
            else { return nil }
            try db.execute(sql: "DELETE FROM apiKeyReveal WHERE sessionHash = ?", arguments: [session.tokenHash])
            guard now().timeIntervalSince(row["createdAt"] as Date) <= APIKeyRules.revealWindow else { return nil }
            return try? vault.open(
                Array(row["sealed"] as Data), .apiKeyReveal(keyId: keyId, session: session.tokenHash), keyVersion: row["keyVersion"])
        }
    }

    /// Whether a secret of key `keyId` still waits to be shown to `session` (the 409 after a
    /// double-submitted rotation links to it).
    public func hasAPIKeyReveal(keyId: Int64, session: SessionRecord) throws -> Bool {
        try reader.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM apiKeyReveal WHERE sessionHash = ? AND keyId = ? AND createdAt > ?)",
                arguments: [session.tokenHash, keyId, now().addingTimeInterval(-APIKeyRules.revealWindow)])!
        }
    }
}
