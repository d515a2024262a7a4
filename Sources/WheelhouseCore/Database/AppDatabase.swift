import Foundation
import GRDB

/// The only way into the database. Reads go through `reader`; every write is one of the named,
/// transactional methods in the extensions of this type, each writing its audit entry in the same
/// transaction as the change.
public struct AppDatabase: Sendable {
    let writer: any DatabaseWriter
    public var reader: any DatabaseReader { writer }
    public let hasher: PasswordHasher
    /// The clock, replaceable in tests.
    public let now: @Sendable () -> Date
    /// What org pages read, per reader connection, until another connection commits.
    let pageReads: ReadCache<(SignedIn, OrgView?)?>
    /// Usage pages' reports, the same way.
    let usageReads: ReadCache<UsageReport>
    /// Audit log pages' data, the same way (fewer per connection: a page holds fifty entries).
    let auditPageReads: ReadCache<AuditPageData>
    /// The Audit log's actor lists, per organization and viewer role.
    let auditActorReads: ReadCache<[User]>
    /// The JSON API's view of an organization, per organization, the same way.
    let apiOrgReads: ReadCache<APIOrgView>
    /// API keys' rows by secret hash, the same way: `authenticateAPIKey` runs on every API request.
    let apiKeyReads: ReadCache<APIKeyRow?>
    /// The connections of the per-request reads (`ThreadReaders`).
    let threadReaders: ThreadReaders
    /// Derives invitation links, so that no link token is ever stored.
    public let links: InvitationLinks
    /// The master key and its version: seals and opens secrets and provider keys.
    let vault: Vault
    /// API keys' last uses since the last flush (`authenticateAPIKey` never writes).
    let apiKeyUsage = APIKeyUsageBuffer()
    /// SaaS mode: recorded usage debits AI credits and the credit states apply. Off (enterprise
    /// mode, and any database opened without knowing its mode): no debit, no lot, no banner.
    /// Set by whoever knows the deployment mode (`serve`, the CLI, `makeApp`, the tests).
    public var billingEnabled = false
    /// The deployment's currency (`WHEELHOUSE_CURRENCY`): the words of credit notifications.
    public var currency = Currency.eur
    /// Which addresses outbound calls may reach (`WHEELHOUSE_OUTBOUND_ALLOW`): the Integrations
    /// forms accept an http:// endpoint only on an address it allows (a test stand-in on loopback).
    public var outboundPolicy = OutboundPolicy()

    /// Migrates, then checks the master key against the database (refusing a wrong or missing
    /// one, see `MasterKeyFile`) before anything else may read or write.
    public init(
        _ writer: any DatabaseWriter, hasher: PasswordHasher = .standard,
        now: @escaping @Sendable () -> Date = { Date() }, path: String? = nil,
        masterKey: MasterKeySource, links: InvitationLinks = .random()
    ) throws {
        self.writer = writer
        self.links = links
        self.hasher = hasher
        self.pageReads = ReadCache(enabled: writer is DatabasePool)
        self.usageReads = ReadCache(enabled: writer is DatabasePool)
        self.auditPageReads = ReadCache(enabled: writer is DatabasePool, capacity: 256)
        self.auditActorReads = ReadCache(enabled: writer is DatabasePool, capacity: 256)
        self.apiOrgReads = ReadCache(enabled: writer is DatabasePool, capacity: 1024)
        self.apiKeyReads = ReadCache(enabled: writer is DatabasePool, capacity: 4096)
        self.threadReaders = ThreadReaders(path: writer is DatabasePool ? path : nil)
        // Whole seconds: what is stored reads back equal to what was written.
        self.now = { Date(timeIntervalSince1970: now().timeIntervalSince1970.rounded(.down)) }
        try Migrations.migrator.migrate(writer)
        self.vault = try masterKey.unlock(writer)
        try bindProviderKeys()
    }

    /// The production database: one SQLite file in WAL mode, shared by every worker thread and
    /// by other processes. Writers wait (busy timeout) rather than fail with "database is locked".
    /// `readers` bounds the concurrent read transactions: one per worker thread avoids waiting.
    public static func open(
        path: String, hasher: PasswordHasher = .standard, readers: Int = 8,
        masterKey: MasterKeySource, links: InvitationLinks = .random()
    ) throws -> AppDatabase {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.foreignKeysEnabled = true
        config.maximumReaderCount = max(1, readers)
        config.prepareDatabase { db in
            // WAL + NORMAL: a committed transaction survives the process being killed; only an
            // OS crash may lose the last ones.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return try AppDatabase(
            DatabasePool(path: path, configuration: config), hasher: hasher, path: path,
            masterKey: masterKey, links: links)
    }

    /// An empty in-memory database, for tests.
    public static func inMemory(
        hasher: PasswordHasher = .fastForTests,
        now: @escaping @Sendable () -> Date = { Date() },
        masterKey: MasterKey = .generate()
    ) throws -> AppDatabase {
        var config = Configuration()
        config.foreignKeysEnabled = true
        return try AppDatabase(DatabaseQueue(configuration: config), hasher: hasher, now: now, masterKey: .key(masterKey))
    }

    /// True before anyone has been created: `demo` seeds only then.
    public func isEmpty() throws -> Bool {
        try reader.read { db in try User.fetchCount(db) == 0 }
    }

    /// Raw read access for the few places (tests, CLI reports) that need a query of their own.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try reader.read(body)
    }
}

/// Who asked for a change, from where and with what: copied into every audit entry.
public struct Actor: Sendable {
    public var user: User
    public var address: String
    /// The browser's (or client's) `User-Agent`, as sent; empty from the CLI and the tests.
    public var userAgent: String

    public init(user: User, address: String, userAgent: String = "") {
        self.user = user
        self.address = address
        self.userAgent = userAgent
    }
}
