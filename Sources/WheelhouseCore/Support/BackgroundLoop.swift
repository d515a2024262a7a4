import Foundation
import Synchronization

/// A named background thread of `serve` that runs a step until stopped: the step returns how
/// long to wait before it runs again. The wait is taken in naps of at most a second, so `stop`
/// is noticed within one whatever the interval.
public final class BackgroundLoop: Sendable {
    private let stopping = Atomic<Bool>(false)

    public init() {}

    public var isStopping: Bool { stopping.load(ordering: .relaxed) }

    public func start(name: String, _ step: @escaping @Sendable () -> TimeInterval) {
        let thread = Thread { [self] in
            Self.leaveServerSignalsAlone()
            while !isStopping {
                var wait = step()
                while wait > 0, !isStopping {
                    let nap = min(wait, 1)
                    Thread.sleep(forTimeInterval: nap)
                    wait -= nap
                }
            }
        }
        thread.name = name
        thread.start()
    }

    public func stop() { stopping.store(true, ordering: .relaxed) }

    /// Blocks SIGTERM and SIGINT on the calling background thread: they are the server's to wait
    /// for (FastCGIServer's sigwait), never a worker's.
    public static func leaveServerSignalsAlone() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }
}

/// A job of `serve` that runs once at start-up, then every `interval`, on a `BackgroundLoop` of
/// its own (audit retention, privacy retention, organization deletion). A run that throws is
/// simply tried again at the next interval: each job leaves the database consistent in between.
public final class PeriodicJob: Sendable {
    let name: String
    let interval: TimeInterval
    let run: @Sendable () throws -> Void
    private let loop = BackgroundLoop()

    public init(name: String, interval: TimeInterval, run: @escaping @Sendable () throws -> Void) {
        (self.name, self.interval, self.run) = (name, interval, run)
    }

    public func start() {
        loop.start(name: name) { [self] in
            try? run()
            return interval
        }
    }

    public func stop() { loop.stop() }
}
