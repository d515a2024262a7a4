import Foundation
import GRDB

extension AuditEvent {
    /// An entry as the demo and the tests write it, at a time of their choosing.
    public init(
        orgId: Int64?, actorUserId: Int64?, action: AuditAction, target: String, summary: String, address: String, createdAt: Date
    ) {
        self.init(
            id: nil, orgId: orgId, actorUserId: actorUserId, action: action, target: target, summary: summary, address: address,
            createdAt: createdAt)
    }
}

extension AppDatabase {
    /// Appends entries as they are, in one transaction: for `wheelhouse demo` and tests only. The
    /// console writes entries through the domain methods of each change, and nothing updates or
    /// deletes them.
    public func seedAuditEvents(_ events: [AuditEvent]) throws {
        try writer.write { db in
            for event in events { try event.insert(db) }
        }
    }
}
