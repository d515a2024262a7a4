import Foundation
import GRDB

/// A code a worker claimed for exchange, with what the token call and the ID token's checks need.
struct ClaimedExchange: Sendable {
    var flowId: Int64
    var claim: String
    var verifier: String
    var code: String
    var tokenEndpoint: String
    var clientId: String
    var clientSecret: String
    var issuer: String
    var jwks: String
    var nonceHash: [UInt8]
}

extension AppDatabase {
    /// A claimed exchange not finished within this time is failed (the provider hung, or the process died).
    static let exchangeLease: TimeInterval = 30

    func claimSSOExchange() throws -> ClaimedExchange? {
        let waiting = try reader.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM ssoFlow WHERE exchangeState IN ('queued', 'running'))") ?? false
        }
        guard waiting else { return nil }
        return try writer.write { db in
            let now = self.now()
            try db.execute(
                sql: """
                    UPDATE ssoFlow SET exchangeState = 'failed', failure = 'The provider did not answer in time.', finishedAt = ?, sealed = x''
                    WHERE exchangeState = 'running' AND exchangeClaimedAt < ?
                    """, arguments: [now, now.addingTimeInterval(-Self.exchangeLease)])
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT f.id, f.sealed, f.keyVersion, f.nonceHash, c.orgId, c.issuer, c.clientId, c.sealedSecret,
                               c.keyVersion AS secretVersion, c.tokenEndpoint, c.jwks
                        FROM ssoFlow f JOIN ssoConfig c ON c.orgId = f.orgId WHERE f.exchangeState = 'queued' ORDER BY f.id LIMIT 1
                        """)
            else { return nil }
            let id: Int64 = row["id"]
            let claim = Crypto.randomToken()
            func fail(_ message: String) throws -> ClaimedExchange? {
                try db.execute(
                    sql: "UPDATE ssoFlow SET exchangeState = 'failed', failure = ?, finishedAt = ?, sealed = x'' WHERE id = ?",
                    arguments: [message, now, id])
                return nil
            }
            guard let endpoint: String = row["tokenEndpoint"], let jwks: String = row["jwks"],
                let sealedSecret = row["sealedSecret"] as Data?
            else { return try fail("Single sign-on is not configured any more.") }
            guard
                let pair = try? vault.open(Array(row["sealed"] as Data), .ssoFlow(flowId: id), keyVersion: row["keyVersion"]),
                let space = pair.firstIndex(of: " "),
                let secret = try? vault.open(
                    Array(sealedSecret), .ssoClientSecret(orgId: row["orgId"], issuer: row["issuer"], clientId: row["clientId"]),
                    keyVersion: row["secretVersion"])
            else { return try fail("The stored client secret cannot be decrypted: enter it again on the SSO page.") }
            try db.execute(
                sql: "UPDATE ssoFlow SET exchangeState = 'running', exchangeClaim = ?, exchangeClaimedAt = ? WHERE id = ?",
                arguments: [claim, now, id])
            return ClaimedExchange(
                flowId: id, claim: claim, verifier: String(pair[..<space]), code: String(pair[pair.index(after: space)...]),
                tokenEndpoint: endpoint, clientId: row["clientId"], clientSecret: secret, issuer: row["issuer"], jwks: jwks,
                nonceHash: Array(row["nonceHash"] as Data))
        }
    }

    /// Records who the provider says signed in, or why not; the code and verifier are forgotten.
    func finishSSOExchange(_ claimed: ClaimedExchange, _ outcome: Result<SSOIdentity, SSOProblem>) throws {
        try writer.write { db in
            let (email, name, failure): (String?, String?, String?) =
                switch outcome {
                case .success(let identity): (identity.email, identity.name, nil)
                case .failure(let problem): (nil, nil, problem.message)
                }
            try db.execute(
                sql: """
                    UPDATE ssoFlow SET exchangeState = ?, resultEmail = ?, resultName = ?, failure = ?, finishedAt = ?, sealed = x''
                    WHERE id = ? AND exchangeClaim = ?
                    """,
                arguments: [failure == nil ? "done" : "failed", email, name, failure, now(), claimed.flowId, claimed.claim])
        }
    }
}

enum SSOTokenCall {
    /// The token request (RFC 6749 §4.1.3 with the PKCE verifier, client_secret_basic), then the
    /// ID token's checks. Runs on `SSOWorker`'s thread only.
    static func run(_ claimed: ClaimedExchange, redirectURI: String, http: OutboundHTTP, now: Date) -> Result<SSOIdentity, SSOProblem> {
        let body = SSOFormEncoding.encode([
            ("grant_type", "authorization_code"), ("code", claimed.code), ("redirect_uri", redirectURI),
            ("code_verifier", claimed.verifier), ("client_id", claimed.clientId),
        ])
        // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic's base64.
        let credentials =
            SSOFormEncoding.encode([("u", claimed.clientId)]).dropFirst(2) + ":"
            + SSOFormEncoding.encode([("p", claimed.clientSecret)]).dropFirst(2)
        let answer = http.post(
            claimed.tokenEndpoint,
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
                ("Authorization", "Basic " + Data(credentials.utf8).base64EncodedString()),
            ], body: Array(body.utf8))
        if let problem = answer.problem(calling: "The provider's token endpoint") { return .failure(SSOProblem(problem)) }
        guard case .response(let status, let bytes) = answer else {
            return .failure(SSOProblem("The token endpoint's answer could not be read."))
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
        guard status == 200 else {
            let reason = (json?["error"] as? String).map { " (\(String($0.prefix(60))))" } ?? ""
            return .failure(SSOProblem("The provider refused the code\(reason): it may have been used already. Start the sign-in again."))
        }
        guard let token = json?["id_token"] as? String else { return .failure(SSOProblem("The provider sent no ID token.")) }
        return IDTokenVerifier.verify(
            token, jwks: claimed.jwks, issuer: claimed.issuer, clientId: claimed.clientId, nonceHash: claimed.nonceHash, now: now
        ).mapError { SSOProblem($0.message) }
    }
}
