import Foundation
import GRDB
import Synchronization

/// A read-only connection of its own for each worker thread, for the reads every request makes.
/// Taking a connection from `DatabasePool` costs more than the queries themselves (a semaphore
/// and two queue hops); a thread's own `DatabaseQueue` costs one hop. Writes still go through
/// the pool's single writer.
final class ThreadReaders: Sendable {
    private let path: String?
    private let connections = Mutex<[UInt: DatabaseQueue]>([:])

    /// `path` nil (an in-memory database): reads go to the fallback reader.
    init(path: String?) {
        self.path = path
    }

    func read<T>(or fallback: any DatabaseReader, _ body: (Database) throws -> T) throws -> T {
        guard let path else { return try fallback.unsafeRead(body) }
        let thread = UInt(pthread_self())
        let queue = try connections.withLock { open -> DatabaseQueue in
            if let queue = open[thread] { return queue }
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(10)
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            open[thread] = queue
            return queue
        }
        return try queue.inDatabase(body)
    }
}
