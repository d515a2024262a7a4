import Foundation
import Testing
@testable import WheelhouseCore

/// Org pages remember their reads per connection; every commit, from this process or another,
/// must show on the next read.
@Suite("Remembered page reads on a database file") struct ReadCacheTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("wh-cache-\(UUID()).sqlite").path

    @Test func everyCommitShowsOnTheNextPageRead() throws {
        // Given a real file shared by two pools, as two responder processes would share it
        let key = MasterKey.generate()
        let first = try AppDatabase.open(path: path, hasher: .fastForTests, readers: 2, masterKey: .key(key))
        let second = try AppDatabase.open(path: path, hasher: .fastForTests, readers: 2, masterKey: .key(key))
        let (owner, _) = try first.createOwner(
            NewOwner(
                email: "o@a.test", name: "O", password: "long enough pw",
                orgKey: "acme", orgName: "Acme"))
        let (token, signedIn) = try first.signIn(email: "o@a.test", password: "long enough pw", address: "a", userAgent: "")
        func view(_ database: AppDatabase) throws -> OrgView? { try database.signedInOrgView(token: token, orgKey: "acme")?.1 }
        for _ in 0..<3 { #expect(try view(first)?.access.org.displayName == "Acme") }

        // When the other pool changes the organization, this one sees it
        let org = try #require(try view(first)).access.org
        try second.updateGeneral(
            orgKey: "acme", by: Actor(user: owner, address: "b"),
            GeneralSettingsChange(
                displayName: "Acme Two", description: "", memberLimit: 25,
                logo: .keep, expectedVersion: org.version),
            logos: LogoStore(directory: URL(fileURLWithPath: path + "-logos")))
        for _ in 0..<3 { #expect(try view(first)?.access.org.displayName == "Acme Two") }

        // A flash shows once, then is gone
        try first.setFlash(Flash(kind: "success", message: "Saved."), for: signedIn.session)
        let session = try #require(try first.signedInOrgView(token: token, orgKey: "acme")?.0.session)
        #expect(session.flashMessage == "Saved.")
        #expect(try first.takeFlash(for: session) != nil)
        #expect(try first.signedInOrgView(token: token, orgKey: "acme")?.0.session.flashMessage == nil)

        // Signing out in one process ends the session in the other
        try second.signOut(token: token)
        #expect(try first.signedInOrgView(token: token, orgKey: "acme") == nil)
        #expect(try first.signedInOrgView(token: "not-a-session", orgKey: "acme") == nil)
    }
}
