import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// The Members pager's Next and Previous links name the row next to the page they lead to
/// (issue 10, point 19): following them lists every row once, in order, at index cost.
@Suite("Members pager, in process") struct MembersPagerWebTests {
    let members = "/orgs/acme/settings/members"

    /// 130 pending invitations beside the 3 members: 3 pages.
    func app() throws -> TestApp {
        let t = try TestApp()
        let owner = Actor(user: t.owner, address: "test")
        let org = try t.database.access(orgKey: "acme", userId: t.owner.id!).org
        try t.database.updateGeneral(
            orgKey: "acme", by: owner,
            GeneralSettingsChange(
                displayName: org.displayName, description: org.description,
                memberLimit: 1000, logo: .keep, expectedVersion: org.version),
            logos: t.logos)
        for batch in 0..<3 {
            let addresses = (0..<(batch < 2 ? 50 : 30)).map { "guest\(batch * 50 + $0)@acme.test" }
            #expect(
                try t.database.invite(orgKey: "acme", addresses: addresses, role: batch == 1 ? .admin : .member, by: owner).refused.isEmpty)
        }
        return t
    }

    /// The names the page lists, in order, and its pager links (unescaped).
    func read(_ page: TestResponse) -> (names: [String], previous: String?, next: String?) {
        let html = page.html
        let names = html.components(separatedBy: "<tr>\n  <td><strong>").dropFirst().map { String($0.prefix { $0 != "<" }) }
        func link(_ rel: String) -> String? {
            guard let end = html.range(of: "\" rel=\"\(rel)\"") else { return nil }
            let start = html[..<end.lowerBound].range(of: "href=\"", options: .backwards)!.upperBound
            return String(html[start..<end.lowerBound]).replacingOccurrences(of: "&amp;", with: "&")
        }
        return (names, link("prev"), link("next"))
    }

    @Test(arguments: ["sort=name", "sort=role", "q=guest&sort=role"])
    func followingNextListsEveryRowOnceAndPreviousComesBack(list: String) throws {
        let t = try app()
        let client = try t.client(signedInAs: "owner@acme.test")
        let numbered = (1...3).map { read(client.get(members + "?\(list)&page=\($0)")).names }
        var page = read(client.get(members + "?" + list))
        var pages = [page.names]
        while let next = page.next {
            #expect(next.contains("&after="), "\(next)")
            let response = client.get(next)
            #expect(response.status == 200)
            #expect(response.contains("<span>Page \(pages.count + 1) of "))
            page = read(response)
            pages.append(page.names)
            if pages.count > 5 { break }
        }
        let all = pages.flatMap { $0 }
        #expect(Set(all).count == all.count, "no row twice")
        let expected = list.hasPrefix("q=") ? 130 : 133
        #expect(all.count == expected)
        #expect(pages == numbered.filter { !$0.isEmpty })
        // And back through Previous, to page 1 without a Previous link
        var back = [page.names]
        while let previous = page.previous {
            #expect(previous.contains("&before="), "\(previous)")
            page = read(client.get(previous))
            back.insert(page.names, at: 0)
            if back.count > 5 { break }
        }
        #expect(back == pages)
    }

    @Test func rowFormsOnACursorPageComeBackToTheSamePage() throws {
        let t = try app()
        let client = try t.client(signedInAs: "owner@acme.test")
        let next = try #require(read(client.get(members)).next)
        let second = client.get(next)
        let after = String(next[next.range(of: "after=")!.upperBound...])
        #expect(second.contains("/resend?page=2&amp;after=\(after)\""))
        // A resend from that page lands on it again
        let action = try #require(
            second.html.components(separatedBy: "action=\"").dropFirst()
                .map { String($0.prefix { $0 != "\"" }) }.first { $0.contains("/resend?") })
        let version = second.html.components(separatedBy: "name=\"version\" value=\"").dropFirst().first.map {
            String($0.prefix { $0 != "\"" })
        }
        let resent = client.post(
            action.replacingOccurrences(of: "&amp;", with: "&"), [("_csrf", second.csrf), ("version", version ?? "1")])
        #expect(resent.status == 303)
        #expect(resent.location?.hasSuffix("?page=2&after=\(after)") == true, "\(resent.location ?? "")")
    }
}
