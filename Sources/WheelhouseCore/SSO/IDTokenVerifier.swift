import Foundation
import JWTKit

/// The claims of an ID token Wheelhouse reads (OpenID Connect Core 1.0 §2). Their checks are
/// made by `IDTokenVerifier` against its own clock, after jwt-kit checked the signature.
struct IDTokenClaims: JWTPayload {
    var iss: String
    var sub: String
    var aud: AudienceClaim
    var exp: Date
    var iat: Date?
    var nonce: String?
    var email: String?
    var email_verified: Bool?
    var name: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// Some providers send `email_verified` as the string "true".
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        iss = try c.decode(String.self, forKey: .iss)
        sub = try c.decode(String.self, forKey: .sub)
        aud = try c.decode(AudienceClaim.self, forKey: .aud)
        exp = Date(timeIntervalSince1970: try c.decode(Double.self, forKey: .exp))
        iat = try c.decodeIfPresent(Double.self, forKey: .iat).map(Date.init(timeIntervalSince1970:))
        nonce = try c.decodeIfPresent(String.self, forKey: .nonce)
        email = try c.decodeIfPresent(String.self, forKey: .email)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        if let flag = try? c.decodeIfPresent(Bool.self, forKey: .email_verified) {
            email_verified = flag
        } else {
            email_verified = (try? c.decodeIfPresent(String.self, forKey: .email_verified)) == "true"
        }
    }

    init(iss: String, sub: String, aud: String, exp: Date, iat: Date?, nonce: String?, email: String?, emailVerified: Bool?, name: String?)
    {
        (self.iss, self.sub, self.aud, self.exp, self.iat) = (iss, sub, AudienceClaim(value: [aud]), exp, iat)
        (self.nonce, self.email, self.email_verified, self.name) = (nonce, email, emailVerified, name)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(iss, forKey: .iss)
        try c.encode(sub, forKey: .sub)
        try c.encode(aud, forKey: .aud)
        try c.encode(Int(exp.timeIntervalSince1970), forKey: .exp)
        try c.encodeIfPresent(iat.map { Int($0.timeIntervalSince1970) }, forKey: .iat)
        try c.encodeIfPresent(nonce, forKey: .nonce)
        try c.encodeIfPresent(email, forKey: .email)
        try c.encodeIfPresent(email_verified, forKey: .email_verified)
        try c.encodeIfPresent(name, forKey: .name)
    }

    enum CodingKeys: String, CodingKey { case iss, sub, aud, exp, iat, nonce, email, email_verified, name }
}

/// Who the provider says signed in: what the sign-in decision needs.
public struct SSOIdentity: Sendable, Equatable {
    public var email: String
    public var name: String?
}

/// Checks an ID token with jwt-kit: the signature (RS256 or ES256 only) against the provider's
/// JWKS from the stored discovery, then issuer, audience, expiry and issue time (with
/// `SSORules.clockSkew`), the nonce (compared as SHA-256 with the stored hash) and a verified email.
/// jwt-kit's key collection is an actor: this blocks the calling worker thread until it answers
/// (`BlockingAsync`), which is why it is only called from `SSOWorker`, never from a request.
enum IDTokenVerifier {
    enum Failure: Error, Equatable {
        case malformed, algorithm, signature, issuer, audience, expired, notYetValid, nonce, noEmail, emailUnverified

        var message: String {
            switch self {
            case .malformed: "The provider's ID token could not be read."
            case .algorithm: "The ID token is not signed with RS256 or ES256."
            case .signature: "The ID token's signature does not match the provider's keys."
            case .issuer: "The ID token comes from another issuer than the one configured."
            case .audience: "The ID token was issued for another application (its audience is not this client ID)."
            case .expired: "The ID token has expired."
            case .notYetValid: "The ID token was issued in the future: check the clocks."
            case .nonce: "The ID token does not belong to this sign-in (its nonce does not match)."
            case .noEmail: "The provider sent no email address: add the “email” scope."
            case .emailUnverified: "The provider has not verified this email address."
            }
        }
    }

    static func verify(
        _ token: String, jwks: String, issuer: String, clientId: String, nonceHash: [UInt8], now: Date
    ) -> Result<SSOIdentity, Failure> {
        guard let alg = headerAlgorithm(token) else { return .failure(.malformed) }
        guard alg == "RS256" || alg == "ES256" else { return .failure(.algorithm) }
        let verified = BlockingAsync.run { () async -> Result<IDTokenClaims, Failure> in
            let keys = JWTKeyCollection()
            do {
                try await keys.add(jwksJSON: jwks)
            } catch {
                return .failure(.signature)
            }
            do {
                return .success(try await keys.verify(token, as: IDTokenClaims.self))
            } catch {
                return .failure(error is DecodingError ? .malformed : .signature)
            }
        }
        let claims: IDTokenClaims
        switch verified {
        case .failure(let failure): return .failure(failure)
        case .success(let found): claims = found
        }
        guard claims.iss == issuer else { return .failure(.issuer) }
        guard claims.aud.value.contains(clientId) else { return .failure(.audience) }
        guard claims.exp.addingTimeInterval(SSORules.clockSkew) > now else { return .failure(.expired) }
        if let iat = claims.iat, iat > now.addingTimeInterval(SSORules.clockSkew) { return .failure(.notYetValid) }
        guard let nonce = claims.nonce, Crypto.constantTimeEquals(Crypto.sha256(nonce), nonceHash) else { return .failure(.nonce) }
        guard let email = claims.email, !email.isEmpty else { return .failure(.noEmail) }
        guard claims.email_verified == true else { return .failure(.emailUnverified) }
        return .success(SSOIdentity(email: email, name: claims.name))
    }

    /// Whether jwt-kit reads the key set (checked when discovery stores it).
    static func acceptsKeySet(_ jwks: String) -> Bool {
        BlockingAsync.run { () async -> Bool in (try? await JWTKeyCollection().add(jwksJSON: jwks)) != nil }
    }

    /// The `alg` of the token's header, read before any key is chosen.
    static func headerAlgorithm(_ token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Base64URL.decode(String(parts[0])),
            let object = (try? JSONSerialization.jsonObject(with: Data(header))) as? [String: Any]
        else { return nil }
        return object["alg"] as? String
    }
}
