import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

@Suite("General tab, in process") struct GeneralSettingsWebTests {
    let general = "/orgs/acme/settings/general"

    /// The fields of a valid save, built from the page the client just loaded.
    func validFields(_ page: TestResponse, name: String = "Acme Robotics") -> [(String, [UInt8])] {
        [
            ("_csrf", Array(page.csrf.utf8)), ("version", Array((page.inputValue("version") ?? "").utf8)),
            ("display_name", Array(name.utf8)), ("description", Array("We build robots.".utf8)),
            ("member_limit", Array("30".utf8)),
        ]
    }

    func replacing(_ fields: [(String, [UInt8])], _ name: String, with value: [UInt8]?) -> [(String, [UInt8])] {
        var result = fields.filter { $0.0 != name }
        if let value { result.append((name, value)) }
        return result
    }

    @Test func ownerSavesSeesTheFlashOnceAndTheRowAndAuditAreStored() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get(general)
        #expect(page.status == 200)
        #expect(page.contains("name=\"display_name\" type=\"text\" value=\"Acme\""))
        #expect(page.contains("<dd>3</dd>"), "stats bar counts three members")

        let saved = client.postMultipart(general, validFields(page))
        #expect(saved.status == 303)
        #expect(saved.location == general)

        let after = client.get(general)
        #expect(after.contains("<div class=\"flash flash-success\" role=\"status\">General settings saved.</div>"))
        #expect(after.contains("value=\"Acme Robotics\""))
        #expect(!client.get(general).contains("General settings saved."), "a flash shows once")

        let org = try t.database.access(orgKey: "acme", userId: t.owner.id!).org
        #expect(org.displayName == "Acme Robotics")
        #expect(org.description == "We build robots.")
        #expect(org.memberLimit == 30)
        let audit = try #require(try t.database.auditEvents(orgId: org.id!).last)
        #expect(audit.action == .organizationUpdate)
        #expect(audit.actorUserId == t.owner.id)
        #expect(audit.address == "203.0.113.9")
    }

    @Test func urlEncodedPostsWorkToo() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "admin@acme.test")
        let page = client.get(general)
        let response = client.post(
            general,
            [
                ("_csrf", page.csrf), ("version", "1"), ("display_name", "Plain form"),
                ("description", ""), ("member_limit", "25"),
            ])
        #expect(response.status == 303)
        #expect(try t.snapshot().org.displayName == "Plain form")
    }

    @Test func multiLineTextAndMarkupRoundTripExactly() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let page = client.get(general)
        var fields = replacing(
            validFields(page, name: "<script>alert(1)</script> & Co"), "description",
            with: Array("line one\r\n  line two\r\nline three".utf8))
        fields = replacing(fields, "member_limit", with: Array("25".utf8))
        #expect(client.postMultipart(general, fields).status == 303)
        #expect(try t.snapshot().org.description == "line one\n  line two\nline three")
        let after = client.get(general)
        #expect(after.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"))
        #expect(!after.contains("<script>alert(1)"))
        #expect(after.contains(">line one\n  line two\nline three</textarea>"))
    }

    @Test func logoUploadIsServedToMembersAndHiddenFromOutsiders() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let png = LogoFiles.png
        #expect(client.postMultipart(general, validFields(client.get(general)), files: [("logo", "mark.png", png)]).status == 303)
        let file = try #require(try t.snapshot().org.logoFile)
        let logoPath = "/orgs/acme/logo/\(file)"
        #expect(client.get(general).contains("src=\"\(logoPath)\""))

        let member = try t.client(signedInAs: "member@acme.test").get(logoPath)
        #expect(member.status == 200)
        #expect(member.raw.header("Content-Type") == "image/png")
        var errors = FieldErrors()
        #expect(LogoImage.validated(member.raw.body, field: "logo", into: &errors) != nil, "a PNG, as libgd wrote it again")
        #expect(try t.client(signedInAs: "out@other.test").get(logoPath).status == 404)
        #expect(client.get("/orgs/acme/logo/not-the-logo.png").status == 404)
    }

    @Test func memberSeesValuesReadOnly() throws {
        let t = try TestApp()
        let page = try t.client(signedInAs: "member@acme.test").get(general)
        #expect(page.status == 200)
        #expect(!page.contains("name=\"display_name\""))
        #expect(!page.contains("Save changes"))
        #expect(page.contains("Only Owners and Admins can change these settings."))
        #expect(page.contains("<dd>Acme</dd>"))
    }

    @Test func aStaleFormShowsEachStoredAndTypedValueAndOverwritingNeedsConsent() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let admin = try t.client(signedInAs: "admin@acme.test")
        let ownerPage = owner.get(general)
        // Given the Admin saved a new name and description in another tab
        var adminFields = replacing(
            validFields(admin.get(general), name: "Admin was first"), "description", with: Array("Admin's text".utf8))
        adminFields = replacing(adminFields, "member_limit", with: Array("30".utf8))
        #expect(admin.postMultipart(general, adminFields).status == 303)
        // When the Owner saves the stale form
        let mine = replacing(validFields(ownerPage, name: "Owner was second"), "description", with: Array("Owner's text".utf8))
        let refused = owner.postMultipart(general, mine)
        // Then 409 shows each field: stored and typed, and the typed values stay in the form
        #expect(refused.status == 409)
        for text in ["Admin was first", "Owner was second", "Admin&#39;s text", "Owner&#39;s text"] {
            #expect(refused.contains(text) || refused.contains(text.replacingOccurrences(of: "&#39;", with: "'")), "\(text)")
        }
        #expect(refused.contains("value=\"Owner was second\""))
        #expect(refused.contains("href=\"#field-overwrite\""))
        #expect(try t.snapshot().org.displayName == "Admin was first")
        // And saving the same form again without ticking the box still changes nothing
        let seen = Array((refused.inputValue("seen_version") ?? "").utf8)
        let resent = owner.postMultipart(general, replacing(validFields(refused, name: "Owner was second"), "seen_version", with: seen))
        #expect(resent.status == 409)
        #expect(try t.snapshot().org.description == "Admin's text")
        // Only with the box ticked does it replace the stored values
        var consent = replacing(mine, "seen_version", with: seen)
        consent = replacing(consent, "overwrite", with: Array("1".utf8))
        let again = owner.postMultipart(general, consent)
        #expect(again.status == 303)
        #expect(try t.snapshot().org.description == "Owner's text")
    }

    /// Each bad submission: its status, and that nothing changed anywhere.
    @Test(arguments: BadInput.allCases)
    func badInputChangesNothing(_ bad: BadInput) throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: bad == .memberPosting ? "member@acme.test" : "owner@acme.test")
        let page = client.get(general)
        let before = try t.snapshot()
        let response = bad.send(client, page: page, fields: validFields(page), replacing: replacing)
        #expect(response.status == bad.expectedStatus, "\(bad)")
        #expect(try t.snapshot() == before, "\(bad) must change nothing")
        if bad.expectedStatus == 422 {
            #expect(response.contains("aria-invalid=\"true\"") || response.contains("class=\"error-summary\""), "\(bad) shows an error")
            #expect(
                response.contains(bad == .overLongDescription ? String(repeating: "d", count: 1001) : ">We build robots.</textarea>"),
                "\(bad) keeps the typed values")
        }
    }

    enum BadInput: CaseIterable, CustomTestStringConvertible {
        case overLongName, emptyName, invalidUTF8, controlCharacters, overLongDescription
        case memberLimitNotANumber, memberLimitZero, memberLimitBelowMembers
        case threeMegabyteLogo, textFileNamedPNG, unknownField
        case missingCSRF, wrongCSRF, staleVersion, anotherOrgsKey, memberPosting
        case bodyOverLimit, jsonContentType, malformedMultipart

        var testDescription: String { "\(self)" }

        var expectedStatus: Int {
            switch self {
            case .missingCSRF, .wrongCSRF, .memberPosting: 403
            case .staleVersion: 409
            case .anotherOrgsKey: 404
            case .bodyOverLimit: 413
            case .jsonContentType: 415
            case .malformedMultipart: 400
            default: 422
            }
        }

        func send(
            _ client: TestClient, page: TestResponse, fields: [(String, [UInt8])],
            replacing: ([(String, [UInt8])], String, [UInt8]?) -> [(String, [UInt8])]
        ) -> TestResponse {
            let path = "/orgs/acme/settings/general"
            func post(_ fields: [(String, [UInt8])], files: [(String, String, [UInt8])] = []) -> TestResponse {
                client.postMultipart(path, fields, files: files)
            }
            switch self {
            case .overLongName: return post(replacing(fields, "display_name", Array(String(repeating: "é", count: 101).utf8)))
            case .emptyName: return post(replacing(fields, "display_name", Array("   ".utf8)))
            case .invalidUTF8: return post(replacing(fields, "display_name", [0x41, 0xFF, 0xFE, 0x42]))
            case .controlCharacters: return post(replacing(fields, "display_name", Array("Acme\u{0}\u{1B}[31m".utf8)))
            case .overLongDescription: return post(replacing(fields, "description", Array(String(repeating: "d", count: 1001).utf8)))
            case .memberLimitNotANumber: return post(replacing(fields, "member_limit", Array("lots".utf8)))
            case .memberLimitZero: return post(replacing(fields, "member_limit", Array("0".utf8)))
            case .memberLimitBelowMembers: return post(replacing(fields, "member_limit", Array("2".utf8)))
            case .threeMegabyteLogo:
                let big: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 1, count: 3 * 1024 * 1024)
                return post(fields, files: [("logo", "big.png", big)])
            case .textFileNamedPNG: return post(fields, files: [("logo", "logo.png", Array("not an image at all\n".utf8))])
            case .unknownField: return post(fields + [("is_admin", Array("1".utf8))])
            case .missingCSRF: return post(replacing(fields, "_csrf", nil))
            case .wrongCSRF: return post(replacing(fields, "_csrf", Array("forged-token".utf8)))
            case .staleVersion: return post(replacing(fields, "version", Array("0".utf8)))
            case .anotherOrgsKey: return client.postMultipart("/orgs/other/settings/general", fields)
            case .memberPosting: return post(fields)
            case .bodyOverLimit: return post(fields, files: [("logo", "huge.png", Array(repeating: 0, count: 5 * 1024 * 1024))])
            case .jsonContentType:
                return client.send("POST", path, contentType: "application/json", body: Array("{\"display_name\":\"x\"}".utf8))
            case .malformedMultipart:
                return client.send("POST", path, contentType: "multipart/form-data; boundary=abc", body: Array("garbage".utf8))
            }
        }
    }
}
