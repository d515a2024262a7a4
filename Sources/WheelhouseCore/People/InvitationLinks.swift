import Foundation
import Synchronization

/// Invitation link tokens, derived rather than stored: `token = HMAC(key, nonce)`. The
/// database keeps the nonce and the token's SHA-256, so a copy of the database alone cannot
/// produce a working link, yet an admin can copy a pending invitation's link at any time.
/// The key lives in a 0600 file in the data directory (`load(from:)`).
public struct InvitationLinks: Sendable {
    let key: [UInt8]
    private let signer: Crypto.HMACKey
    private let recent = RecentTokens()

    public init(key: [UInt8]) {
        precondition(key.count == 32, "an invitation link key is 32 bytes")
        self.key = key
        self.signer = Crypto.HMACKey(key)
    }

    public static func random() -> InvitationLinks { InvitationLinks(key: Crypto.randomBytes(32)) }

    public static let fileName = "invitation-links.key"

    /// Reads the key file in `directory`, creating it (mode 0600) on first start.
    public static func load(from directory: String) throws -> InvitationLinks {
        let path = directory + "/" + fileName
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count == 32 else {
                throw KeyFileError(
                    message:
                        "\(path) is not a 32-byte key file; restore it from a backup or delete it to invalidate every pending invitation link."
                )
            }
            return InvitationLinks(key: Array(data))
        }
        let key = Crypto.randomBytes(32)
        let temporary = path + ".tmp"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data(key),
                attributes: [.posixPermissions: 0o600])
        else {
            throw KeyFileError(message: "cannot write \(temporary)")
        }
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
        return InvitationLinks(key: key)
    }

    /// The link token of `nonce`. The Members page shows up to 50 links a request: tokens made
    /// recently are remembered (in this process only, like the key) instead of signed again.
    public func token(nonce: Data) -> String {
        if let known = recent.token(for: nonce) { return known }
        let token = Base64URL.encode(signer.sign(Array("invitation:".utf8) + Array(nonce)))
        recent.remember(token, for: nonce)
        return token
    }

    public static func hash(_ token: String) -> Data { Data(Crypto.sha256(token)) }

    /// The `Message-ID` of outbox message `id`: the same at every attempt, so that a message sent
    /// twice (its sender died before recording the delivery) is recognisably one message; keyed,
    /// so that ids do not reveal how many messages this console has sent.
    public func messageID(outboxId: Int64, domain: String) -> String {
        let tag = signer.sign(Array("message-id:\(outboxId)".utf8)).prefix(9)
        return "<outbox-\(outboxId).\(Base64URL.encode(Array(tag)))@\(domain)>"
    }
}

/// Tokens by nonce, at most `capacity` of them; when full it starts again empty.
private final class RecentTokens: Sendable {
    static let capacity = 4096
    private let tokens = Mutex([Data: String]())

    func token(for nonce: Data) -> String? { tokens.withLock { $0[nonce] } }

    func remember(_ token: String, for nonce: Data) {
        tokens.withLock { tokens in
            if tokens.count >= Self.capacity { tokens.removeAll(keepingCapacity: true) }
            tokens[nonce] = token
        }
    }
}

public struct KeyFileError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension InvitationLinks {
    /// Draws a new nonce: a new link, and the old one stops working.
    func renew(_ invitation: inout Invitation) {
        invitation.linkNonce = Data(Crypto.randomBytes(16))
        invitation.tokenHash = Self.hash(token(nonce: invitation.linkNonce))
    }
}
