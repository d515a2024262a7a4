import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb
import WheelhouseTestSupport

/// Active sessions through the app, in process: the list, ending one, signing out everywhere
/// else, and what is refused (another person's session, the current one, bad forms).
@Suite("Active sessions, in process") struct SessionsWebTests {
    static let page = "/account/security/sessions"

    static func count(_ t: TestApp) throws -> Int { try t.database.read { db in try SessionRecord.fetchCount(db) } }

    static func handles(_ page: TestResponse) -> [String] {
        page.html.components(separatedBy: "action=\"/account/security/sessions/").dropFirst()
            .map { String($0.prefix { $0 != "/" }) }.filter { $0 != "end-others\"" && $0.count == 20 }
    }

    @Test func theListMarksThisBrowserAndEndsAnother() throws {
        let t = try TestApp()
        let here = try t.client(signedInAs: "owner@acme.test")
        let phone = try t.client(signedInAs: "owner@acme.test")
        _ = try t.client(signedInAs: "admin@acme.test")
        let list = here.get(Self.page)
        #expect(list.status == 200)
        // The header row and the Owner's two sessions; the Admin's is not listed.
        #expect(list.html.components(separatedBy: "<tr>").count == 4)
        #expect(list.contains("This browser</span>") && list.contains("203.0.113.9") && list.contains(">TestClient"))
        #expect(list.contains(">Sign out everywhere else</button>"))
        let handles = Self.handles(list)
        #expect(handles.count == 1)
        let ended = here.post(Self.page + "/\(handles[0])/end", [("_csrf", list.csrf)])
        #expect(ended.status == 303 && ended.location == Self.page)
        #expect(here.get(Self.page).contains("That session is signed out."))
        // The other browser is signed out; this one is not.
        #expect(phone.get(Self.page).location?.hasPrefix("/login") == true)
        #expect(here.get(Self.page).status == 200)
    }

    @Test func anotherPersonsSessionIsNotFoundAndStaysSignedIn() throws {
        let t = try TestApp()
        let admin = try t.client(signedInAs: "admin@acme.test")
        let adminHandle = Self.handles(try t.client(signedInAs: "admin@acme.test").get(Self.page))[0]
        let owner = try t.client(signedInAs: "owner@acme.test")
        let before = try Self.count(t)
        let response = owner.post(Self.page + "/\(adminHandle)/end", [("_csrf", owner.get(Self.page).csrf)])
        #expect(response.status == 404)
        #expect(try Self.count(t) == before)
        #expect(admin.get(Self.page).status == 200)
    }

    @Test func signingOutEverywhereElseKeepsThisBrowser() throws {
        let t = try TestApp()
        let here = try t.client(signedInAs: "member@acme.test")
        let others = try (0..<3).map { _ in try t.client(signedInAs: "member@acme.test") }
        let admin = try t.client(signedInAs: "admin@acme.test")
        let response = here.post(Self.page + "/end-others", [("_csrf", here.get(Self.page).csrf)])
        #expect(response.status == 303)
        #expect(here.get(Self.page).contains("Signed out of 3 other sessions."))
        for other in others { #expect(other.get(Self.page).status == 303) }
        #expect(admin.get(Self.page).status == 200)
        #expect(!here.get(Self.page).contains("Sign out everywhere else"))
    }

    static let badPosts: [(String, String, [(String, String)], Int)] = [
        ("the current session", "current", [], 422),
        ("an unknown field", "other", [("everything", "1")], 422),
        ("no CSRF token", "other", [], 403),
        ("a forged CSRF token", "other", [("_csrf", "forged")], 403),
        ("a handle that is no session", "00000000000000000000", [], 404),
        ("everywhere else with an unknown field", "end-others", [("all", "1")], 422),
        ("everywhere else without a token", "end-others", [], 403),
    ]

    @Test(arguments: badPosts) func badPostsChangeNothing(_ label: String, _ target: String, _ fields: [(String, String)], _ status: Int)
        throws
    {
        let t = try TestApp()
        let here = try t.client(signedInAs: "owner@acme.test")
        let other = try t.client(signedInAs: "owner@acme.test")
        let csrf = here.get(Self.page).csrf
        let currentHandle = Self.handles(other.get(Self.page))[0]
        let otherHandle = Self.handles(here.get(Self.page))[0]
        let path: String =
            switch target {
            case "current": Self.page + "/\(currentHandle)/end"
            case "other": Self.page + "/\(otherHandle)/end"
            case "end-others": Self.page + "/end-others"
            default: Self.page + "/\(target)/end"
            }
        let withToken = status == 403 ? fields : [("_csrf", csrf)] + fields
        let before = try Self.count(t)
        #expect(here.post(path, withToken).status == status, "\(label)")
        #expect(try Self.count(t) == before, "\(label)")
        #expect(other.get(Self.page).status == 200, "\(label)")
    }
}
