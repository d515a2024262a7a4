import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb
import WheelhouseTestSupport

/// The Compliance tab in process: requesting an export, the page, and the signed download.
@Suite("Compliance, in process") struct ComplianceWebTests {
    static let page = "/orgs/acme/settings/compliance"

    /// An app on a test clock with one ready export of acme; returns its signed download path.
    struct World {
        let clock = TestClock()
        let t: TestApp
        let exportId: Int64
        let link: String

        init() throws {
            let clock = self.clock
            t = try TestApp(database: AppDatabase.inMemory(now: { clock.now }))
            let owner = try t.client(signedInAs: "owner@acme.test")
            #expect(owner.post(ComplianceWebTests.page + "/exports", [("_csrf", owner.get(ComplianceWebTests.page).csrf)]).status == 303)
            #expect(try DataExportWorker(database: t.database, store: t.exports, consoleURL: "http://x.test").runOne())
            exportId = try t.database.dataExports(orgId: t.org.id!)[0].export.id
            let html = owner.get(ComplianceWebTests.page).html
            let start = try #require(html.range(of: "<a href=\"/orgs/acme/settings/compliance/exports/\(exportId)/download?"))
            link = String(html[html.index(start.lowerBound, offsetBy: 9)...].prefix { $0 != "\"" }).replacingOccurrences(
                of: "&amp;", with: "&")
        }

        func downloads() throws -> Int {
            try t.database.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM auditEvent WHERE action = 'compliance.export.download'")!
            }
        }
    }

    @Test func theOwnerRequestsOnceAndASecondRequestIsRefused() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let empty = client.get(Self.page)
        #expect(empty.status == 200 && empty.contains("No export has been requested yet.") && empty.contains("<section id=\"export\""))
        let first = client.post(Self.page + "/exports", [("_csrf", empty.csrf)])
        #expect(first.status == 303 && first.location == Self.page)
        let shown = client.get(Self.page)
        #expect(shown.contains("Export requested.") && shown.contains("Queued") && shown.contains("http-equiv=\"refresh\""))
        #expect(shown.contains("data-reload-while-building") && shown.contains(">Refresh</a>"))
        // The double submit: the same form posted again.
        let second = client.post(Self.page + "/exports", [("_csrf", empty.csrf)])
        #expect(second.status == 422 && second.contains("An export is already being prepared."))
        #expect(try t.database.dataExports(orgId: t.org.id!).count == 1)
        #expect(client.post(Self.page + "/exports", []).status == 403)
    }

    @Test(arguments: ["admin@acme.test", "member@acme.test"])
    func adminsAndMembersCannotOpenOrRequest(_ email: String) throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: email)
        #expect(client.get(Self.page).status == 403)
        #expect(client.post(Self.page + "/exports", [("_csrf", client.get("/orgs/acme/settings/general").csrf)]).status == 403)
        #expect(!client.get("/orgs/acme/settings/general").contains(">Compliance</a>"))
        #expect(try t.database.dataExports(orgId: t.org.id!).isEmpty)
    }

    @Test func theOwnerDownloadsTheZipAndEachDownloadIsAudited() throws {
        let w = try World()
        let owner = try w.t.client(signedInAs: "owner@acme.test")
        let page = owner.get(Self.page)
        #expect(page.contains("Ready") && page.contains("SHA-256 ") && !page.contains("http-equiv=\"refresh\""))
        let response = owner.get(w.link)
        #expect(response.status == 200)
        #expect(response.raw.header("Content-Type") == "application/zip")
        #expect(response.raw.header("Content-Disposition") == "attachment; filename=\"acme-export-\(Dates.iso(w.clock.now)).zip\"")
        let bytes = try #require(response.raw.file).readAll()
        #expect(bytes.prefix(2) == [0x50, 0x4B] && Int64(bytes.count) == response.raw.file?.length)
        #expect(owner.get(w.link).status == 200)
        #expect(try w.downloads() == 2)
    }

    @Test func aSignedLinkOpensForNobodyButAnOwnerOfItsOrganization() throws {
        let w = try World()
        for email in ["admin@acme.test", "member@acme.test"] {
            let response = try w.t.client(signedInAs: email).get(w.link)
            #expect(response.status == 403 && response.raw.file == nil, "\(email)")
        }
        let outsider = try w.t.client(signedInAs: "out@other.test")
        #expect(outsider.get(w.link).status == 404)
        // The same link moved to the outsider's own organization.
        let moved = outsider.get(w.link.replacingOccurrences(of: "/orgs/acme/", with: "/orgs/other/"))
        #expect(moved.status == 404 && moved.raw.file == nil)
        let anonymous = w.t.client().get(w.link)
        #expect(anonymous.status == 303 && anonymous.raw.file == nil)
        #expect(try w.downloads() == 0)
    }

    @Test func aTamperedOrExpiredLinkIsA404() throws {
        let w = try World()
        let owner = try w.t.client(signedInAs: "owner@acme.test")
        let expires = try #require(w.link.firstMatch(of: /expires=(\d+)/)?.1)
        let tampered = [
            w.link.replacingOccurrences(of: "/exports/\(w.exportId)/", with: "/exports/\(w.exportId + 1)/"),
            w.link.replacingOccurrences(of: "expires=\(expires)", with: "expires=\(Int(expires)! + 3_600)"),
            w.link.replacingOccurrences(of: "sig=", with: "sig=A"), String(w.link.prefix { $0 != "&" }),
            w.link.replacingOccurrences(of: "expires=\(expires)", with: "expires=+\(expires)"),
        ]
        for link in tampered {
            let response = owner.get(link)
            #expect(response.status == 404 && response.raw.file == nil, "\(link)")
        }
        w.clock.advance(86_400)
        // Signed in again: the session of a day ago has ended.
        #expect(try w.t.client(signedInAs: "owner@acme.test").get(w.link).status == 404)
        #expect(try w.downloads() == 0)
    }
}
