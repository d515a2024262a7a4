import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// Issue 11: a form's field names come from its field enum only. Every name a page's forms send
/// is one its controller's `FormReader` reads, so markup and decoding cannot drift apart.
@Suite("Form names from field enums") struct FormNamesFromEnumsTests {
    /// The `name` attributes inside each `<form>` of `html`, one list per form.
    static func formNames(_ html: String) -> [[String]] {
        html.components(separatedBy: "<form").dropFirst().map { form in
            let body = form.components(separatedBy: "</form>")[0]
            return body.components(separatedBy: " name=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        }
    }

    static func names<Field: RawRepresentable & CaseIterable>(_: Field.Type) -> Set<String> where Field.RawValue == String {
        Set(Field.allCases.map(\.rawValue))
    }

    func expectForms(_ response: TestResponse, post: Set<String>, _ page: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let forms = Self.formNames(response.html).filter { !$0.isEmpty }
        #expect(!forms.isEmpty, "\(page) has a form", sourceLocation: sourceLocation)
        for names in forms {
            #expect(Set(names).isSubset(of: post), "\(page): \(names) not all in \(post.sorted())", sourceLocation: sourceLocation)
        }
    }

    @Test func credentialFormsSendOnlyTheirEnumsNames() throws {
        let w = try RouteMatrixTests.World()
        let (owner, _) = try w.client(.owner)
        let secrets = "/orgs/acme/settings/secrets", providers = "/orgs/acme/settings/providers"
        // The list's add form (the org switcher and sign-out forms aside, which post elsewhere).
        let list = owner.get(secrets)
        let add = Self.formNames(list.html).first { $0.contains(SecretsController.AddField.value.rawValue) }
        #expect(add.map { Set($0) == Self.names(SecretsController.AddField.self) } == true, "\(add ?? [])")
        let rotate = owner.get(secrets + "/\(w.secretId)/rotate")
        expectForms(rotate, post: Self.names(SecretsController.RotateField.self).union(Self.names(SignOutField.self)), "rotate")
        #expect(rotate.contains("name=\"\(SecretsController.RotateField.version.rawValue)\" value=\"1\""))
        let delete = owner.get(secrets + "/\(w.secretId)/delete")
        expectForms(delete, post: Self.names(SecretsController.DeleteField.self).union(Self.names(SignOutField.self)), "delete secret")
        for path in [providers + "/new?kind=custom", providers + "/\(w.providerId)/edit"] {
            expectForms(owner.get(path), post: Self.names(ProvidersController.Field.self).union(Self.names(SignOutField.self)), path)
        }
        let newForm = owner.get(providers + "/new?kind=openai")
        #expect(newForm.contains("name=\"\(ProvidersController.Field.kind.rawValue)\" value=\"openai\""))
        expectForms(
            owner.get(providers + "/\(w.providerId)/delete"),
            post: Self.names(ProvidersController.ActionField.self).union(Self.names(SignOutField.self)), "remove provider")
        let chat = owner.get("/orgs/acme/settings/chat-models")
        expectForms(chat, post: Self.names(ChatModelsController.Field.self).union(Self.names(SignOutField.self)), "chat models")
        #expect(chat.contains("name=\"\(ChatModelsController.Field.enabled.rawValue)\" value=\"1\""))
    }

    @Test func signInAndInvitationFormsSendOnlyTheirEnumsNames() throws {
        let w = try RouteMatrixTests.World()
        let visitor = w.t.client()
        let login = visitor.get("/login?next=/orgs/acme")
        // The password form and the Sign in with SSO form.
        expectForms(login, post: Self.names(AuthController.Field.self).union(Self.names(SSOSignInController.Field.self)), "sign-in")
        #expect(login.contains("name=\"\(AuthController.Field.next.rawValue)\" value=\"/orgs/acme\""))
        let token = try #require(try w.t.database.membersPage(orgId: w.t.org.id!, MembersQuery()).entries.compactMap(\.linkToken).first)
        let invitation = visitor.get("/invitations/\(token)")
        expectForms(invitation, post: Self.names(InvitationController.Field.self), "invitation")
        #expect(
            visitor.post(
                "/invitations/\(token)",
                [
                    ("_csrf", invitation.csrf), ("name", "Gus Guest"),
                    ("password", "a long enough password"),
                ]
            ).status == 200)
        let mail = try #require(
            try w.t.database.claimDueMail(baseURL: "http://127.0.0.1:8080", limit: 10).first { $0.subject.contains("Confirm") })
        let line = try #require(mail.body.split(separator: "\n").first { $0.contains("/confirm/") })
        let link = String(line[try #require(line.range(of: "/confirm/")).lowerBound...]).trimmingCharacters(in: .whitespaces)
        let confirmation = visitor.get(link)
        expectForms(confirmation, post: Self.names(ConfirmationController.Field.self), "confirmation")
        #expect(confirmation.contains("name=\"\(ConfirmationController.Field.action.rawValue)\" value=\"discard\""))
    }

    /// The layout's sign-out form, on every signed-in page: only the CSRF token.
    enum SignOutField: String, CaseIterable { case csrf = "_csrf" }
}
