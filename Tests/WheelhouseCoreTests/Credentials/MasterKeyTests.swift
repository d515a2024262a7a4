import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

@Suite("Master key") struct MasterKeyTests {
    let directory: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wh-key-\(UUID())").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()
    var databasePath: String { directory + "/wheelhouse.sqlite" }

    func open() throws -> AppDatabase {
        try AppDatabase.open(
            path: databasePath, hasher: .fastForTests, readers: 2,
            masterKey: .file(MasterKeyFile(directory: directory)))
    }

    func seedSecret(_ database: AppDatabase) throws -> (User, Organization) {
        let (owner, org) = try database.createOwner(
            NewOwner(
                email: "o@k.test", name: "O", password: "correct horse battery",
                orgKey: "keys", orgName: "Keys"))
        try database.addSecret(
            orgKey: "keys", by: Actor(user: owner, address: "t"), name: "OPENAI_API_KEY",
            value: "sk-test-0123456789abcdefghij")
        return (owner, org)
    }

    @Test func firstStartCreatesA0600KeyFileAndLaterStartsReuseIt() throws {
        _ = try open()
        let file = MasterKeyFile(directory: directory)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let first = try String(contentsOfFile: file.path, encoding: .utf8)
        #expect(MasterKey(fileText: first) != nil)
        _ = try open()
        #expect(try String(contentsOfFile: file.path, encoding: .utf8) == first)
    }

    @Test func aMissingKeyFileWithEncryptedDataRefusesToStartAndMakesNoNewKey() throws {
        let (owner, org) = try seedSecret(try open())
        let file = MasterKeyFile(directory: directory)
        try FileManager.default.removeItem(atPath: file.path)
        #expect(throws: MasterKeyError.missing(path: file.path, encryptedRecords: 1)) { _ = try open() }
        #expect(!FileManager.default.fileExists(atPath: file.path), "no new key over old data")
        _ = (owner, org)
    }

    @Test func aWrongKeyFileRefusesToStart() throws {
        _ = try seedSecret(try open())
        let file = MasterKeyFile(directory: directory)
        try FileManager.default.removeItem(atPath: file.path)
        try file.store(MasterKey.generate(), at: file.path)
        #expect(throws: MasterKeyError.wrongKey(path: file.path)) { _ = try open() }
    }

    @Test func aKeyFileOthersCanReadIsRefused() throws {
        _ = try open()
        let file = MasterKeyFile(directory: directory)
        chmod(file.path, 0o644)
        #expect(throws: MasterKeyError.tooOpen(path: file.path, mode: "644")) { _ = try open() }
    }

    @Test func aWrongInMemoryKeyIsRefusedAndCannotDecrypt() throws {
        let f = try Fixture()
        try f.database.addSecret(orgKey: "acme", by: Actor(user: f.owner, address: "t"), name: "A", value: "value-a")
        #expect(throws: MasterKeyError.wrongKey(path: "the in-memory key")) { _ = try f.database.reopened(with: .generate()) }
    }

    @Test func rotationReEncryptsEverythingKeepsTheOldFileAndTheNewKeyOpensIt() throws {
        let database = try open()
        let (owner, org) = try seedSecret(database)
        let actor = Actor(user: owner, address: "t")
        try database.addProvider(
            orgKey: "keys", by: actor,
            ProviderChange(
                kind: .openai, name: "", baseURL: "https://api.openai.com/v1",
                apiKey: "sk-org-key-abcdefghijklmnop"))
        let file = MasterKeyFile(directory: directory)
        let oldText = try String(contentsOfFile: file.path, encoding: .utf8)
        let rotation = try database.rotateMasterKey(file: file)
        #expect(rotation == MasterKeyRotation(secrets: 1, providers: 1, fromVersion: 1, toVersion: 2))
        #expect(try String(contentsOfFile: file.oldPath, encoding: .utf8) == oldText)
        #expect(!FileManager.default.fileExists(atPath: file.newPath))
        let reopened = try open()
        #expect(reopened.masterKeyVersion == 2)
        let id = try reopened.secrets(orgId: org.id!, ownerId: owner.id!)[0].id
        #expect(try reopened.secretValue(id: id, orgId: org.id!, ownerId: owner.id!) == "sk-test-0123456789abcdefghij")
        // The process that still holds the old key refuses to write with it.
        #expect(throws: MasterKeyError.changedSinceStart) {
            try database.addSecret(orgKey: "keys", by: actor, name: "OTHER", value: "x")
        }
    }

    @Test func aRotationInterruptedAfterItsCommitIsFinishedAtTheNextStart() throws {
        let database = try open()
        let (owner, org) = try seedSecret(database)
        let file = MasterKeyFile(directory: directory)
        let newKey = MasterKey.generate()
        try file.store(newKey, at: file.newPath)
        _ = try database.rotateMasterKey(to: newKey)  // committed, but the files were not renamed
        let reopened = try open()
        #expect(reopened.masterKeyVersion == 2)
        #expect(!FileManager.default.fileExists(atPath: file.newPath))
        #expect(FileManager.default.fileExists(atPath: file.oldPath))
        let id = try reopened.secrets(orgId: org.id!, ownerId: owner.id!)[0].id
        #expect(try reopened.secretValue(id: id, orgId: org.id!, ownerId: owner.id!) == "sk-test-0123456789abcdefghij")
    }

    @Test func rotationOfAThousandSecretsIsOneTransaction() throws {
        let f = try Fixture()
        let actor = Actor(user: f.member, address: "t")
        var values: [String: String] = [:]
        for i in 0..<1000 {
            let value = "value-\(i)-" + Crypto.randomToken()
            let secret = try f.database.addSecret(orgKey: "acme", by: actor, name: "KEY_\(i)", value: value)
            values[secret.id] = value
        }
        let newKey = MasterKey.generate()
        let rotation = try f.database.rotateMasterKey(to: newKey)
        #expect(rotation.secrets == 1000)
        let rotated = try f.database.reopened(with: newKey)
        for (id, value) in values {
            #expect(try rotated.secretValue(id: id, orgId: f.org.id!, ownerId: f.member.id!) == value)
        }
        let versions = try rotated.read { db in try Int.fetchAll(db, sql: "SELECT DISTINCT keyVersion FROM secret") }
        #expect(versions == [2])
        #expect(throws: MasterKeyError.wrongKey(path: "the in-memory key")) { _ = try f.database.reopened(with: f.database.vault.key) }
    }

    @Test func aRotationThatMeetsACorruptCiphertextChangesNothing() throws {
        let f = try Fixture()
        let actor = Actor(user: f.owner, address: "t")
        let good = try f.database.addSecret(orgKey: "acme", by: actor, name: "GOOD", value: "good-value")
        let bad = try f.database.addSecret(orgKey: "acme", by: actor, name: "BAD", value: "bad-value")
        try f.database.writer.write { db in
            try db.execute(sql: "UPDATE secret SET sealed = zeroblob(40) WHERE id = ?", arguments: [bad.id])
        }
        #expect(throws: AESGCM.Failure.tamperedOrWrongKey) { _ = try f.database.rotateMasterKey(to: .generate()) }
        #expect(f.database.masterKeyVersion == 1)
        #expect(try f.database.secretValue(id: good.id, orgId: f.org.id!, ownerId: f.owner.id!) == "good-value")
    }
}

@Suite("Credentials schema") struct CredentialsSchemaTests {
    @Test func migrationAddsTheCredentialTablesAndSeedsTheCatalog() throws {
        let database = try AppDatabase.inMemory()
        let tables = try database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        #expect(Set(["masterKeyCheck", "secret", "provider", "chatModel", "chatModelChoice"]).isSubset(of: tables))
        let catalog = try database.chatModelCatalog()
        #expect(catalog.count == CredentialsSchema.seedCatalog.count)
        #expect(Set(catalog.map(\.provider)) == Set(ProviderKind.builtIn))
        #expect(catalog.first { $0.id == "openai/gpt-4o" }?.requiredKey == "OPENAI_API_KEY")
        // The schema itself refuses what the domain refuses: a lower-case name, a second key-check row.
        #expect(throws: DatabaseError.self) {
            try database.writer.write { db in
                try db.execute(sql: "INSERT INTO masterKeyCheck (id, version, checkValue, createdAt) VALUES (2, 1, zeroblob(32), 0)")
            }
        }
    }
}
