import Foundation

/// The `Wheelhouse-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
/// Receivers verify it as the README says (`verify` is that recipe, used by the tests).
public enum WebhookSignature {
    public static func header(secret: String, timestamp: Int, body: [UInt8]) -> String {
        "t=\(timestamp),v1=\(mac(secret: secret, timestamp: timestamp, body: body))"
    }

    static func mac(secret: String, timestamp: Int, body: [UInt8]) -> String {
        Crypto.hmacSHA256(key: Array(secret.utf8), data: Array("\(timestamp).".utf8) + body).hexString
    }

    /// The receiver's check: the HMAC over "t.body" compared in constant time, and a timestamp
    /// at most `tolerance` old (or ahead), so a captured delivery cannot be replayed later.
    public static func verify(
        header: String, body: [UInt8], secret: String, now: Date, tolerance: TimeInterval = IntegrationRules.signatureTolerance
    ) -> Bool {
        var timestamp: Int?, signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { return false }
        let expected = Array(mac(secret: secret, timestamp: timestamp, body: body).utf8)
        return signatures.contains { Crypto.constantTimeEquals(Array($0.utf8), expected) }
    }
}

/// Sends queued webhook and Slack deliveries on background threads of `serve`, never on a thread
/// that serves requests: each loop claims one due delivery at a time from the database (several
/// processes may run it on one file: the claim is one UPDATE), POSTs it through `OutboundHTTP`
/// (addresses checked after DNS resolution, no redirects, a time-out) and records the answer.
public final class WebhookWorker: Sendable {
    let database: AppDatabase
    let http: OutboundHTTP
    let pool: Int
    private let loops: [BackgroundLoop]
    /// The delivery log's old entries, removed hourly.
    private let pruning: PeriodicJob

    public init(database: AppDatabase, policy: OutboundPolicy, pool: Int = 2) {
        self.database = database
        self.http = OutboundHTTP(policy: policy, timeout: IntegrationRules.timeout)
        self.pool = max(1, pool)
        self.loops = (0..<max(1, pool)).map { _ in BackgroundLoop() }
        self.pruning = PeriodicJob(name: "webhook-log", interval: 3_600) { [database] in try database.pruneDeliveries() }
    }

    public func start() {
        pruning.start()
        for (index, loop) in loops.enumerated() {
            loop.start(name: "webhooks-\(index)") { [self] in
                let sent = (try? runOne()) ?? false
                return sent ? 0 : 1
            }
        }
    }

    public func stop() {
        pruning.stop()
        loops.forEach { $0.stop() }
    }

    /// Claims, sends and records one due delivery; false when none was due.
    @discardableResult
    public func runOne() throws -> Bool {
        guard let claimed = try database.claimDelivery() else { return false }
        try database.finishDelivery(claimed, send(claimed))
        return true
    }

    func send(_ claimed: ClaimedDelivery) -> DeliveryOutcome {
        var headers = [("Content-Type", "application/json")]
        if let secret = claimed.secret {
            let timestamp = Int(database.now().timeIntervalSince1970)
            headers.append(("Wheelhouse-Signature", WebhookSignature.header(secret: secret, timestamp: timestamp, body: claimed.body)))
            headers.append(("Wheelhouse-Event-Id", claimed.eventId))
        }
        return Self.outcome(http.post(claimed.url, headers: headers, body: claimed.body))
    }

    /// 2xx is delivered; any other answer, a time-out or a refused address is an attempt to retry.
    static func outcome(_ result: OutboundResult) -> DeliveryOutcome {
        switch result {
        case .response(let status, let body):
            let excerpt = String(
                String(decoding: body.prefix(IntegrationRules.excerptLength * 4), as: UTF8.self).unicodeScalars
                    .filter { !TextRules.isControl($0) }.map(Character.init).prefix(IntegrationRules.excerptLength))
            return (200...299).contains(status)
                ? .delivered(status: status, excerpt: excerpt)
                : .failed(status: status, excerpt: excerpt, reason: "the endpoint answered HTTP \(status)")
        case .blocked:
            return .failed(
                status: nil, excerpt: "",
                reason: "blocked: the address is private or local and not allowed by WHEELHOUSE_OUTBOUND_ALLOW")
        case .hostNotFound: return .failed(status: nil, excerpt: "", reason: "the host name was not found")
        case .refused: return .failed(status: nil, excerpt: "", reason: "the connection was refused")
        case .timedOut: return .failed(status: nil, excerpt: "", reason: "no answer within \(Int(IntegrationRules.timeout)) seconds")
        case .tlsProblem: return .failed(status: nil, excerpt: "", reason: "the TLS connection failed (certificate or protocol)")
        case .failed: return .failed(status: nil, excerpt: "", reason: "the connection failed")
        }
    }
}
