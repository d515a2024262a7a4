import GRDB
import Synchronization

/// Remembers what each reader connection last read for a key, until SQLite says that another
/// connection has committed since (`PRAGMA data_version` changes on every commit made by any
/// other connection, in this process or another). All writes go through the writer connection,
/// so a reader's remembered rows are exactly as fresh as a new query would be.
///
/// Only for `DatabasePool`: with a single connection (an in-memory `DatabaseQueue`), the
/// connection's own commits do not change its `data_version`, so nothing is remembered there.
final class ReadCache<Value: Sendable>: Sendable {
    private struct Connection {
        var version: Int64
        var values: [String: Value]
    }

    private let connections = Mutex<[ObjectIdentifier: Connection]>([:])
    private let enabled: Bool
    /// Values remembered per connection; past it, the connection's values are dropped at once.
    private let capacity: Int

    init(enabled: Bool, capacity: Int = 4096) {
        self.enabled = enabled
        self.capacity = capacity
    }

    /// The value for `key` read on `db`: remembered, or made by `read` and remembered.
    func value(_ db: Database, key: String, read: (Database) throws -> Value) throws -> Value {
        guard enabled else { return try read(db) }
        let version = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
        let id = ObjectIdentifier(db)
        let remembered = connections.withLock { all -> Value? in
            guard let connection = all[id], connection.version == version else { return nil }
            return connection.values[key]
        }
        if let remembered { return remembered }
        let value = try read(db)
        connections.withLock { all in
            var connection = all[id].flatMap { $0.version == version ? $0 : nil } ?? Connection(version: version, values: [:])
            if connection.values.count >= capacity { connection.values.removeAll() }
            connection.values[key] = value
            all[id] = connection
        }
        return value
    }
}
