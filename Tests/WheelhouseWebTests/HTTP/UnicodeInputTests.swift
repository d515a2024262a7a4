import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// Text that looks short but is many code points, and one address spelled several ways
/// (found by trying the console as an attacker after issue 10's changes).
@Suite("Unicode input, in process") struct UnicodeInputTests {
    static let combiningE = "e\u{0301}"

    @Test func combiningCharactersAreCountedAsTheDatabaseCountsThem() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let before = try t.snapshot()
        // 60 characters on screen, 120 code points: over the 100 a display name may have
        let general = owner.get("/orgs/acme/settings/general")
        let name = "D" + String(repeating: Self.combiningE, count: 60)
        let saved = owner.post(
            "/orgs/acme/settings/general",
            [
                ("_csrf", general.csrf), ("version", general.inputValue("version") ?? ""),
                ("display_name", name), ("description", ""),
                ("member_limit", "50"), ("time_zone", "UTC"),
            ])
        #expect(saved.status == 422, "not a 500: \(saved)")
        #expect(saved.contains("Display name must be at most 100 characters"))
        #expect(try t.snapshot() == before)
        // A personal message of 300 accented letters is 600 code points: over 500
        let members = owner.get("/orgs/acme/settings/members")
        let invite = owner.post(
            "/orgs/acme/settings/members/invite",
            [
                ("_csrf", members.csrf), ("emails", "new@acme.test"),
                ("role", "member"),
                ("message", String(repeating: Self.combiningE, count: 300)),
            ])
        #expect(invite.status == 422, "not a 500: \(invite)")
        #expect(invite.contains("Personal message must be at most 500 characters"))
    }

    @Test func oneAddressSpelledSeveralWaysIsOneInvitation() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let composed = "\u{00FC}ser@ex\u{00E4}mple.test"
        let decomposed = "u\u{0308}ser@exa\u{0308}mple.test"
        let upper = "\u{00DC}SER@EX\u{00C4}MPLE.TEST"
        for address in [composed, decomposed, upper] {
            let members = owner.get("/orgs/acme/settings/members")
            _ = owner.post("/orgs/acme/settings/members/invite", [("_csrf", members.csrf), ("emails", address), ("role", "member")])
        }
        let pending = try t.database.read { db in
            try String.fetchAll(db, sql: "SELECT email FROM invitation WHERE status = 'pending'")
        }
        #expect(pending == [composed], "one invitation, stored composed and lower-cased: \(pending)")
    }
}

extension UnicodeInputTests {
    @Test func aValueFarPastItsLimitIsNotMirroredInFull() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let general = owner.get("/orgs/acme/settings/general")
        let huge = String(repeating: "x", count: 3_000_000)
        let refused = owner.post(
            "/orgs/acme/settings/general",
            [
                ("_csrf", general.csrf), ("version", general.inputValue("version") ?? ""),
                ("display_name", "Acme"), ("description", huge),
                ("member_limit", "50"), ("time_zone", "UTC"),
            ])
        #expect(refused.status == 422)
        #expect(refused.contains("Description must be at most 1000 characters"))
        #expect(refused.raw.body.count < 100_000, "the page is \(refused.raw.body.count) bytes")
    }
}

extension UnicodeInputTests {
    @Test func aFormWithoutItsVersionIsMalformedNotSomeoneElsesEdit() throws {
        let t = try TestApp()
        let secret = try t.database.addSecret(orgKey: "acme", by: Actor(user: t.owner, address: "t"), name: "KEY", value: "v1")
        let owner = try t.client(signedInAs: "owner@acme.test")
        let path = "/orgs/acme/settings/secrets/\(secret.id)/rotate"
        let form = owner.get(path)
        for version in [nil, "abc", "-4"] as [String?] {
            var fields = [("_csrf", form.csrf), ("value", "v2")]
            if let version { fields.append(("version", version)) }
            let response = owner.post(path, fields)
            #expect(response.status == 422, "version \(version ?? "missing"): \(response)")
            #expect(response.contains("missing the version it was loaded with"))
            #expect(!response.contains("Someone else changed"))
        }
        #expect(try t.database.secretValue(id: secret.id, orgId: t.org.id!, ownerId: t.owner.id!) == "v1")
    }
}
