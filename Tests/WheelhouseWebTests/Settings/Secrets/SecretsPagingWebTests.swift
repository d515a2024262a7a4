import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// The Secrets tab shows 50 secrets a page, however many a person holds (issue 10, point 19).
@Suite("Secrets by page, in process") struct SecretsPagingWebTests {
    @Test func aPersonWithManySecretsPagesThroughThem() throws {
        let t = try TestApp()
        let member = Actor(user: t.member, address: "t")
        for i in 0..<60 { try t.database.addSecret(orgKey: "acme", by: member, name: String(format: "KEY_%02d", i), value: "v\(i)") }
        let client = try t.client(signedInAs: "member@acme.test")
        let first = client.get("/orgs/acme/settings/secrets")
        #expect(first.status == 200)
        #expect(first.html.components(separatedBy: "/rotate\"").count - 1 == 50)
        #expect(first.contains("KEY_49") && !first.contains("KEY_50"))
        #expect(first.contains("href=\"/orgs/acme/settings/secrets?page=2\""))
        #expect(first.contains("Page 1 of 2"))
        let second = client.get("/orgs/acme/settings/secrets?page=2")
        #expect(second.html.components(separatedBy: "/rotate\"").count - 1 == 10)
        #expect(second.contains("KEY_59") && !second.contains("KEY_49"))
        #expect(second.contains("href=\"/orgs/acme/settings/secrets?page=1\""))
        // Odd page numbers still answer, with the add form
        for odd in ["0", "-3", "abc", "99"] {
            let page = client.get("/orgs/acme/settings/secrets?page=\(odd)")
            #expect(page.status == 200)
            #expect(page.contains("Add a secret"))
        }
    }
}
