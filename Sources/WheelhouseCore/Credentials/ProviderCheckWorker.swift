import Foundation
import Synchronization

/// Runs queued connection tests ("Test connection") on background threads, never on a thread that
/// serves requests: `pool` threads, each claiming one queued test at a time from the database, so
/// at most `pool` tests run at once per process, each bounded by the probe's time-out. Several
/// responder processes may run one each: tests are claimed before they run.
public final class ProviderCheckWorker: Sendable {
    let database: AppDatabase
    let probe: any ProviderProbe
    let pool: Int
    let interval: TimeInterval
    private let stopping = Atomic<Bool>(false)

    public init(database: AppDatabase, probe: any ProviderProbe, pool: Int = 4, interval: TimeInterval = 0.25) {
        (self.database, self.probe, self.pool, self.interval) = (database, probe, max(1, pool), interval)
    }

    public func start() {
        for index in 0..<pool {
            let thread = Thread { [self] in
                while !stopping.load(ordering: .relaxed) {
                    let ran = (try? runOne()) ?? false
                    if !ran { Thread.sleep(forTimeInterval: interval) }
                }
            }
            thread.name = "provider-check-\(index)"
            thread.start()
        }
    }

    public func stop() { stopping.store(true, ordering: .relaxed) }

    /// Claims, runs and records one queued test; false when none was waiting.
    @discardableResult
    public func runOne() throws -> Bool {
        guard let claimed = try database.claimProviderCheck() else { return false }
        try database.finishProviderCheck(claimed, outcome: probe.check(claimed.request))
        return true
    }
}
