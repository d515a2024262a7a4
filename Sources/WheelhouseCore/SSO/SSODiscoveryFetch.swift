import Foundation
import GRDB

/// A discovery fetch a worker claimed: the issuer to ask, and what to check when recording.
struct ClaimedDiscovery: Sendable {
    var orgId: Int64
    var issuer: String
    var version: Int
    var claim: String
    var requestedBy: Int64?
}

/// What a discovery fetch found: the endpoints and the key set, or why it failed.
struct DiscoveryResult: Sendable, Equatable {
    var authorizationEndpoint = "", tokenEndpoint = "", jwks = "", keySummary = ""
    var failure: String?
}

extension OutboundResult {
    /// The failure in words a person can act on; nil for an answer (its status is judged by the caller).
    func problem(calling what: String) -> String? {
        switch self {
        case .response: nil
        case .blocked:
            "\(what) resolves to a private or local address, which Wheelhouse may not call (see WHEELHOUSE_OUTBOUND_ALLOW)."
        case .hostNotFound: "\(what): the host name was not found."
        case .refused: "\(what): the connection was refused."
        case .timedOut: "\(what) did not answer in time."
        case .tlsProblem: "\(what): the secure connection failed (certificate or TLS problem)."
        case .failed: "\(what): the connection failed."
        }
    }
}

enum SSODiscoveryFetch {
    /// Fetches the discovery document, then its key set, checking each address it names.
    static func run(issuer: String, http: OutboundHTTP) -> DiscoveryResult {
        var result = DiscoveryResult()
        func fail(_ message: String) -> DiscoveryResult {
            result.failure = message
            return result
        }
        let url = SSORules.discoveryURL(issuer)
        let answer = http.get(url, headers: [("Accept", "application/json")])
        if let problem = answer.problem(calling: "The discovery document") { return fail(problem) }
        guard case .response(let status, let body) = answer else { return fail("The discovery document could not be read.") }
        guard status == 200 else { return fail("The discovery document at \(url) answered HTTP \(status), not 200.") }
        guard let document = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            return fail("The discovery document at \(url) is not a JSON object.")
        }
        guard let named = document["issuer"] as? String, named == issuer else {
            return fail(
                "The discovery document names another issuer (“\(document["issuer"] as? String ?? "none")”); enter exactly that URL.")
        }
        var endpoints: [String: String] = [:]
        for key in ["authorization_endpoint", "token_endpoint", "jwks_uri"] {
            guard let value = document[key] as? String, !value.isEmpty else { return fail("The discovery document has no \(key).") }
            if let problem = SSORules.urlProblem(value, policy: http.policy) { return fail("Its \(key) cannot be used: \(problem)") }
            endpoints[key] = value
        }
        if let methods = document["code_challenge_methods_supported"] as? [String], !methods.contains("S256") {
            return fail("The provider does not support PKCE with S256, which Wheelhouse requires.")
        }
        let keysAnswer = http.get(endpoints["jwks_uri"]!, headers: [("Accept", "application/json")])
        if let problem = keysAnswer.problem(calling: "The key set (jwks_uri)") { return fail(problem) }
        guard case .response(let keyStatus, let keyBody) = keysAnswer, keyStatus == 200 else {
            return fail("The key set (jwks_uri) did not answer HTTP 200.")
        }
        guard let jwks = String(validating: keyBody, as: UTF8.self), let summary = keySummary(jwks) else {
            return fail("The key set (jwks_uri) holds no RS256 or ES256 signing key.")
        }
        guard IDTokenVerifier.acceptsKeySet(jwks) else { return fail("The key set (jwks_uri) could not be read as a JWK Set.") }
        result.authorizationEndpoint = endpoints["authorization_endpoint"]!
        result.tokenEndpoint = endpoints["token_endpoint"]!
        result.jwks = jwks
        result.keySummary = summary
        return result
    }

    /// "kid (RS256), …" of the signing keys Wheelhouse can use; nil when there is none.
    static func keySummary(_ jwks: String) -> String? {
        guard let set = (try? JSONSerialization.jsonObject(with: Data(jwks.utf8))) as? [String: Any],
            let keys = set["keys"] as? [[String: Any]]
        else { return nil }
        let usable = keys.compactMap { key -> String? in
            guard (key["use"] as? String ?? "sig") == "sig" else { return nil }
            let kty = key["kty"] as? String
            let alg = key["alg"] as? String ?? (kty == "RSA" ? "RS256" : kty == "EC" ? "ES256" : "")
            guard ["RS256", "ES256"].contains(alg) else { return nil }
            return "\(key["kid"] as? String ?? "no key id") (\(alg))"
        }
        return usable.isEmpty ? nil : usable.joined(separator: ", ")
    }
}

extension AppDatabase {
    /// Claims the oldest queued discovery (or one whose claim expired); nil when none waits.
    func claimSSODiscovery() throws -> ClaimedDiscovery? {
        let waiting = try reader.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM ssoConfig WHERE discoveryState IS NOT NULL)") ?? false
        }
        guard waiting else { return nil }
        return try writer.write { db in
            let now = self.now()
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT orgId, issuer, version, discoveryRequestedBy FROM ssoConfig
                        WHERE discoveryState = 'queued' OR (discoveryState = 'running' AND discoveryClaimedAt < ?)
                        ORDER BY discoveryRequestedAt LIMIT 1
                        """, arguments: [now.addingTimeInterval(-Self.checkLease)])
            else { return nil }
            let claim = Crypto.randomToken()
            try db.execute(
                sql: "UPDATE ssoConfig SET discoveryState = 'running', discoveryClaim = ?, discoveryClaimedAt = ? WHERE orgId = ?",
                arguments: [claim, now, row["orgId"] as Int64])
            return ClaimedDiscovery(
                orgId: row["orgId"], issuer: row["issuer"], version: row["version"], claim: claim, requestedBy: row["discoveryRequestedBy"])
        }
    }

    /// Records the result unless the configuration changed meanwhile (then its own fetch is queued).
    @discardableResult
    func finishSSODiscovery(_ claimed: ClaimedDiscovery, _ result: DiscoveryResult) throws -> Bool {
        try writer.write { db in
            let now = self.now()
            let ok = result.failure == nil
            try db.execute(
                sql: """
                    UPDATE ssoConfig SET discoveryState = NULL, discoveryClaim = NULL, discoveryClaimedAt = NULL, discoveryStatus = ?,
                           discoveryError = ?, discoveredAt = ?, authorizationEndpoint = ?, tokenEndpoint = ?, jwks = ?, keySummary = ?
                    WHERE orgId = ? AND discoveryClaim = ? AND version = ?
                    """,
                arguments: [
                    ok ? "ok" : "failed", result.failure, now, ok ? result.authorizationEndpoint : nil, ok ? result.tokenEndpoint : nil,
                    ok ? result.jwks : nil, ok ? result.keySummary : nil, claimed.orgId, claimed.claim, claimed.version,
                ])
            guard db.changesCount == 1 else { return false }
            try AuditEvent(
                id: nil, orgId: claimed.orgId, actorUserId: claimed.requestedBy, action: .ssoDiscovery, target: "sso",
                summary: ok
                    ? "discovery of \(claimed.issuer): keys \(result.keySummary)"
                    : "discovery of \(claimed.issuer) failed: \(result.failure!)",
                address: "worker", createdAt: now
            ).insert(db)
            return true
        }
    }
}
