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

/// Small real images (12 × 10, written by libgd) of each accepted kind.
enum SampleImages {
    static let png = bytes("iVBORw0KGgoAAAANSUhEUgAAAAwAAAAKCAIAAAAPTiitAAAACXBIWXMAAA7EAAAOxAGVKw4bAAAAJ0lEQVQY02P8//8/AyHAxEAEYIGz5ANPosk9XG9OgkmDUREj1cIJAGw+CQ9lL4HtAAAAAElFTkSuQmCC")
    static let jpeg = bytes("/9j/4AAQSkZJRgABAQEAYABgAAD//gA7Q1JFQVRPUjogZ2QtanBlZyB2MS4wICh1c2luZyBJSkcgSlBFRyB2NjIpLCBxdWFsaXR5ID0gODAK/9sAQwAGBAUGBQQGBgUGBwcGCAoQCgoJCQoUDg8MEBcUGBgXFBYWGh0lHxobIxwWFiAsICMmJykqKRkfLTAtKDAlKCko/9sAQwEHBwcKCAoTCgoTKBoWGigoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgo/8AAEQgACgAMAwEiAAIRAQMRAf/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/EAB8BAAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKC//EALURAAIBAgQEAwQHBQQEAAECdwABAgMRBAUhMQYSQVEHYXETIjKBCBRCkaGxwQkjM1LwFWJy0QoWJDThJfEXGBkaJicoKSo1Njc4OTpDREVGR0hJSlNUVVZXWFlaY2RlZmdoaWpzdHV2d3h5eoKDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uLj5OXm5+jp6vLz9PX29/j5+v/aAAwDAQACEQMRAD8A7v43+OPEXhnxXaWeiaj9mtnskmZPIjfLmSQE5ZSeij8q9Y8I3c+oeFNFvLt/MubiyhmlfAG52jUk4HA5J6VrUV11sRCpRhTjBJrd9/wMYU5Rm5OV0+nY/9k=")
    static let gif = bytes("R0lGODdhDAAKAIAAABxSzPz+/CwAAAAADAAKAAACEIyPqQrt7BqM86UoL168nwIAOw==")

    static func bytes(_ base64: String) -> [UInt8] { Array(Data(base64Encoded: base64)!) }
}
