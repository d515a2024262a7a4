import Foundation
import WheelhouseCore

/// An organization `acme` with an Owner, an Admin and a Member, and a second organization
/// `other` whose Owner is an outsider to `acme`. Every password is `correct horse battery`.
struct Fixture {
    static let password = "correct horse battery"
    let database: AppDatabase
    let owner: User, admin: User, member: User, outsider: User
    let org: Organization

    init(now: @escaping @Sendable () -> Date = { Date() }) throws {
        database = try AppDatabase.inMemory(now: now)
        let (owner, org) = try database.createOwner(NewOwner(email: "owner@acme.test", name: "Olga Owner",
                                                             password: Self.password, orgKey: "acme", orgName: "Acme"))
        admin = try database.createUser(email: "admin@acme.test", name: "Ada Admin", password: Self.password)
        member = try database.createUser(email: "member@acme.test", name: "Max Member", password: Self.password)
        try database.addMember(userId: admin.id!, orgId: org.id!, role: .admin)
        try database.addMember(userId: member.id!, orgId: org.id!, role: .member)
        (outsider, _) = try database.createOwner(NewOwner(email: "out@other.test", name: "Otto Outsider",
                                                          password: Self.password, orgKey: "other", orgName: "Other"))
        self.owner = owner
        self.org = org
    }

    func currentOrg() throws -> Organization {
        try database.access(orgKey: "acme", userId: owner.id!).org
    }
}

/// A clock tests can move.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_790_000_000)

    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

/// The smallest valid images of each accepted kind.
enum SampleImages {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 40)
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0, count: 40)
    static let gif: [UInt8] = Array("GIF89a".utf8) + Array(repeating: 0, count: 40)
}
