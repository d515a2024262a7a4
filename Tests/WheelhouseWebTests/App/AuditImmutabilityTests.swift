import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// No request edits or deletes an audit entry: every POST route of the tree, done the way it
/// succeeds (the audit trail's table) and with example ids and no fields, leaves every entry that
/// existed before exactly as it was.
@Suite("Audit entries are never changed") struct AuditImmutabilityTests {
    typealias World = RouteMatrixTests.World

    /// Every column of every entry, in id order.
    static func entries(_ w: World) throws -> [[String]] {
        try w.t.database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM auditEvent ORDER BY id").map { row in
                row.databaseValues.map(\.description)
            }
        }
    }

    @Test(arguments: AuditTrailTests.cases + AuditTrailTests.unchanged)
    func aSuccessfulChangeOnlyAppends(_ change: AuditTrailTests.Case) throws {
        let world = try World()
        try change.prepare(world)
        let before = try Self.entries(world)
        _ = try change.perform(world)
        let after = try Self.entries(world)
        #expect(after.count >= before.count && Array(after.prefix(before.count)) == before, "\(change)")
    }

    @Test func everyPostRouteAsTheOwnerLeavesTheLogAsItWas() throws {
        let world = try World()
        let (client, csrf) = try world.client(.owner)
        let posts = Route.examples.filter { $0.method == .post }
        #expect(posts.count >= 30)
        let before = try Self.entries(world)
        for route in posts where route != .logout {
            let path = route.path.replacingOccurrences(of: "/orgs/example/", with: "/orgs/acme/")
            let response = client.post(path, [("_csrf", csrf)])
            #expect(response.status < 500, "\(route.kind): \(response)")
        }
        let after = try Self.entries(world)
        #expect(Array(after.prefix(before.count)) == before)
    }
}
