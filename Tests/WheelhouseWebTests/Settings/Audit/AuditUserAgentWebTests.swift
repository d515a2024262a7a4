import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// Each entry keeps the `User-Agent` its change came with: summarised on the page (the raw header
/// in the title), whole in the exports; control characters dropped, the length bounded.
@Suite("Audit log user agent, in process") struct AuditUserAgentWebTests {
    static let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

    @Test func theBrowserOfAChangeIsShownAndExported() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let form = client.get("/orgs/acme/settings/general")
        let body = [("_csrf", form.csrf), ("version", "1"), ("display_name", "Acme UA"), ("description", ""), ("member_limit", "25")]
            .map { "\(URLEncodedForm.encode($0.0))=\(URLEncodedForm.encode($0.1))" }.joined(separator: "&")
        let saved = client.send(
            "POST", "/orgs/acme/settings/general", contentType: "application/x-www-form-urlencoded", body: Array(body.utf8),
            headers: ["user-agent": Self.firefox + "\u{7}\u{200B}" + String(repeating: "x", count: 400)])
        #expect(saved.status == 303)
        let stored = try #require(try t.database.auditEvents(orgId: t.org.id!).last { $0.action == .organizationUpdate })
        #expect(stored.userAgent.hasPrefix(Self.firefox + "xx"))
        #expect(stored.userAgent.unicodeScalars.count == AuditEvent.userAgentLimit)
        let page = client.get("/orgs/acme/settings/audit")
        #expect(page.contains("<span class=\"muted\" title=\"\(Self.firefox)xxx"))
        #expect(page.contains(">Firefox on Linux</span>"))
        let csv = client.get("/orgs/acme/settings/audit/export.csv").html
        #expect(csv.contains(Self.firefox))
    }
}
