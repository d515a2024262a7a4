import Foundation
import GRDB

/// One of a person's live sessions as the Active sessions page lists it.
public struct ActiveSession: Sendable, Equatable {
    /// Names the session in URLs without revealing its token hash (see `handle(of:)`).
    public let handle: String
    public let address: String
    public let userAgent: String
    /// "Firefox on Linux" (`UserAgentSummary`).
    public let browser: String
    public let createdAt: Date
    public let lastSeenAt: Date
    public let isCurrent: Bool
}

extension AppDatabase {
    /// A session's name in URLs and forms: 20 hex digits of a hash of its token hash. Stable for
    /// the session's life, needs no column, and says nothing that helps forge a cookie.
    public static func handle(of tokenHash: Data) -> String {
        Array(Crypto.sha256(Array("wheelhouse-session-handle|".utf8) + Array(tokenHash)).prefix(10)).hexString
    }

    /// The person's live sessions, the current one first, then the most recently used.
    public func activeSessions(userId: Int64, current: SessionRecord) throws -> [ActiveSession] {
        let now = self.now()
        let rows = try reader.read { db in try Self.liveSessions(db, userId: userId, now: now) }
        return
            rows
            .map { s in
                ActiveSession(
                    handle: Self.handle(of: s.tokenHash), address: s.address, userAgent: s.userAgent,
                    browser: UserAgentSummary.describe(s.userAgent), createdAt: s.createdAt, lastSeenAt: s.lastSeenAt,
                    isCurrent: s.tokenHash == current.tokenHash)
            }
            .sorted { ($0.isCurrent ? 1 : 0, $0.lastSeenAt) > ($1.isCurrent ? 1 : 0, $1.lastSeenAt) }
    }

    /// Ends one of the person's other sessions. Another person's session, an unknown handle and
    /// an expired session are all `notFound`; the current session is refused (sign out instead).
    public func endSession(handle: String, userId: Int64, current: SessionRecord) throws {
        let now = self.now()
        try writer.write { db in
            guard
                let session = try Self.liveSessions(db, userId: userId, now: now).first(where: { Self.handle(of: $0.tokenHash) == handle })
            else { throw DomainError.notFound }
            guard session.tokenHash != current.tokenHash else {
                throw DomainError.invalid(Self.formError("This is the session you are using: sign out to end it."))
            }
            _ = try SessionRecord.deleteOne(db, key: session.tokenHash)
        }
    }

    /// Ends every session of the person but `current`; returns how many ended.
    @discardableResult
    public func endOtherSessions(userId: Int64, current: SessionRecord) throws -> Int {
        try writer.write { db in
            try SessionRecord.filter(Column("userId") == userId && Column("tokenHash") != current.tokenHash).deleteAll(db)
        }
    }

    static func liveSessions(_ db: Database, userId: Int64, now: Date) throws -> [SessionRecord] {
        try SessionRecord.filter(
            Column("userId") == userId
                && Column("createdAt") >= now.addingTimeInterval(-SessionRules.absoluteTimeout)
                && Column("lastSeenAt") >= now.addingTimeInterval(-SessionRules.idleTimeout)
        ).fetchAll(db)
    }

    static func formError(_ message: String) -> FieldErrors {
        var errors = FieldErrors()
        errors.addForm(message)
        return errors
    }
}
