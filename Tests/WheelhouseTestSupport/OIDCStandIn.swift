import Foundation
import JWTKit
import Synchronization
import WheelhouseCore

/// An OpenID Connect provider on loopback for the SSO tests: a discovery document, a JWKS with
/// one ES256 key, and a token endpoint that signs ID tokens with jwt-kit. `authorize` plays the
/// person signing in at the provider: it reads the nonce from Wheelhouse's authorization URL and
/// hands back a code (and the state to return). `mode` chooses what the next tokens get wrong.
public final class OIDCStandIn: Sendable {
    public enum Mode: Sendable { case good, wrongAudience, expired, badSignature, unverifiedEmail, wrongIssuer }

    public let port: UInt16
    public let clientId = "wheelhouse-test"
    public let clientSecret = "stand-in-secret-123456789"
    let listener: Int32
    let key = ES256PrivateKey()
    let strangerKey = ES256PrivateKey()
    struct State: Sendable {
        var mode = Mode.good
        var email = "person@acme.test"
        var codes: [String: String] = [:]
        var used: Set<String> = []
        var tokenRequests: [String] = []
    }
    let state = Mutex(State())

    public var issuer: String { "http://127.0.0.1:\(port)" }

    public init() throws {
        (listener, port) = try Loopback.bind(listening: 16)
        let thread = Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                serve(client)
                close(client)
            }
        }
        thread.start()
    }

    deinit { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    public func set(mode: Mode, email: String? = nil) {
        state.withLock {
            $0.mode = mode
            if let email { $0.email = email }
        }
    }

    /// The bodies of the token requests received, in order.
    public var tokenRequests: [String] { state.withLock { $0.tokenRequests } }

    /// The provider's side of signing in: a code for the authorization URL's nonce, and its state.
    public func authorize(_ url: String) -> (code: String, state: String) {
        let items = URLComponents(string: url)?.queryItems ?? []
        let value = { (name: String) in items.first { $0.name == name }?.value ?? "" }
        let code = "code-" + UUID().uuidString
        state.withLock { $0.codes[code] = value("nonce") }
        return (code, value("state"))
    }

    var jwks: String {
        let p = key.publicKey.parameters!
        return #"{"keys":[{"kty":"EC","crv":"P-256","x":"\#(p.x)","y":"\#(p.y)","kid":"k1","alg":"ES256","use":"sig"}]}"#
    }

    private func serve(_ client: Int32) {
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let text = String(decoding: request, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let length =
                    text[..<end.lowerBound].split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound) + length <= request.count { break }
            }
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { break }
            request += buffer[0..<count]
        }
        let text = String(decoding: request, as: UTF8.self)
        let line = text.prefix { $0 != "\r" }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        let (status, answer): (Int, String)
        if line.hasPrefix("GET /.well-known/openid-configuration") {
            (status, answer) = (
                200,
                #"{"issuer":"\#(issuer)","authorization_endpoint":"\#(issuer)/authorize","token_endpoint":"\#(issuer)/token","jwks_uri":"\#(issuer)/jwks","code_challenge_methods_supported":["S256"]}"#
            )
        } else if line.hasPrefix("GET /jwks") {
            (status, answer) = (200, jwks)
        } else if line.hasPrefix("POST /token") {
            (status, answer) = token(body)
        } else {
            (status, answer) = (404, "{}")
        }
        let response =
            "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(answer.utf8.count)\r\nConnection: close\r\n\r\n\(answer)"
        _ = response.withCString { write(client, $0, strlen($0)) }
    }

    private func token(_ body: String) -> (Int, String) {
        let fields = Dictionary(
            body.split(separator: "&").map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }, uniquingKeysWith: { $1 })
        let (nonce, snapshot) = state.withLock { s -> (String?, State) in
            s.tokenRequests.append(body)
            let code = fields["code"] ?? ""
            guard let nonce = s.codes[code], !s.used.contains(code) else { return (nil, s) }
            s.used.insert(code)
            return (nonce, s)
        }
        guard let nonce else { return (400, #"{"error":"invalid_grant"}"#) }
        let now = Date()
        let claims = StandInClaims(
            iss: snapshot.mode == .wrongIssuer ? "https://elsewhere.test" : issuer, sub: "user-1",
            aud: snapshot.mode == .wrongAudience ? "someone-else" : clientId,
            exp: Int(now.timeIntervalSince1970) + (snapshot.mode == .expired ? -600 : 300), iat: Int(now.timeIntervalSince1970) - 5,
            nonce: nonce, email: snapshot.email, email_verified: snapshot.mode != .unverifiedEmail, name: "Pat Person")
        let signing = snapshot.mode == .badSignature ? strangerKey : key
        let token = BlockingAsync.run {
            let keys = JWTKeyCollection()
            await keys.add(ecdsa: signing, kid: "k1")
            return (try? await keys.sign(claims, kid: "k1")) ?? ""
        }
        return (200, #"{"access_token":"at","token_type":"Bearer","id_token":"\#(token)"}"#)
    }
}

struct StandInClaims: JWTPayload {
    var iss: String, sub: String, aud: String, exp: Int, iat: Int, nonce: String, email: String, email_verified: Bool, name: String
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
