import Foundation
import Synchronization

/// Runs SSO's outbound work on background threads, never on a thread serving a request: code
/// exchanges first (a person waits on the interstitial page), then discovery fetches, then TXT
/// lookups. Each job is claimed in the database before it runs, so several responder processes
/// may each run a worker.
public final class SSOWorker: Sendable {
    let database: AppDatabase
    let http: OutboundHTTP
    let dns: DNSLookup
    let redirectURI: String
    let pool: Int
    let interval: TimeInterval
    private let stopping = Atomic<Bool>(false)

    public init(database: AppDatabase, http: OutboundHTTP, dns: DNSLookup, baseURL: String, pool: Int = 2, interval: TimeInterval = 0.2) {
        (self.database, self.http, self.dns, self.pool, self.interval) = (database, http, dns, max(1, pool), interval)
        redirectURI = SSOWorker.redirectURI(baseURL: baseURL)
    }

    /// The address to register at the provider.
    public static func redirectURI(baseURL: String) -> String {
        (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/sso/callback"
    }

    public func start() {
        for index in 0..<pool {
            let thread = Thread { [self] in
                while !stopping.load(ordering: .relaxed) {
                    let ran = (try? runOne()) ?? false
                    if !ran { Thread.sleep(forTimeInterval: interval) }
                }
            }
            thread.name = "sso-\(index)"
            thread.start()
        }
    }

    public func stop() { stopping.store(true, ordering: .relaxed) }

    /// Runs one waiting job; false when none waited.
    @discardableResult
    public func runOne() throws -> Bool {
        if let exchange = try database.claimSSOExchange() {
            try database.finishSSOExchange(exchange, SSOTokenCall.run(exchange, redirectURI: redirectURI, http: http, now: database.now()))
            return true
        }
        if let discovery = try database.claimSSODiscovery() {
            try database.finishSSODiscovery(discovery, SSODiscoveryFetch.run(issuer: discovery.issuer, http: http))
            return true
        }
        if let check = try database.claimSSODomainCheck() {
            try database.finishSSODomainCheck(check, dns.txt(check.domain))
            return true
        }
        return false
    }

    /// Runs jobs until none waits (tests and the demo).
    public func drain() throws {
        while try runOne() {}
    }
}

extension PeriodicJob {
    /// The daily re-check of verified domains: queued hourly once a domain's last check is a day
    /// old (so a restart does not skip a day), looked up by `SSOWorker`.
    public static func ssoDomainRecheck(_ database: AppDatabase) -> PeriodicJob {
        PeriodicJob(name: "sso-domain-recheck", interval: 3_600) { _ = try database.queueSSODomainRechecks() }
    }
}
