import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

@Suite("General settings") struct GeneralSettingsTests {
    let logos = LogoStore(directory: FileManager.default.temporaryDirectory.appendingPathComponent("wh-logos-\(UUID())"))

    func change(
        _ org: Organization, name: String? = nil, description: String? = nil, limit: Int?? = nil,
        logo: GeneralSettingsChange.LogoChange = .keep, version: Int? = nil
    ) -> GeneralSettingsChange {
        GeneralSettingsChange(
            displayName: name ?? org.displayName, description: description ?? org.description,
            memberLimit: limit ?? org.memberLimit, logo: logo, expectedVersion: version ?? org.version)
    }

    @Test func ownerUpdatesAndTheAuditEntryIsWritten() throws {
        // Given
        let f = try Fixture()
        let before = try f.database.auditEvents(orgId: f.org.id!).count
        // When
        let saved = try f.database.updateGeneral(
            orgKey: "acme", by: Actor(user: f.owner, address: "10.0.0.1"),
            change(f.org, name: "Acme Robotics", limit: 40), logos: logos)
        // Then
        #expect(saved.displayName == "Acme Robotics")
        #expect(saved.memberLimit == 40)
        #expect(saved.version == f.org.version + 1)
        #expect(try f.currentOrg() == saved)
        let audit = try f.database.auditEvents(orgId: f.org.id!)
        #expect(audit.count == before + 1)
        #expect(audit.last?.action == .organizationUpdate)
        #expect(audit.last?.actorUserId == f.owner.id)
        #expect(audit.last?.address == "10.0.0.1")
        #expect(audit.last?.summary.contains("“Acme” → “Acme Robotics”") == true)
        #expect(audit.last?.summary.contains("member limit 25 → 40") == true)
    }

    @Test func adminMayEditButMemberAndOutsiderMayNot() throws {
        let f = try Fixture()
        _ = try f.database.updateGeneral(
            orgKey: "acme", by: Actor(user: f.admin, address: "a"),
            change(f.org, name: "By admin"), logos: logos)
        let org = try f.currentOrg()
        #expect(throws: DomainError.forbidden(.editGeneral)) {
            try f.database.updateGeneral(
                orgKey: "acme", by: Actor(user: f.member, address: "a"),
                change(org, name: "By member"), logos: logos)
        }
        #expect(throws: DomainError.notFound) {
            try f.database.updateGeneral(
                orgKey: "acme", by: Actor(user: f.outsider, address: "a"),
                change(org, name: "By outsider"), logos: logos)
        }
        #expect(try f.currentOrg().displayName == "By admin")
    }

    @Test func everyInvalidFieldIsReportedAtOnceAndNothingChanges() throws {
        let f = try Fixture()
        let auditBefore = try f.database.auditEvents(orgId: f.org.id!)
        do {
            try f.database.updateGeneral(
                orgKey: "acme", by: Actor(user: f.owner, address: "a"),
                change(f.org, name: "", description: "bell\u{7}", limit: .some(nil)), logos: logos)
            Issue.record("expected a validation error")
        } catch DomainError.invalid(let errors) {
            #expect(errors.messages(for: "display_name") == ["Display name is required."])
            #expect(errors.messages(for: "description") == ["Description must not contain control characters."])
            #expect(errors.messages(for: "member_limit") == ["Member limit must be a whole number."])
        }
        #expect(try f.currentOrg() == f.org)
        #expect(try f.database.auditEvents(orgId: f.org.id!) == auditBefore)
    }

    @Test(arguments: [
        (String(repeating: "x", count: 101), "display_name"),
        ("tab\tinside", "display_name"),
        ("line\u{2028}separator", "display_name"),
        ("right-to-left \u{202E}override", "display_name"),
    ])
    func displayNameRules(name: String, field: String) throws {
        let f = try Fixture()
        #expect(throws: DomainError.self) {
            try f.database.updateGeneral(
                orgKey: "acme", by: Actor(user: f.owner, address: "a"),
                change(f.org, name: name), logos: logos)
        }
        #expect(try f.currentOrg() == f.org)
    }

    @Test func memberLimitCannotGoBelowTheMembers() throws {
        let f = try Fixture()
        do {
            try f.database.updateGeneral(
                orgKey: "acme", by: Actor(user: f.owner, address: "a"),
                change(f.org, limit: 2), logos: logos)
            Issue.record("expected a validation error")
        } catch DomainError.invalid(let errors) {
            #expect(errors.messages(for: "member_limit").first?.hasPrefix("Member limit cannot be below the 3 seats in use") == true)
        }
        #expect(try f.currentOrg() == f.org)
    }

    @Test func pendingInvitationsHoldSeatsSoTheLimitCannotGoBelowThem() throws {
        // Given 3 members and 3 pending invitations
        let f = try Fixture()
        let owner = Actor(user: f.owner, address: "a")
        _ = try f.database.invite(orgKey: "acme", addresses: ["p1@acme.test", "p2@acme.test", "p3@acme.test"], role: .member, by: owner)
        // When the limit is set to 5 (below 3 + 3)
        do {
            try f.database.updateGeneral(orgKey: "acme", by: owner, change(f.org, limit: 5), logos: logos)
            Issue.record("expected a validation error")
        } catch DomainError.invalid(let errors) {
            // Then it is refused, saying what holds the seats
            #expect(
                errors.messages(for: "member_limit") == [
                    "Member limit cannot be below the 6 seats in use: 3 active members and 3 pending invitations. Revoke invitations or remove members first."
                ])
        }
        #expect(try f.currentOrg() == f.org)
        #expect(throws: Never.self) { try f.database.updateGeneral(orgKey: "acme", by: owner, change(f.org, limit: 6), logos: logos) }
    }

    @Test func aStaleVersionIsRefusedAndNothingIsOverwritten() throws {
        let f = try Fixture()
        let stale = f.org
        try f.database.updateGeneral(
            orgKey: "acme", by: Actor(user: f.admin, address: "a"),
            change(stale, name: "First save"), logos: logos)
        let audit = try f.database.auditEvents(orgId: f.org.id!)
        #expect(throws: DomainError.staleVersion) {
            try f.database.updateGeneral(
                orgKey: "acme", by: Actor(user: f.owner, address: "a"),
                change(stale, name: "Second save"), logos: logos)
        }
        #expect(try f.currentOrg().displayName == "First save")
        #expect(try f.database.auditEvents(orgId: f.org.id!) == audit)
    }

    @Test func theChangeIsRolledBackWhenTheAuditEntryCannotBeWritten() throws {
        // Given an audit table that refuses every insert
        let f = try Fixture()
        try f.database.writer.write { db in
            try db.execute(sql: "CREATE TRIGGER refuse_audit BEFORE INSERT ON auditEvent BEGIN SELECT RAISE(ABORT, 'audit refused'); END")
        }
        // When the General tab is saved
        #expect(throws: DatabaseError.self) {
            try f.database.updateGeneral(
                orgKey: "acme", by: Actor(user: f.owner, address: "a"),
                change(f.org, name: "Not without audit"), logos: logos)
        }
        // Then the organization is unchanged: change and audit are one transaction
        #expect(try f.currentOrg() == f.org)
    }

    @Test func savingTheSameValuesChangesNothingAndWritesNoAudit() throws {
        let f = try Fixture()
        let audit = try f.database.auditEvents(orgId: f.org.id!)
        let saved = try f.database.updateGeneral(
            orgKey: "acme", by: Actor(user: f.owner, address: "a"),
            change(f.org), logos: logos)
        #expect(saved == f.org)
        #expect(try f.database.auditEvents(orgId: f.org.id!) == audit)
    }

    @Test func logoIsStoredByContentAndCanBeRemoved() throws {
        let f = try Fixture()
        var errors = FieldErrors()
        let image = try #require(LogoImage.validated(SampleImages.png, field: "logo", into: &errors))
        let saved = try f.database.updateGeneral(
            orgKey: "acme", by: Actor(user: f.owner, address: "a"),
            change(f.org, logo: .replace(image)), logos: logos)
        let file = try #require(saved.logoFile)
        #expect(file.hasSuffix(".png"))
        #expect(logos.read(file).map(Array.init) == image.bytes, "the re-encoded image is what is stored")
        let removed = try f.database.updateGeneral(
            orgKey: "acme", by: Actor(user: f.owner, address: "a"),
            change(saved, logo: .remove), logos: logos)
        #expect(removed.logoFile == nil)
        #expect(try f.database.auditEvents(orgId: f.org.id!).last?.summary == "logo removed")
    }

    @Test func logoBytesDecideNotTheName() {
        var errors = FieldErrors()
        #expect(LogoImage.validated(SampleImages.png, field: "logo", into: &errors)?.kind == .png)
        #expect(LogoImage.validated(SampleImages.jpeg, field: "logo", into: &errors)?.kind == .jpeg)
        #expect(LogoImage.validated(SampleImages.gif, field: "logo", into: &errors)?.kind == .gif)
        #expect(errors.isEmpty)
        #expect(LogoImage.validated(Array("just text, named logo.png".utf8), field: "logo", into: &errors) == nil)
        #expect(LogoImage.validated(SampleImages.png + Array(repeating: 0, count: LogoImage.maxBytes), field: "logo", into: &errors) == nil)
        #expect(errors.messages(for: "logo").count == 2)
        #expect(errors.messages(for: "logo")[1].contains("at most 2 MB"))
    }

    @Test func logosAreDecodedBoundedAndReEncoded() throws {
        var errors = FieldErrors()
        let png = try #require(LogoImage.validated(SampleImages.png, field: "logo", into: &errors))
        #expect((png.width, png.height) == (12, 10))
        // Only the pixels survive: a payload after the image is gone.
        let payload = Array("GIF89a<script>alert(1)</script>".utf8)
        let trailing = try #require(LogoImage.validated(SampleImages.png + payload, field: "logo", into: &errors))
        #expect(trailing.bytes.firstRange(of: payload) == nil)
        #expect(errors.isEmpty)
        // A "JPEG" of zeros after its first bytes does not decode.
        let zeros: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0, count: 50)
        #expect(LogoImage.validated(zeros, field: "logo", into: &errors) == nil)
        #expect(errors.messages(for: "logo").last?.contains("could not be read as a JPEG image") == true)
        // A GIF header claiming 65 535 × 65 535 is refused from its header.
        var huge = SampleImages.gif
        huge[6] = 0xFF; huge[7] = 0xFF; huge[8] = 0xFF; huge[9] = 0xFF
        #expect(LogoImage.validated(huge, field: "logo", into: &errors) == nil)
        #expect(errors.messages(for: "logo").last == "The logo may be at most 4096 × 4096 pixels (this one is 65535 × 65535).")
        // The JPEG header's frame size is found behind its other segments.
        #expect(ImageHeader.jpeg(SampleImages.jpeg).map { [$0.0, $0.1] } == [12, 10])
        #expect(ImageHeader.gif(SampleImages.gif).map { [$0.0, $0.1] } == [12, 10])
    }
}
