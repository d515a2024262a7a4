import Foundation
import GRDB

/// Migration "v16-api-keys". A key's id stays through rotations; only hashes of secrets are
/// stored (the current one, and the previous one with the end of its grace). A revoked or
/// rotated-out hash stays, so a request with it is told "revoked" rather than "unknown".
/// `apiKeyReveal` holds a new secret, sealed with the master key, until the page that shows it
/// once is opened by the same session.
enum APIKeySchema {
    static let sql = """
        CREATE TABLE apiKey (
            id INTEGER PRIMARY KEY,
            orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
            scopes TEXT NOT NULL CHECK (length(scopes) BETWEEN 1 AND 300),
            createdBy INTEGER REFERENCES user(id) ON DELETE SET NULL,
            createdAt DATETIME NOT NULL,
            expiresAt DATETIME,
            revokedAt DATETIME,
            secretHash BLOB NOT NULL CHECK (length(secretHash) = 32),
            displayPrefix TEXT NOT NULL CHECK (length(displayPrefix) BETWEEN 5 AND 20),
            rotatedAt DATETIME,
            previousHash BLOB CHECK (previousHash IS NULL OR length(previousHash) = 32),
            previousUntil DATETIME,
            lastUsedAt DATETIME,
            lastUsedAddress TEXT CHECK (lastUsedAddress IS NULL OR length(lastUsedAddress) <= 100),
            -- Bits of APIKeyRules.notices already sent (or past when the key was made).
            noticesSent INTEGER NOT NULL DEFAULT 0 CHECK (noticesSent BETWEEN 0 AND 7),
            version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
            CHECK ((previousHash IS NULL) = (previousUntil IS NULL))
        );
        CREATE UNIQUE INDEX apiKey_secret ON apiKey(secretHash);
        CREATE UNIQUE INDEX apiKey_previous ON apiKey(previousHash) WHERE previousHash IS NOT NULL;
        CREATE INDEX apiKey_org ON apiKey(orgId, id);
        CREATE UNIQUE INDEX apiKey_name ON apiKey(orgId, name COLLATE NOCASE) WHERE revokedAt IS NULL;
        CREATE INDEX apiKey_expiring ON apiKey(expiresAt) WHERE expiresAt IS NOT NULL AND revokedAt IS NULL;
        CREATE TABLE apiKeyPolicy (
            orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
            maxDays INTEGER NOT NULL CHECK (maxDays IN (0, 30, 90, 365)),
            version INTEGER NOT NULL CHECK (version > 0),
            updatedAt DATETIME NOT NULL
        );
        CREATE TABLE apiKeyReveal (
            sessionHash BLOB PRIMARY KEY REFERENCES session(tokenHash) ON DELETE CASCADE,
            keyId INTEGER NOT NULL REFERENCES apiKey(id) ON DELETE CASCADE,
            sealed BLOB NOT NULL CHECK (length(sealed) >= 28),
            keyVersion INTEGER NOT NULL CHECK (keyVersion >= 1),
            createdAt DATETIME NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX apiKeyReveal_key ON apiKeyReveal(keyId);
        """

    static func policy(_ db: Database, orgId: Int64) throws -> APIKeyPolicySetting {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT maxDays, version FROM apiKeyPolicy WHERE orgId = ?"), arguments: [orgId])
        guard let row else { return APIKeyPolicySetting(policy: .none, version: 0) }
        return APIKeyPolicySetting(policy: APIKeyLifetimePolicy(rawValue: row[0]) ?? .none, version: row[1])
    }
}

/// An organization's key lifetime policy with the version its form carries (0: never set).
public struct APIKeyPolicySetting: Sendable, Equatable {
    public var policy: APIKeyLifetimePolicy
    public var version: Int

    public init(policy: APIKeyLifetimePolicy, version: Int) {
        self.policy = policy
        self.version = version
    }
}

/// A key as the tab shows it: never a secret, only its display prefix.
public struct APIKeySummary: Sendable, Equatable {
    public var id: Int64
    public var orgId: Int64
    public var name: String
    public var scopes: Set<APIScope>
    public var createdById: Int64?
    /// The creator's name, or nil once their account is gone.
    public var createdByName: String?
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?
    public var displayPrefix: String
    public var rotatedAt: Date?
    /// When the previous secret stops working; nil without a rotation still in its grace.
    public var previousUntil: Date?
    public var lastUsedAt: Date?
    public var lastUsedAddress: String?
    public var version: Int
    public var status: APIKeyStatus

    static let columns = """
        k.id, k.orgId, k.name, k.scopes, k.createdBy, u.name, k.createdAt, k.expiresAt, k.revokedAt, k.displayPrefix,
        k.rotatedAt, k.previousUntil, k.lastUsedAt, k.lastUsedAddress, k.version
        """
    static let from = "apiKey k LEFT JOIN user u ON u.id = k.createdBy"

    init(row: Row, policy: APIKeyLifetimePolicy, now: Date) {
        id = row[0]
        orgId = row[1]
        name = row[2]
        scopes = APIKeyRules.scopes(row[3])
        createdById = row[4]
        createdByName = row[5]
        createdAt = row[6]
        expiresAt = row[7]
        revokedAt = row[8]
        displayPrefix = row[9]
        rotatedAt = row[10]
        let until: Date? = row[11]
        previousUntil = until.flatMap { $0 > now ? $0 : nil }
        lastUsedAt = row[12]
        lastUsedAddress = row[13]
        version = row[14]
        status = Self.status(revokedAt: revokedAt, createdAt: createdAt, expiresAt: expiresAt, policy: policy, now: now)
    }

    /// Revoked, then expired, then blocked: the order a request is refused in.
    static func status(revokedAt: Date?, createdAt: Date, expiresAt: Date?, policy: APIKeyLifetimePolicy, now: Date) -> APIKeyStatus {
        if revokedAt != nil { return .revoked }
        if let expiresAt, expiresAt <= now { return .expired }
        if !policy.allows(createdAt: createdAt, expiresAt: expiresAt) { return .blockedByPolicy }
        if let expiresAt, expiresAt.timeIntervalSince(now) <= APIKeyRules.soon { return .expiringSoon }
        return .active
    }
}

/// What `createAPIKey` and `rotateAPIKey` return: the key and its new secret, which exists
/// nowhere else (the caller shows it once and forgets it).
public struct IssuedAPIKey: Sendable {
    public var key: APIKeySummary
    public var secret: String
}
