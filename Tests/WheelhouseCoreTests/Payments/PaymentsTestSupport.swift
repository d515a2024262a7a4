import Foundation
@testable import WheelhouseCore
import WheelhouseTestSupport

/// The acme fixture on a database file (so a second `AppDatabase` can open it), with a test clock,
/// the test gateway, and — unless asked otherwise — a saved card and German consumer details.
struct BillingWorld {
    let clock = TestClock()
    let path: String
    let key = MasterKey.generate()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }
    var orgId: Int64 { fixture.org.id! }
    var owner: Actor { Actor(user: fixture.owner, address: "test") }

    init(card: String? = "4242424242424242", country: String = "DE", vatId: String = "") throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wh-pay-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("wheelhouse.sqlite").path
        fixture = try Fixture(database: Self.open(path, key: key, clock: clock))
        if let card { try save(card: card) }
        try database.saveBillingDetails(
            orgKey: "acme",
            BillingDetails(
                legalName: "Acme Łódź Åberg GmbH", address: "Hauptstraße 5\n10115 Berlin", country: country,
                email: "billing@acme.test", vatId: vatId),
            expectedVersion: 0, by: owner)
    }

    static func open(_ path: String, key: MasterKey, clock: TestClock) throws -> AppDatabase {
        let database = try AppDatabase.open(path: path, hasher: .fastForTests, readers: 4, masterKey: .key(key))
        // The same file with the test clock: the pool `open` made, re-wrapped.
        return try AppDatabase(database.writer, hasher: .fastForTests, now: { clock.now }, path: path, masterKey: .key(key))
    }

    /// A second instance on the same file, as a second responder process would have.
    func secondInstance() throws -> AppDatabase { try Self.open(path, key: key, clock: clock) }

    func setup(_ database: AppDatabase? = nil) -> BillingSetup {
        let database = database ?? self.database
        return BillingSetup(seller: .demo, currency: .eur, gateway: TestModeGateway(database: database))
    }

    func save(card number: String) throws {
        let saved = try setup().gateway.tokenize(
            CardDetails(number: number, expiryMonth: 12, expiryYear: 2040, cvc: "123", holderName: "Olga Owner", country: "DE"))
        let version = try database.billingProfile(orgId: orgId).cardVersion
        try database.saveCard(orgKey: "acme", saved, expectedVersion: version, by: owner)
    }

    func balance() throws -> Int64 { try database.creditBalance(orgId: orgId).balanceMicros }

    func count(_ sql: String) throws -> Int { try database.read { db in try Int.fetchOne(db, sql: sql)! } }

    /// Spends down to `euros` of balance (a usage debit of the difference).
    func spend(toBalance euros: Int64) throws {
        let missing = try balance() - euros * 1_000_000
        guard missing > 0 else { return }
        try database.writer.write { db in
            try AppDatabase.debitUsage(db, orgId: orgId, day: "2026-09-21", micros: missing, now: clock.now)
        }
    }
}

func key() -> String { "k" + UUID().uuidString.replacingOccurrences(of: "-", with: "") }
