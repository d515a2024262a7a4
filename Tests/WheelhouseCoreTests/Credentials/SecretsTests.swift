import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

@Suite("Secrets") struct SecretsTests {
    let plaintext = "sk-proj-ROUNDTRIP-0123456789-abcdef-9f2c"

    @Test func roundTripStoresOnlyCiphertextAndAHint() throws {
        // Given
        let f = try Fixture()
        let actor = Actor(user: f.member, address: "10.0.0.1")
        // When
        let secret = try f.database.addSecret(orgKey: "acme", by: actor, name: "OPENAI_API_KEY", value: plaintext)
        // Then
        #expect(secret.id.hasPrefix("sec_"))
        #expect(secret.hint == "sk-…9f2c")
        #expect(try f.database.secretValue(id: secret.id, orgId: f.org.id!, ownerId: f.member.id!) == plaintext)
        let stored = try f.database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM secret")! }
        let sealed = Array(stored["sealed"] as Data)
        #expect(sealed.count == 12 + plaintext.utf8.count + 16)
        #expect(!String(decoding: sealed, as: UTF8.self).contains("ROUNDTRIP"))
        let audit = try #require(try f.database.auditEvents(orgId: f.org.id!).last)
        #expect(audit.action == .secretCreate)
        #expect(!audit.summary.contains("OPENAI") && !audit.summary.contains(plaintext))
    }

    @Test func eachWriteUsesAFreshNonce() throws {
        let f = try Fixture()
        let actor = Actor(user: f.owner, address: "t")
        let a = try f.database.addSecret(orgKey: "acme", by: actor, name: "A", value: "same value")
        let b = try f.database.addSecret(orgKey: "acme", by: actor, name: "B", value: "same value")
        let sealed = try f.database.read { db in
            try Data.fetchAll(db, sql: "SELECT sealed FROM secret WHERE id IN (?, ?)", arguments: [a.id, b.id])
        }
        #expect(sealed[0].prefix(12) != sealed[1].prefix(12))
    }

    @Test func tamperedCiphertextFailsToDecrypt() throws {
        let f = try Fixture()
        let secret = try f.database.addSecret(orgKey: "acme", by: Actor(user: f.owner, address: "t"), name: "A", value: plaintext)
        try f.database.writer.write { db in
            var sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM secret WHERE id = ?", arguments: [secret.id])!
            sealed[20] ^= 0x01
            try db.execute(sql: "UPDATE secret SET sealed = ? WHERE id = ?", arguments: [sealed, secret.id])
        }
        #expect(throws: AESGCM.Failure.tamperedOrWrongKey) {
            try f.database.secretValue(id: secret.id, orgId: f.org.id!, ownerId: f.owner.id!)
        }
    }

    @Test func ciphertextMovedToAnotherRowOrPersonFailsToDecrypt() throws {
        let f = try Fixture()
        let mine = try f.database.addSecret(orgKey: "acme", by: Actor(user: f.owner, address: "t"), name: "MINE", value: plaintext)
        let theirs = try f.database.addSecret(orgKey: "acme", by: Actor(user: f.member, address: "t"), name: "THEIRS", value: "other")
        let mine2 = try f.database.addSecret(orgKey: "acme", by: Actor(user: f.owner, address: "t"), name: "MINE2", value: "other")
        try f.database.writer.write { db in
            try db.execute(
                sql: "UPDATE secret SET sealed = (SELECT sealed FROM secret WHERE id = ?) WHERE id IN (?, ?)",
                arguments: [mine.id, theirs.id, mine2.id])
        }
        #expect(throws: AESGCM.Failure.tamperedOrWrongKey) {
            try f.database.secretValue(id: theirs.id, orgId: f.org.id!, ownerId: f.member.id!)
        }
        #expect(throws: AESGCM.Failure.tamperedOrWrongKey) {
            try f.database.secretValue(id: mine2.id, orgId: f.org.id!, ownerId: f.owner.id!)
        }
        // A key version that does not match the one the ciphertext was sealed with fails too.
        try f.database.writer.write { db in try db.execute(sql: "UPDATE secret SET keyVersion = 7 WHERE id = ?", arguments: [mine.id]) }
        #expect(throws: AESGCM.Failure.tamperedOrWrongKey) {
            try f.database.secretValue(id: mine.id, orgId: f.org.id!, ownerId: f.owner.id!)
        }
    }

    @Test func namesAreUniquePerPersonAndOrgOnly() throws {
        let f = try Fixture()
        try f.database.addSecret(orgKey: "acme", by: Actor(user: f.owner, address: "t"), name: "OPENAI_API_KEY", value: "a")
        #expect(throws: DomainError.self) {
            try f.database.addSecret(orgKey: "acme", by: Actor(user: f.owner, address: "t"), name: "OPENAI_API_KEY", value: "b")
        }
        // Another person, or the same person in another organization, may use the same name.
        try f.database.addSecret(orgKey: "acme", by: Actor(user: f.member, address: "t"), name: "OPENAI_API_KEY", value: "c")
        try f.database.addSecret(orgKey: "other", by: Actor(user: f.outsider, address: "t"), name: "OPENAI_API_KEY", value: "d")
        #expect(try f.database.secrets(orgId: f.org.id!, ownerId: f.owner.id!).count == 1)
    }

    @Test(arguments: [
        ("", "Name is required."), ("lower_case", "environment variable"), ("1ABC", "environment variable"),
        ("A-B", "environment variable"), (String(repeating: "A", count: 129), "at most 128"),
    ])
    func badNamesAreRefused(_ name: String, _ message: String) throws {
        let f = try Fixture()
        do {
            try f.database.addSecret(orgKey: "acme", by: Actor(user: f.owner, address: "t"), name: name, value: "v")
            Issue.record("accepted \(name)")
        } catch DomainError.invalid(let errors) {
            #expect(errors.messages(for: "name").contains { $0.contains(message) })
        }
        #expect(try f.database.secrets(orgId: f.org.id!, ownerId: f.owner.id!).isEmpty)
    }

    @Test func valuesUpTo32KiBAreAcceptedAndLongerOnesRefused() throws {
        let f = try Fixture()
        let actor = Actor(user: f.owner, address: "t")
        try f.database.addSecret(orgKey: "acme", by: actor, name: "BIG", value: String(repeating: "x", count: 32 * 1024))
        #expect(throws: DomainError.self) {
            try f.database.addSecret(orgKey: "acme", by: actor, name: "BIGGER", value: String(repeating: "x", count: 32 * 1024 + 1))
        }
        #expect(throws: DomainError.self) { try f.database.addSecret(orgKey: "acme", by: actor, name: "BELL", value: "a\u{7}b") }
    }

    @Test func rotateKeepsTheIdAndDeleteRemovesOnlyTheOwnersSecret() throws {
        let f = try Fixture()
        let actor = Actor(user: f.member, address: "t")
        let secret = try f.database.addSecret(orgKey: "acme", by: actor, name: "TOKEN", value: "first-value")
        let rotated = try f.database.rotateSecret(orgKey: "acme", id: secret.id, by: actor, value: "second-value", expectedVersion: 1)
        #expect(rotated.id == secret.id)
        #expect(rotated.rotatedAt != nil)
        #expect(try f.database.secretValue(id: secret.id, orgId: f.org.id!, ownerId: f.member.id!) == "second-value")
        #expect(throws: DomainError.staleVersion) {
            try f.database.rotateSecret(orgKey: "acme", id: secret.id, by: actor, value: "third", expectedVersion: 1)
        }
        // The Owner can neither rotate nor delete the member's secret: it does not exist for them.
        #expect(throws: DomainError.notFound) {
            try f.database.rotateSecret(
                orgKey: "acme", id: secret.id, by: Actor(user: f.owner, address: "t"), value: "x", expectedVersion: 2)
        }
        #expect(throws: DomainError.notFound) {
            try f.database.deleteSecret(orgKey: "acme", id: secret.id, by: Actor(user: f.owner, address: "t"), expectedVersion: 2)
        }
        try f.database.deleteSecret(orgKey: "acme", id: secret.id, by: actor, expectedVersion: 2)
        #expect(try f.database.secrets(orgId: f.org.id!, ownerId: f.member.id!).isEmpty)
    }

    @Test func ownersSeeCountsPerMemberOthersMayNot() throws {
        let f = try Fixture()
        try f.database.addSecret(orgKey: "acme", by: Actor(user: f.member, address: "t"), name: "A", value: "1")
        try f.database.addSecret(orgKey: "acme", by: Actor(user: f.member, address: "t"), name: "B", value: "2")
        let counts = try f.database.secretCountsByMember(f.database.access(orgKey: "acme", userId: f.owner.id!))
        #expect(counts.entries.map(\.name) == ["Ada Admin", "Max Member", "Olga Owner"])
        #expect(counts.entries.map(\.secrets) == [0, 2, 0])
        #expect(throws: DomainError.forbidden(.viewMemberSecretCounts)) {
            try f.database.secretCountsByMember(f.database.access(orgKey: "acme", userId: f.admin.id!))
        }
    }

    @Test func hintsRevealLittle() {
        #expect(SecretRules.hint(for: "short") == "5 characters")
        #expect(SecretRules.hint(for: "sk-ant-api03-abcdefghijklmnop") == "sk-…mnop")
        #expect(SecretRules.hint(for: "line one\nline two, long enough\n") == "31 characters")
    }
}

@Suite("Secrets when a member leaves") struct SecretsMembershipTests {
    @Test func leavingTheOrganizationErasesThePersonsSecretsAndPickerThere() throws {
        let f = try Fixture()
        let actor = Actor(user: f.member, address: "t")
        try f.database.addSecret(orgKey: "acme", by: actor, name: "MINE", value: "v")
        try f.database.setChatModel(orgKey: "acme", modelId: "openai/gpt-4o", enabled: true, by: actor)
        try f.database.addSecret(orgKey: "acme", by: Actor(user: f.owner, address: "t"), name: "OWNERS", value: "v")
        try f.database.writer.write { db in
            try db.execute(sql: "DELETE FROM membership WHERE orgId = ? AND userId = ?", arguments: [f.org.id, f.member.id])
        }
        let left = try f.database.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT (SELECT count(*) FROM secret WHERE ownerId = ?1) + (SELECT count(*) FROM chatModelChoice WHERE userId = ?1)",
                arguments: [f.member.id])
        }
        #expect(left == 0)
        #expect(try f.database.secrets(orgId: f.org.id!, ownerId: f.owner.id!).count == 1)
    }
}
