import Foundation
import GRDB

/// The key that encrypts every stored secret and provider key (AES-256-GCM). It never enters the
/// database: it lives in a 0600 file in the data directory (`MasterKeyFile`). The database keeps
/// only a check value (HMAC-SHA256 of a fixed label under the key) and the key's version in the
/// single-row table `masterKeyCheck`, so a missing or wrong key stops the process at start-up
/// instead of failing at the first decryption, and a new key is never made over old data.
public struct MasterKey: Sendable {
    let bytes: [UInt8]
    let cipher: AESGCM

    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else { throw AESGCM.Failure.badKey }
        self.bytes = bytes
        cipher = try AESGCM(key: bytes)
    }

    /// A new random 256-bit key. Tests use one per in-memory database.
    public static func generate() -> MasterKey {
        // 32 random bytes always make a valid key.
        try! MasterKey(bytes: Crypto.randomBytes(32))
    }

    static let checkLabel = Array("wheelhouse master key check v1".utf8)

    /// Tells whether a key is the one the data was written with, without revealing the key.
    var checkValue: [UInt8] { Crypto.hmacSHA256(key: bytes, data: Self.checkLabel) }

    /// The file form: one line of URL-safe base64.
    var fileText: String { Base64URL.encode(bytes) + "\n" }

    init?(fileText: String) {
        guard let bytes = Base64URL.decode(fileText.trimmingCharacters(in: .whitespacesAndNewlines)),
            bytes.count == 32
        else { return nil }
        try? self.init(bytes: bytes)
    }
}

/// Where an `AppDatabase` gets its master key: a key in memory (tests) or the key file of a data
/// directory (the CLI), created there on first start.
public enum MasterKeySource: Sendable {
    case key(MasterKey)
    case file(MasterKeyFile)
}

/// Why the process will not start; each message says what to do.
public enum MasterKeyError: Error, CustomStringConvertible, Equatable {
    case missing(path: String, encryptedRecords: Int)
    case wrongKey(path: String)
    case malformed(path: String)
    case tooOpen(path: String, mode: String)
    case unreadable(path: String, reason: String)
    /// The database's key changed under a running process (`rotate-master-key` ran meanwhile).
    case changedSinceStart

    public var description: String {
        switch self {
        case .missing(let path, let count):
            "The master key file \(path) is missing, but the database holds \(count) encrypted secret(s) and "
                + "provider key(s) written with it. Restore the file from your backup (mode 0600). Wheelhouse "
                + "will not create a new key over existing encrypted data."
        case .wrongKey(let path):
            "The master key in \(path) is not the key the database's secrets were encrypted with. Restore the "
                + "right key file from your backup; the database was not changed."
        case .malformed(let path):
            "The master key file \(path) is not a Wheelhouse master key (one line of base64 holding 32 bytes)."
        case .tooOpen(let path, let mode):
            "The master key file \(path) has mode \(mode): other users may read it. Run `chmod 600 \(path)` and start again."
        case .unreadable(let path, let reason):
            "The master key file \(path) cannot be read or written: \(reason)."
        case .changedSinceStart:
            "The master key was rotated after this process started: restart it to load the new key."
        }
    }
}

/// The master key as one process holds it, with its version (bound into every ciphertext's
/// associated data, and raised by each rotation).
struct Vault: Sendable {
    let key: MasterKey
    let version: Int

    func seal(_ plaintext: String, _ identity: SealedIdentity) -> [UInt8] {
        key.cipher.seal(Array(plaintext.utf8), associatedData: identity.associatedData(keyVersion: version))
    }

    func open(_ sealed: [UInt8], _ identity: SealedIdentity, keyVersion: Int) throws -> String {
        let plain = try key.cipher.open(sealed, associatedData: identity.associatedData(keyVersion: keyVersion))
        guard let text = String(validating: plain, as: UTF8.self) else { throw AESGCM.Failure.tamperedOrWrongKey }
        return text
    }

    /// Refuses to write with a key that is no longer the database's (another process rotated it).
    func requireCurrent(_ db: Database) throws {
        let row = try Row.fetchOne(db, sql: "SELECT version, checkValue FROM masterKeyCheck WHERE id = 1")
        guard let row, row["version"] as Int == version,
            Crypto.constantTimeEquals(Array(row["checkValue"] as Data), key.checkValue)
        else { throw MasterKeyError.changedSinceStart }
    }
}

/// What a ciphertext belongs to. Bound as associated data, so a ciphertext copied to another row,
/// person, organization or key version fails to decrypt.
enum SealedIdentity {
    case secret(orgId: Int64, ownerId: Int64, id: String)
    /// A provider key, bound to its kind and base URL: the key opens only for the endpoint it was
    /// entered for, so pointing a provider elsewhere needs the key again (`keyBinding` 2).
    case provider(orgId: Int64, id: String, kind: String, baseURL: String)
    /// Provider keys written before the base URL was bound (`keyBinding` 1); re-sealed at start.
    case legacyProvider(orgId: Int64, id: String)
    /// A new API key's secret waiting for its one showing to the session that made it.
    case apiKeyReveal(keyId: Int64, session: Data)
    /// A person's TOTP secret.
    case twoFactor(userId: Int64)
    /// New recovery codes waiting for their one showing to the session that turned two-factor on.
    case recoveryReveal(userId: Int64, session: Data)
    /// A webhook endpoint's signing secret, or an organization's Slack URL (`kind`).
    case integration(orgId: Int64, id: Int64, kind: String)
    /// A new signing secret waiting for its one showing to the session that made it.
    case webhookReveal(endpointId: Int64, session: Data)
    /// An organization's OpenID Connect client secret, bound to the issuer and client id it was
    /// entered for: pointing SSO at another provider needs the secret again.
    case ssoClientSecret(orgId: Int64, issuer: String, clientId: String)
    /// A sign-in in flight: its PKCE verifier (and, after the callback, the code).
    case ssoFlow(flowId: Int64)

    /// The identity a provider row's `keyBinding` says its ciphertext was sealed with.
    static func provider(_ row: Row) -> SealedIdentity {
        (row["keyBinding"] as Int? ?? 1) == 1
            ? .legacyProvider(orgId: row["orgId"], id: row["id"])
            : .provider(orgId: row["orgId"], id: row["id"], kind: row["kind"], baseURL: row["baseURL"])
    }

    func associatedData(keyVersion: Int) -> [UInt8] {
        switch self {
        case .secret(let org, let owner, let id): Array("wheelhouse/secret|org=\(org)|owner=\(owner)|id=\(id)|key=\(keyVersion)".utf8)
        case .legacyProvider(let org, let id): Array("wheelhouse/provider|org=\(org)|id=\(id)|key=\(keyVersion)".utf8)
        case .apiKeyReveal(let key, let session):
            Array("wheelhouse/api-key-reveal|id=\(key)|session=\(Array(session).hexString)|key=\(keyVersion)".utf8)
        case .twoFactor(let user): Array("wheelhouse/two-factor|user=\(user)|key=\(keyVersion)".utf8)
        case .recoveryReveal(let user, let session):
            Array("wheelhouse/recovery-reveal|user=\(user)|session=\(Array(session).hexString)|key=\(keyVersion)".utf8)
        case .ssoClientSecret(let org, let issuer, let client):
            Array("wheelhouse/sso-secret|org=\(org)|key=\(keyVersion)|issuer=\(issuer.utf8.count):\(issuer)|client=\(client)".utf8)
        case .ssoFlow(let flow): Array("wheelhouse/sso-flow|flow=\(flow)|key=\(keyVersion)".utf8)
        case .provider(let org, let id, let kind, let url):
            Array("wheelhouse/provider2|org=\(org)|id=\(id)|key=\(keyVersion)|kind=\(kind)|url=\(url.utf8.count):\(url)".utf8)
        case .integration(let org, let id, let kind):
            Array("wheelhouse/integration|org=\(org)|id=\(id)|kind=\(kind)|key=\(keyVersion)".utf8)
        case .webhookReveal(let id, let session):
            Array("wheelhouse/webhook-reveal|id=\(id)|session=\(Array(session).hexString)|key=\(keyVersion)".utf8)
        }
    }
}

extension MasterKeySource {
    /// The key, checked against the database (and registered there when no key is yet).
    func unlock(_ writer: any DatabaseWriter) throws -> Vault {
        switch self {
        case .key(let key): try MasterKeyFile.register(key, writer)
        case .file(let file): try file.unlock(writer)
        }
    }
}
