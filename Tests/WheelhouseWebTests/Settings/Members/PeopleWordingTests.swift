import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// Small things a person reads on the People pages (issue 10, point 17): each said once, in
/// English, and true for the person reading it.
@Suite("People pages: wording and small errors, in process") struct PeopleWordingTests {
    func rawPost(_ client: TestClient, _ path: String, csrf: String, _ encoded: String) -> TestResponse {
        client.send(
            "POST", path, contentType: "application/x-www-form-urlencoded",
            body: Array("_csrf=\(URLEncodedForm.encode(csrf))&\(encoded)".utf8))
    }

    func occurrences(_ text: String, in html: String) -> Int { html.components(separatedBy: text).count - 1 }

    @Test func invalidUTF8InATeamOrWorkspaceNameIsReportedOnceBesideTheFieldAndOnceInTheSummary() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let page = owner.get("/orgs/acme/settings/teams")
        let team = rawPost(owner, "/orgs/acme/settings/teams", csrf: page.csrf, "name=Core%FF&description=")
        #expect(team.status == 422)
        let teamMessage = "The text in “Team name” is not valid UTF-8."
        #expect(occurrences("<li>" + teamMessage + "</li>", in: team.html) == 1, "beside the field")
        #expect(occurrences(teamMessage, in: team.html) == 2, "beside the field and in the summary, nowhere else")
        let message = "The text in “Name” is not valid UTF-8."
        let workspace = rawPost(owner, "/orgs/acme/settings/workspaces", csrf: page.csrf, "name=Lab%FF&key=lab&description=")
        #expect(workspace.status == 422)
        #expect(occurrences(message, in: workspace.html) == 2)
    }

    @Test func revokingAnAlreadyRevokedInvitationSaysSo() throws {
        let t = try TestApp()
        _ = try t.database.invite(orgKey: "acme", addresses: ["gone@acme.test"], role: .member, by: Actor(user: t.owner, address: "t"))
        let entry = try #require(try t.database.membersPage(orgId: t.org.id!, MembersQuery()).entries.first { $0.invitationId != nil })
        let owner = try t.client(signedInAs: "owner@acme.test")
        let page = owner.get("/orgs/acme/settings/members")
        let path = "/orgs/acme/settings/members/invitations/\(entry.invitationId!)/revoke"
        #expect(owner.post(path, [("_csrf", page.csrf), ("version", "\(entry.version)")]).status == 303)
        let again = owner.post(path, [("_csrf", page.csrf), ("version", "\(entry.version)")])
        #expect(again.status == 303, "the second tab's revoke is not a 404")
        #expect(owner.get("/orgs/acme/settings/members").contains("was already revoked"))
    }

    @Test func messagesReadAsEnglish() throws {
        let t = try TestApp()
        // The sign-in page saves nothing, so it does not say "Nothing was saved"
        let visitor = t.client()
        let login = visitor.get("/login")
        let failed = visitor.post("/login", [("_csrf", login.csrf), ("email", "owner@acme.test"), ("password", "wrong"), ("next", "")])
        #expect(failed.status == 401)
        #expect(!failed.contains("Nothing was saved"))
        #expect(failed.contains("The email or password is incorrect."))
        // A label is named, not conjugated
        let owner = try t.client(signedInAs: "owner@acme.test")
        let members = owner.get("/orgs/acme/settings/members")
        let invite = rawPost(owner, "/orgs/acme/settings/members/invite", csrf: members.csrf, "emails=a%FF%40b.test&role=member")
        #expect(invite.status == 422)
        #expect(invite.contains("The text in “Email addresses” is not valid UTF-8."))
        #expect(!invite.contains("addresses is not"))
        // One character is singular in the audit log
        let general = owner.get("/orgs/acme/settings/general")
        let saved = owner.postMultipart(
            "/orgs/acme/settings/general",
            [
                ("_csrf", Array(general.csrf.utf8)), ("version", Array((general.inputValue("version") ?? "").utf8)),
                ("display_name", Array("Acme".utf8)), ("description", Array("x".utf8)), ("member_limit", Array("30".utf8)),
            ])
        #expect(saved.status == 303)
        let summary = try #require(try t.database.auditEvents(orgId: t.org.id!).last?.summary)
        #expect(summary.contains("1 character)"), "\(summary)")
    }

    @Test func generalCountsTheWorkspacesTheViewerCanSee() throws {
        let t = try TestApp()
        // Three members, each with a private default workspace, and one shared workspace
        _ = try t.database.createWorkspace(
            orgKey: "acme", NewWorkspace(name: "Lab", key: "lab", description: ""),
            enforcePlan: false, by: Actor(user: t.owner, address: "t"))
        let cards = try t.database.workspaceCards(access: t.database.access(orgKey: "acme", userId: t.owner.id!), userId: t.owner.id!)
        let page = try t.client(signedInAs: "owner@acme.test").get("/orgs/acme/settings/general")
        #expect(
            page.contains("<dt>Workspaces</dt><dd>\(cards.count) <span class=\"muted\">+ 2 private to others</span></dd>"), "\(cards.count)"
        )
        let member = try t.client(signedInAs: "member@acme.test").get("/orgs/acme/settings/general")
        #expect(member.contains("<dt>Workspaces</dt><dd>1 <span class=\"muted\">+ 3 private to others</span></dd>"))
    }

    @Test func theNoOrganizationPageHasNoStatusLineAndNoLinkToItself() throws {
        let t = try TestApp()
        _ = try t.database.createUser(email: "lonely@acme.test", name: "Lonely", password: TestApp.password)
        let page = try t.client(signedInAs: "lonely@acme.test").get("/")
        #expect(page.status == 200)
        #expect(page.contains("You do not belong to any organization yet"))
        #expect(!page.contains("HTTP 200"))
        #expect(!page.contains("Back to the console"))
    }
}

@Suite("Members export, in process") struct MembersExportTests {
    @Test func ownersAndAdminsExportRFC4180WithFormulaCellsDefused() throws {
        let t = try TestApp()
        let sneaky = try t.database.createUser(
            email: "sneaky@acme.test", name: "=HYPERLINK(\"http://x\",\"a, b\")", password: TestApp.password)
        try t.database.addMember(userId: sneaky.id!, orgId: t.org.id!, role: .member)
        _ = try t.database.invite(orgKey: "acme", addresses: ["-guest@acme.test"], role: .admin, by: Actor(user: t.owner, address: "t"))
        let admin = try t.client(signedInAs: "admin@acme.test")
        let csv = admin.get("/orgs/acme/settings/members/export.csv")
        #expect(csv.status == 200)
        #expect(csv.raw.header("Content-Type") == "text/csv; charset=utf-8")
        #expect(csv.raw.header("Content-Disposition")?.hasPrefix("attachment; filename=\"members-acme-") == true)
        let lines = csv.html.components(separatedBy: "\r\n")
        #expect(lines.first == "name,email,role,status,since,last_active,invitation_expires")
        #expect(lines.last == "", "every line ends with CRLF")
        #expect(lines.count == 1 + 4 + 1 + 1)
        #expect(csv.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"a, b\"\")\",sneaky@acme.test,member,active,"))
        #expect(csv.contains(",'-guest@acme.test,admin,invited,"))
        #expect(!csv.html.contains(",=") && !csv.html.contains("\n="))
        // Members may not export
        #expect(try t.client(signedInAs: "member@acme.test").get("/orgs/acme/settings/members/export.csv").status == 403)
        #expect(try t.client(signedInAs: "owner@acme.test").get("/orgs/acme/settings/members").contains("/settings/members/export.csv"))
    }
}

@Suite("Invitation personal message, in process") struct InvitationMessageTests {
    @Test func aPersonalMessageGoesIntoTheEmailAsQuotedPlainText() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let page = owner.get("/orgs/acme/settings/members")
        #expect(page.contains("name=\"message\""))
        let sent = owner.post(
            "/orgs/acme/settings/members/invite",
            [
                ("_csrf", page.csrf), ("emails", "pat@acme.test"), ("role", "member"),
                ("message", "Welcome aboard!\nSee you <b>Monday</b>."),
            ])
        #expect(sent.status == 303)
        let mail = try #require(try t.database.claimDueMail(baseURL: "http://127.0.0.1:8080", limit: 10).first)
        #expect(mail.body.contains("Olga Owner wrote:\n> Welcome aboard!\n> See you <b>Monday</b>.\n"))
        #expect(mail.rfc822(from: "a@b.test", domain: "b.test", date: Date()).contains("Content-Type: text/plain; charset=utf-8"))
    }

    @Test(arguments: [("Hi\u{7}there", "control characters"), (String(repeating: "x", count: 501), "at most 500 characters")])
    func aBadMessageIsRefusedAndNobodyIsInvited(_ message: String, _ why: String) throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let page = owner.get("/orgs/acme/settings/members")
        let refused = owner.post(
            "/orgs/acme/settings/members/invite",
            [
                ("_csrf", page.csrf), ("emails", "pat@acme.test"), ("role", "member"),
                ("message", message),
            ])
        #expect(refused.status == 422)
        #expect(refused.contains(why))
        #expect(refused.contains("href=\"#field-message\""))
        #expect(refused.contains(">pat@acme.test</textarea>"), "the typed addresses stay")
        #expect(try t.database.membersPage(orgId: t.org.id!, MembersQuery()).counts.pending == 0)
    }
}
