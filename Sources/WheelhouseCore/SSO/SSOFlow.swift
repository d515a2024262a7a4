import Foundation
import GRDB

/// Why a sign-in through SSO cannot start or go on, in words for the page that says so.
public struct SSOProblem: Error, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// A sign-in on its way to the provider: where to send the browser, and the cookie value that
/// binds the return to this browser.
public struct SSODeparture: Sendable {
    public var authorizationURL: String
    public var browserToken: String
}

enum SSOFormEncoding {
    static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func encode(_ items: [(String, String)]) -> String {
        items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")" }.joined(separator: "&")
    }
}

extension AppDatabase {
    /// The organization a person signs in to through SSO: by the domain of their email (a verified
    /// domain) or by the organization's key.
    public func ssoOrganization(emailOrKey typed: String) throws -> Int64 {
        let text = TextRules.trimmed(typed).lowercased()
        guard !text.isEmpty, text.utf8.count <= 254 else { throw SSOProblem("Enter your work email address or your organization's key.") }
        return try reader.read { db in
            let orgId: Int64?
            if let at = text.lastIndex(of: "@") {
                orgId = try Int64.fetchOne(
                    db, sql: "SELECT orgId FROM ssoDomain WHERE domain = ? AND state = 'verified'",
                    arguments: [String(text[text.index(after: at)...])])
                guard orgId != nil else { throw SSOProblem("No organization signs in with SSO for that email domain.") }
            } else {
                orgId = try Int64.fetchOne(db, sql: "SELECT id FROM organization WHERE key = ?", arguments: [text])
            }
            guard let orgId, let config = try Self.ssoConfiguration(db, orgId: orgId), config.isUsable else {
                throw SSOProblem("That organization has not set up single sign-on.")
            }
            return orgId
        }
    }

    /// Starts the authorization code flow with PKCE (S256): `state`, `nonce` and the verifier are
    /// fresh random values; only the hashes of state and nonce are stored, the verifier sealed.
    /// `tester` makes it a test sign-in of the SSO page (the person's session does not change).
    public func startSSO(orgId: Int64, tester: Int64? = nil, redirectURI: String) throws -> SSODeparture {
        let state = Crypto.randomToken(), nonce = Crypto.randomToken(), verifier = Crypto.randomToken()
        let browser = Crypto.randomToken()
        return try writer.write { db in
            guard let config = try Self.ssoConfiguration(db, orgId: orgId), config.isUsable,
                let endpoint = config.discovery.authorizationEndpoint
            else { throw SSOProblem("Single sign-on is not ready: save the configuration and wait for its discovery to succeed.") }
            try vault.requireCurrent(db)
            let now = self.now()
            try db.execute(
                sql: """
                    INSERT INTO ssoFlow (orgId, stateHash, nonceHash, browserHash, purpose, testerId, sealed, keyVersion, createdAt, expiresAt)
                    VALUES (?, ?, ?, ?, ?, ?, x'', ?, ?, ?)
                    """,
                arguments: [
                    orgId, Data(Crypto.sha256(state)), Data(Crypto.sha256(nonce)), Data(Crypto.sha256(browser)),
                    tester == nil ? "signIn" : "test", tester, vault.version, now, now.addingTimeInterval(SSORules.flowLifetime),
                ])
            let id = db.lastInsertedRowID
            try db.execute(
                sql: "UPDATE ssoFlow SET sealed = ? WHERE id = ?", arguments: [Data(vault.seal(verifier, .ssoFlow(flowId: id))), id])
            // Old flows go with each new one: nothing of them is needed after their ten minutes.
            try db.execute(sql: "DELETE FROM ssoFlow WHERE expiresAt < ?", arguments: [now.addingTimeInterval(-SSORules.flowLifetime)])
            let query = SSOFormEncoding.encode([
                ("response_type", "code"), ("client_id", config.clientId), ("redirect_uri", redirectURI), ("scope", config.scopes),
                ("state", state), ("nonce", nonce), ("code_challenge", Base64URL.encode(Crypto.sha256(verifier))),
                ("code_challenge_method", "S256"),
            ])
            return SSODeparture(authorizationURL: endpoint + (endpoint.contains("?") ? "&" : "?") + query, browserToken: browser)
        }
    }

    /// The provider sent the browser back: the state must be one of ours, unused, unexpired and
    /// started by this browser. It is used up here (a replayed callback finds it used), and the
    /// code is queued for `SSOWorker` to exchange. Returns the flow's id for the waiting page.
    @discardableResult
    public func ssoCallback(state: String, code: String?, providerError: String?, browserToken: String?) throws -> Int64 {
        guard !state.isEmpty, state.utf8.count <= 200 else {
            throw SSOProblem("The provider's answer carries no valid state: start the sign-in again.")
        }
        return try writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT id, browserHash, callbackAt, expiresAt, sealed, keyVersion FROM ssoFlow WHERE stateHash = ?",
                    arguments: [Data(Crypto.sha256(state))])
            else { throw SSOProblem("This sign-in is unknown (wrong or forged state): start the sign-in again.") }
            let id: Int64 = row["id"]
            let now = self.now()
            guard (row["callbackAt"] as Date?) == nil else { throw SSOProblem("This sign-in was already used: start the sign-in again.") }
            guard let browserToken, Crypto.constantTimeEquals(Array(row["browserHash"] as Data), Crypto.sha256(browserToken)) else {
                throw SSOProblem("This sign-in was started in another browser: start it again here.")
            }
            guard (row["expiresAt"] as Date) > now else { throw SSOProblem("This sign-in took longer than ten minutes: start it again.") }
            try db.execute(sql: "UPDATE ssoFlow SET callbackAt = ? WHERE id = ?", arguments: [now, id])
            if let providerError {
                try db.execute(
                    sql: "UPDATE ssoFlow SET exchangeState = 'failed', failure = ?, finishedAt = ?, sealed = x'' WHERE id = ?",
                    arguments: ["The provider refused the sign-in (\(String(providerError.prefix(80))))." as String, now, id])
                return id
            }
            guard let code, !code.isEmpty, code.utf8.count <= 2048 else { throw SSOProblem("The provider sent no authorization code.") }
            let verifier = try vault.open(Array(row["sealed"] as Data), .ssoFlow(flowId: id), keyVersion: row["keyVersion"])
            try db.execute(
                sql: "UPDATE ssoFlow SET exchangeState = 'queued', sealed = ?, keyVersion = ? WHERE id = ?",
                arguments: [Data(vault.seal(verifier + " " + code, .ssoFlow(flowId: id))), vault.version, id])
            return id
        }
    }
}
