import Foundation
import GRDB

/// An organization's OpenID Connect configuration as the SSO page shows it: never the secret,
/// only whether one is stored and its hint.
public struct SSOConfiguration: Sendable, Equatable {
    public var issuer: String
    public var clientId: String
    public var secretHint: String?
    public var scopes: String
    public var jit: Bool
    public var defaultRole: Role
    public var version: Int
    public var updatedAt: Date
    public var discovery: SSODiscovery
    public var enforced: Bool
    public var testedAt: Date?
    public var testedEmail: String?
    public var testedUserId: Int64?

    static let columns = """
        issuer, clientId, secretHint, scopes, jit, defaultRole, version, updatedAt, discoveryState, discoveryStatus,
        discoveryError, discoveredAt, authorizationEndpoint, tokenEndpoint, keySummary, enforced, testedAt, testedEmail, testedUserId
        """

    init(row: Row) {
        issuer = row["issuer"]
        clientId = row["clientId"]
        secretHint = row["secretHint"]
        scopes = row["scopes"]
        jit = row["jit"]
        defaultRole = Role(rawValue: row["defaultRole"]) ?? .member
        version = row["version"]
        updatedAt = row["updatedAt"]
        discovery = SSODiscovery(
            pending: (row["discoveryState"] as String?) != nil, ok: (row["discoveryStatus"] as String?).map { $0 == "ok" },
            error: row["discoveryError"], at: row["discoveredAt"], authorizationEndpoint: row["authorizationEndpoint"],
            tokenEndpoint: row["tokenEndpoint"], keys: row["keySummary"])
        enforced = row["enforced"]
        testedAt = row["testedAt"]
        testedEmail = row["testedEmail"]
        testedUserId = row["testedUserId"]
    }

    /// Whether sign-in can start: the discovery document and its keys were fetched.
    public var isUsable: Bool { discovery.ok == true && secretHint != nil }

    /// Whether the last test sign-in is recent enough to enforce SSO.
    public func testIsFresh(now: Date) -> Bool {
        testedAt.map { now.timeIntervalSince($0) <= SSORules.testFreshness && $0 <= now.addingTimeInterval(SSORules.clockSkew) } ?? false
    }
}

/// What the last discovery fetch found, or why it failed (in plain words).
public struct SSODiscovery: Sendable, Equatable {
    /// Queued or running now.
    public var pending: Bool
    /// nil: never fetched.
    public var ok: Bool?
    public var error: String?
    public var at: Date?
    public var authorizationEndpoint: String?
    public var tokenEndpoint: String?
    /// "kid (alg), …" of the provider's signing keys.
    public var keys: String?
}

/// The configuration form's values as typed. An empty secret keeps the stored one.
public struct SSOConfigChange: Sendable {
    public var issuer: String
    public var clientId: String
    public var clientSecret: String
    public var scopes: String
    public var jit: String
    public var defaultRole: String
    /// 0 when no configuration was stored when the form was drawn.
    public var expectedVersion: Int

    public init(
        issuer: String, clientId: String, clientSecret: String, scopes: String, jit: String, defaultRole: String, expectedVersion: Int
    ) {
        (self.issuer, self.clientId, self.clientSecret, self.scopes) = (issuer, clientId, clientSecret, scopes)
        (self.jit, self.defaultRole, self.expectedVersion) = (jit, defaultRole, expectedVersion)
    }

    func validate(policy: OutboundPolicy, into errors: inout FieldErrors) {
        SSORules.checkIssuer(issuer, policy: policy, field: "issuer", into: &errors)
        TextRules.checkSingleLine(
            clientId, field: "client_id", label: "Client ID", required: true, maxLength: SSORules.maxClientId, into: &errors)
        TextRules.checkSingleLine(
            clientSecret, field: "client_secret", label: "Client secret", required: false, maxLength: SSORules.maxSecret, into: &errors)
        SSORules.checkScopes(scopes, field: "scopes", into: &errors)
        if !["on", "off"].contains(jit) { errors.add("jit", "Choose On or Off.") }
        if !["member", "admin"].contains(defaultRole) { errors.add("default_role", "Choose Member or Admin.") }
    }
}

extension AppDatabase {
    /// The organization's configuration; nil before the first save.
    public func ssoConfiguration(_ access: OrgAccess) throws -> SSOConfiguration? {
        try access.require(.manageSSO)
        return try reader.read { db in try Self.ssoConfiguration(db, orgId: access.org.id!) }
    }

    static func ssoConfiguration(_ db: Database, orgId: Int64) throws -> SSOConfiguration? {
        try Row.fetchOne(db, sql: "SELECT \(SSOConfiguration.columns) FROM ssoConfig WHERE orgId = ?", arguments: [orgId])
            .map(SSOConfiguration.init(row:))
    }

    /// Saves the configuration and queues its discovery fetch (run by `SSOWorker`, never here).
    /// The secret is sealed bound to the issuer and client id: a new issuer or client id needs it
    /// again. While SSO is enforced the issuer and client id cannot change (that would lock
    /// everyone out until a new test); turn enforcement off first.
    @discardableResult
    public func saveSSOConfiguration(
        orgKey: String, by actor: Actor, _ change: SSOConfigChange, policy: OutboundPolicy
    ) throws -> SSOConfiguration {
        var errors = FieldErrors()
        change.validate(policy: policy, into: &errors)
        let scopes = SSORules.normalizedScopes(change.scopes)
        return try writer.write { db in
            let access = try Self.access(db, orgKey: orgKey, userId: actor.user.id!)
            try access.require(.manageSSO)
            let orgId = access.org.id!
            let current = try Self.ssoConfiguration(db, orgId: orgId)
            let moved = current.map { $0.issuer != change.issuer || $0.clientId != change.clientId } ?? true
            if change.clientSecret.isEmpty, moved, errors.messages(for: "client_secret").isEmpty {
                errors.add(
                    "client_secret",
                    current == nil
                        ? "Enter the client secret."
                        : "Enter the client secret again: it is kept only for the issuer and client ID it was entered for.")
            }
            if let current, current.enforced, moved {
                errors.addForm("SSO is enforced: turn enforcement off before changing the issuer or client ID.")
            }
            try errors.throwIfAny()
            guard (current?.version ?? 0) == change.expectedVersion else { throw DomainError.staleVersion }
            try vault.requireCurrent(db)
            let now = self.now()
            let secret = change.clientSecret.isEmpty ? nil : change.clientSecret
            let sealed = secret.map {
                Data(vault.seal($0, .ssoClientSecret(orgId: orgId, issuer: change.issuer, clientId: change.clientId)))
            }
            let hint = secret.map(SecretRules.hint(for:))
            try db.execute(
                sql: """
                    INSERT INTO ssoConfig (orgId, issuer, clientId, sealedSecret, keyVersion, secretHint, scopes, jit, defaultRole,
                                           version, updatedAt, discoveryState, discoveryRequestedAt, discoveryRequestedBy)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10, 'queued', ?10, ?11)
                    ON CONFLICT (orgId) DO UPDATE SET issuer = ?2, clientId = ?3,
                        sealedSecret = coalesce(?4, sealedSecret), keyVersion = coalesce(?5, keyVersion), secretHint = coalesce(?6, secretHint),
                        scopes = ?7, jit = ?8, defaultRole = ?9, version = version + 1, updatedAt = ?10, discoveryState = 'queued',
                        discoveryRequestedAt = ?10, discoveryRequestedBy = ?11, discoveryClaim = NULL, discoveryClaimedAt = NULL
                    """,
                arguments: [
                    orgId, change.issuer, change.clientId, sealed, sealed == nil ? nil : vault.version, hint, scopes,
                    change.jit == "on", change.defaultRole, now, actor.user.id,
                ])
            if moved, current != nil {
                // The last discovery and test were about another provider.
                try db.execute(
                    sql: """
                        UPDATE ssoConfig SET discoveryStatus = NULL, discoveryError = NULL, discoveredAt = NULL, authorizationEndpoint = NULL,
                               tokenEndpoint = NULL, jwks = NULL, keySummary = NULL, testedAt = NULL, testedBy = NULL, testedEmail = NULL,
                               testedUserId = NULL WHERE orgId = ?
                        """, arguments: [orgId])
            }
            var summary = "issuer \(change.issuer), client \(change.clientId), scopes “\(scopes)”, "
            summary += "just-in-time \(change.jit == "on" ? "on as \(change.defaultRole)" : "off")"
            summary += secret == nil ? ", secret kept" : (current?.secretHint == nil ? ", secret set" : ", secret replaced")
            try AuditEvent(org: orgId, actor: actor, action: .ssoConfigure, target: "sso", summary: summary, at: now).insert(db)
            return try Self.ssoConfiguration(db, orgId: orgId)!
        }
    }

    /// Re-seals every SSO client secret under the next master key (inside `rotateMasterKey`);
    /// sign-ins in flight are dropped (they last ten minutes; the person starts again).
    func resealSSO(_ db: Database, to next: Vault) throws {
        let update = try db.makeStatement(sql: "UPDATE ssoConfig SET sealedSecret = ?, keyVersion = ? WHERE orgId = ?")
        for row in try Row.fetchAll(
            db, sql: "SELECT orgId, issuer, clientId, sealedSecret, keyVersion FROM ssoConfig WHERE sealedSecret IS NOT NULL")
        {
            let identity = SealedIdentity.ssoClientSecret(orgId: row["orgId"], issuer: row["issuer"], clientId: row["clientId"])
            let plain = try vault.open(Array(row["sealedSecret"] as Data), identity, keyVersion: row["keyVersion"])
            try update.execute(arguments: [Data(next.seal(plain, identity)), next.version, row["orgId"] as Int64])
        }
        try db.execute(sql: "DELETE FROM ssoFlow")
    }
}
