import Foundation
import WheelhouseCore

/// An organization `acme` with an Owner, an Admin and a Member, and a second organization
/// `other` whose Owner is an outsider to `acme`. Every password is `correct horse battery`.
/// The domain tests use it directly; the web tests' `TestApp` serves it.
public struct Fixture: Sendable {
    public static let password = "correct horse battery"
    public let database: AppDatabase
    public let owner: User, admin: User, member: User, outsider: User
    public let org: Organization

    /// A fresh in-memory database on the clock `now`.
    public init(now: @escaping @Sendable () -> Date = { Date() }) throws {
        try self.init(database: AppDatabase.inMemory(now: now))
    }

    /// The organizations written into `database` (a test's own file, for instance).
    public init(database: AppDatabase) throws {
        self.database = database
        (owner, org) = try database.createOwner(
            NewOwner(
                email: "owner@acme.test", name: "Olga Owner",
                password: Self.password, orgKey: "acme", orgName: "Acme"))
        admin = try database.createUser(email: "admin@acme.test", name: "Ada Admin", password: Self.password)
        member = try database.createUser(email: "member@acme.test", name: "Max Member", password: Self.password)
        try database.addMember(userId: admin.id!, orgId: org.id!, role: .admin)
        try database.addMember(userId: member.id!, orgId: org.id!, role: .member)
        (outsider, _) = try database.createOwner(
            NewOwner(
                email: "out@other.test", name: "Otto Outsider",
                password: Self.password, orgKey: "other", orgName: "Other"))
    }

    /// `acme` as it is now (its version moves with every change).
    public func currentOrg() throws -> Organization {
        try database.access(orgKey: "acme", userId: owner.id!).org
    }
}

/// A clock tests can move.
public final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_790_000_000)

    public init() {}

    public var now: Date { lock.withLock { current } }
    public func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

/// Small real images (12 × 10, written by libgd) of each accepted kind.
public enum SampleImages {
    public static let png = bytes(
        "iVBORw0KGgoAAAANSUhEUgAAAAwAAAAKCAIAAAAPTiitAAAACXBIWXMAAA7EAAAOxAGVKw4bAAAAJ0lEQVQY02P8//8/AyHAxEAEYIGz5ANPosk9XG9OgkmDUREj1cIJAGw+CQ9lL4HtAAAAAElFTkSuQmCC"
    )
    public static let jpeg = bytes(
        "/9j/4AAQSkZJRgABAQEAYABgAAD//gA7Q1JFQVRPUjogZ2QtanBlZyB2MS4wICh1c2luZyBJSkcgSlBFRyB2NjIpLCBxdWFsaXR5ID0gODAK/9sAQwAGBAUGBQQGBgUGBwcGCAoQCgoJCQoUDg8MEBcUGBgXFBYWGh0lHxobIxwWFiAsICMmJykqKRkfLTAtKDAlKCko/9sAQwEHBwcKCAoTCgoTKBoWGigoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgo/8AAEQgACgAMAwEiAAIRAQMRAf/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/EAB8BAAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKC//EALURAAIBAgQEAwQHBQQEAAECdwABAgMRBAUhMQYSQVEHYXETIjKBCBRCkaGxwQkjM1LwFWJy0QoWJDThJfEXGBkaJicoKSo1Njc4OTpDREVGR0hJSlNUVVZXWFlaY2RlZmdoaWpzdHV2d3h5eoKDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uLj5OXm5+jp6vLz9PX29/j5+v/aAAwDAQACEQMRAD8A7v43+OPEXhnxXaWeiaj9mtnskmZPIjfLmSQE5ZSeij8q9Y8I3c+oeFNFvLt/MubiyhmlfAG52jUk4HA5J6VrUV11sRCpRhTjBJrd9/wMYU5Rm5OV0+nY/9k="
    )
    public static let gif = bytes("R0lGODdhDAAKAIAAABxSzPz+/CwAAAAADAAKAAACEIyPqQrt7BqM86UoL168nwIAOw==")

    public static func bytes(_ base64: String) -> [UInt8] { Array(Data(base64Encoded: base64)!) }
}

/// A test's own failure, thrown where a step cannot go on (a stand-in that cannot listen, a
/// sign-in that was refused).
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension AppDatabase {
    /// Turns two-factor on for `user` (password `Fixture.password`) the way its page does, with the
    /// code of the step `now` falls in. Returns the secret and the ten recovery codes.
    @discardableResult
    public func turnOnTwoFactor(for user: User, now: Date = Date()) throws -> (secret: [UInt8], codes: [String]) {
        guard case .pending(let enrolment) = try startTwoFactor(userId: user.id!, email: user.email) else {
            throw TestFailure("two-factor of \(user.email) is not waiting for a code")
        }
        let (_, signedIn) = try signIn(email: user.email, password: Fixture.password, address: "192.0.2.1", userAgent: "")
        let code = TOTP(secret: enrolment.secret).code(step: TOTP.step(at: now))
        let codes = try confirmTwoFactor(
            userId: user.id!, email: user.email, password: Fixture.password, code: code, session: signedIn.session,
            address: "192.0.2.1")
        return (enrolment.secret, codes)
    }
}

extension AppDatabase {
    /// A purchase as the console makes it: queued by the request, then charged by the payment
    /// worker (run here at once). Returns the payment as it ended.
    public func buyCreditsAndCharge(
        orgKey: String, creditsMinor: Int64, idempotencyKey: String, setup: BillingSetup, by actor: Actor
    ) throws -> PaymentRecord {
        let queued = try buyCredits(orgKey: orgKey, creditsMinor: creditsMinor, idempotencyKey: idempotencyKey, setup: setup, by: actor)
        return try afterPaymentWorker(orgId: queued.orgId, paymentId: queued.id, setup: setup)
    }

    /// An upgrade as the console makes it: queued, then charged by the payment worker.
    public func upgradePlanAndCharge(
        orgKey: String, to plan: Plan, idempotencyKey: String, setup: BillingSetup, by actor: Actor
    ) throws -> PaymentRecord? {
        guard let queued = try upgradePlan(orgKey: orgKey, to: plan, idempotencyKey: idempotencyKey, setup: setup, by: actor) else {
            return nil
        }
        return try afterPaymentWorker(orgId: queued.orgId, paymentId: queued.id, setup: setup)
    }

    /// One pass of the payment worker, then the payment as it stands.
    public func afterPaymentWorker(orgId: Int64, paymentId: Int64, setup: BillingSetup) throws -> PaymentRecord {
        try runQueuedPayments(setup: setup)
        guard let payment = try payment(orgId: orgId, id: paymentId) else { throw TestFailure("no payment \(paymentId)") }
        return payment
    }
}
