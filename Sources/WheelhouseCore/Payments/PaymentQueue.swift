import Foundation
import GRDB
import Synchronization

/// Charges asked for while serving a request (a purchase, an upgrade, a renewal retried by an
/// Owner) are queued, never made on the request's thread: the request records the payment as
/// pending and queued, and the payment worker charges it and records the outcome while the
/// payment's page refreshes until it has ended. Payments waiting for a bank's authentication are
/// asked about here too, until they end or are abandoned.
extension AppDatabase {
    /// A challenge nobody finished within this long is abandoned: the payment fails, nothing is added.
    static let authenticationWindow: TimeInterval = 3600
    /// A claim older than this was left by a process that died mid-charge: the charge is asked
    /// again with the same idempotency key, so it is never made twice.
    static let paymentClaimLife: TimeInterval = 60

    /// Marks a freshly inserted payment for the worker, with who asked (for its audit entry).
    static func queuePayment(_ db: Database, paymentId: Int64, actor: Actor?) throws {
        try db.execute(
            sql: "UPDATE payment SET queued = 1, actorAddress = ?, actorAgent = ? WHERE id = ?",
            arguments: [actor?.address ?? "", String((actor?.userAgent ?? "").prefix(300)), paymentId])
    }

    /// Charges every queued payment (each claimed in a write transaction, so two processes never
    /// charge the same one at once) and asks the gateway about those awaiting authentication.
    /// Returns how many payments it moved on.
    @discardableResult
    public func runQueuedPayments(setup: BillingSetup, limit: Int = 50) throws -> Int {
        var done = 0
        while done < limit, let claimed = try claimQueuedPayment() {
            _ = try charge(
                claimed.payment, key: claimed.key, setup: setup, customerPresent: claimed.payment.kind != .renewal, actor: claimed.actor)
            done += 1
        }
        return done + (try resumeAuthentications(setup: setup))
    }

    private func claimQueuedPayment() throws -> (payment: PaymentRecord, key: String, actor: Actor?)? {
        let now = self.now()
        // A read first: the idle worker polls every second and must not take the write lock to find nothing.
        let waiting = try reader.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM payment WHERE queued = 1 AND status = 'pending')") ?? false
        }
        guard waiting else { return nil }
        return try writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        UPDATE payment SET claimedAt = ?1 WHERE id = (
                            SELECT id FROM payment WHERE queued = 1 AND status = 'pending' AND (claimedAt IS NULL OR claimedAt < ?2)
                            ORDER BY id LIMIT 1)
                        RETURNING id, idempotencyKey, actorUserId, actorAddress, actorAgent
                        """, arguments: [now, now.addingTimeInterval(-Self.paymentClaimLife)]),
                let payment = try Self.payment(db, id: row[0])
            else { return nil }
            let actor = try (row[2] as Int64?).flatMap { try User.fetchOne(db, key: $0) }.map {
                Actor(user: $0, address: row[3] ?? "", userAgent: row[4] ?? "")
            }
            return (payment, row[1], actor)
        }
    }

    /// Payments at a bank's challenge: recorded once the gateway says how the challenge ended;
    /// failed when nobody finished it within `authenticationWindow`.
    private func resumeAuthentications(setup: BillingSetup) throws -> Int {
        let now = self.now()
        let waiting = try reader.read { db in
            try Row.fetchAll(db, sql: "SELECT id, chargeId, createdAt FROM payment WHERE status = 'authenticating' ORDER BY id LIMIT 100")
        }
        var ended = 0
        for row in waiting {
            let id: Int64 = row[0]
            var outcome = (try? setup.gateway.confirmAuthentication(chargeId: row[1] ?? "")) ?? .declined(.processingError)
            if case .requiresAuthentication = outcome {
                guard now.timeIntervalSince(row[2] as Date) > Self.authenticationWindow else { continue }
                outcome = .declined(.authenticationFailed)
            }
            if case .declined(.processingError) = outcome, now.timeIntervalSince(row[2] as Date) <= Self.authenticationWindow { continue }
            _ = try record(paymentId: id, outcome: outcome, setup: setup, actor: nil)
            ended += 1
        }
        return ended
    }
}

/// The thread of `serve` that runs `runQueuedPayments`: woken at once by a request that queued a
/// payment (`wake`), and every second otherwise, for challenges finished in another process.
public final class PaymentWorker: Sendable {
    private let database: AppDatabase
    private let setup: BillingSetup
    private let stopping = Atomic<Bool>(false)

    public init(database: AppDatabase, setup: BillingSetup) {
        (self.database, self.setup) = (database, setup)
    }

    public func start() {
        let thread = Thread { [self] in
            BackgroundLoop.leaveServerSignalsAlone()
            while !stopping.load(ordering: .relaxed) {
                _ = try? database.runQueuedPayments(setup: setup)
                setup.queued.waitForWork(upTo: 1)
            }
        }
        thread.name = "payments"
        thread.start()
    }

    public func stop() {
        stopping.store(true, ordering: .relaxed)
        setup.queued.wake()
    }
}

/// How a request that queued a payment wakes this process's payment worker.
public final class PaymentSignal: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    public init() {}

    public func wake() { semaphore.signal() }

    func waitForWork(upTo seconds: TimeInterval) { _ = semaphore.wait(timeout: .now() + seconds) }
}
