import Foundation
import GRDB
import Testing
import WheelhouseCore
import WheelhouseTestSupport
import ZIPFoundation

/// The data export: what the archive holds (checked against the database), what it never holds
/// (secret values, provider keys), the claim that lets one worker build an export, and expiry.
@Suite("Data export") struct DataExportTests {
    static let secretValue = "sk-export-test-SECRET-value-0123456789"
    static let providerKey = "mistral-export-test-KEY-abcdefghijkl"

    struct World {
        let f: Fixture
        let clock: TestClock
        let store: DataExportStore
        let worker: DataExportWorker
        var owner: Actor { Actor(user: f.owner, address: "test") }

        init() throws {
            clock = TestClock()
            f = try Fixture(now: { [clock] in clock.now })
            store = .temporary()
            worker = DataExportWorker(database: f.database, store: store, consoleURL: "https://console.example.test")
            let owner = Actor(user: f.owner, address: "test")
            _ = try f.database.addSecret(orgKey: "acme", by: owner, name: "OPENAI_API_KEY", value: DataExportTests.secretValue)
            _ = try f.database.addProvider(
                orgKey: "acme", by: owner,
                ProviderChange(kind: .mistral, name: "", baseURL: "https://api.mistral.ai/v1", apiKey: DataExportTests.providerKey))
            let team = try f.database.createTeam(orgKey: "acme", TeamChange(name: "=Core", description: "formula, \"quoted\""), by: owner)
            try f.database.addTeamMember(orgKey: "acme", teamId: team.id!, userId: f.member.id!, by: owner)
            _ = try f.database.invite(orgKey: "acme", addresses: ["guest@acme.test"], role: .member, by: owner)
            // The other organization's rows must stay out of acme's archive.
            _ = try f.database.addSecret(
                orgKey: "other", by: Actor(user: f.outsider, address: "test"), name: "OTHER_TOKEN", value: "other-org-secret-0123456789")
        }

        func entries(_ export: DataExport) throws -> [String: Data] {
            let archive = try Archive(url: store.url(of: export.fileName!), accessMode: .read)
            var out: [String: Data] = [:]
            for entry in archive {
                var data = Data()
                _ = try archive.extract(entry) { data.append($0) }
                out[entry.path] = data
            }
            return out
        }

        func count(_ sql: String) throws -> Int { try f.database.read { db in try Int.fetchOne(db, sql: sql, arguments: [f.org.id!])! } }
    }

    static func rows(_ data: Data?) throws -> [[String: Any]] {
        let bytes = try #require(data)
        return try #require(JSONSerialization.jsonObject(with: bytes) as? [[String: Any]])
    }

    @Test func theArchiveMatchesTheDatabaseAndHoldsNoSecret() throws {
        let w = try World()
        let requested = try w.f.database.requestDataExport(orgKey: "acme", by: w.owner)
        #expect(requested.status == .queued && requested.filesTotal == 27)
        #expect(try w.worker.runOne())
        let export = try #require(try w.f.database.dataExport(orgId: w.f.org.id!, id: requested.id))
        #expect(export.status == .ready && export.filesDone == 27 && export.error == nil)
        #expect(export.expiresAt == export.finishedAt!.addingTimeInterval(86_400))
        let entries = try w.entries(export)
        let names = [
            "organization", "members", "invitations", "teams", "team-members", "workspaces", "workspace-access", "secrets",
            "providers", "chat-models", "usage-events", "usage-daily", "audit-log",
        ]
        #expect(Set(entries.keys) == Set(names.flatMap { ["\($0).json", "\($0).csv"] } + ["README.txt"]))

        let counts: [String: String] = [
            "members": "SELECT count(*) FROM membership WHERE orgId = ?", "invitations": "SELECT count(*) FROM invitation WHERE orgId = ?",
            "teams": "SELECT count(*) FROM team WHERE orgId = ?", "workspaces": "SELECT count(*) FROM workspace WHERE orgId = ?",
            "secrets": "SELECT count(*) FROM secret WHERE orgId = ?", "providers": "SELECT count(*) FROM provider WHERE orgId = ?",
            "audit-log": "SELECT count(*) FROM auditEvent WHERE orgId = ?",
            "team-members": "SELECT count(*) FROM teamMember JOIN team ON team.id = teamId WHERE team.orgId = ?",
        ]
        for (name, sql) in counts {
            let expected = try w.count(sql)
            #expect(try Self.rows(entries["\(name).json"]).count == expected, "\(name).json")
            // One header line plus one line per row (no cell here holds a line break).
            let csv = String(decoding: entries["\(name).csv"]!, as: UTF8.self)
            #expect(csv.components(separatedBy: "\r\n").count - 2 == expected, "\(name).csv")
        }
        #expect(try w.count("SELECT count(*) FROM auditEvent WHERE orgId = ?") > 3)
        // A sample of values.
        let members = try Self.rows(entries["members.json"])
        #expect(Set(members.compactMap { $0["email"] as? String }) == ["owner@acme.test", "admin@acme.test", "member@acme.test"])
        #expect(members.first { $0["email"] as? String == "owner@acme.test" }?["role"] as? String == "owner")
        let org = try Self.rows(entries["organization.json"])
        #expect(org.count == 1 && org[0]["key"] as? String == "acme" && org[0]["display_name"] as? String == "Acme")
        let secrets = try Self.rows(entries["secrets.json"])
        #expect(secrets.map { $0["name"] as? String } == ["OPENAI_API_KEY"])
        #expect(Set(secrets[0].keys) == ["id", "name", "owner_user_id", "hint", "created_at", "rotated_at"])
        let invitations = String(decoding: entries["invitations.csv"]!, as: UTF8.self)
        #expect(invitations.contains("guest@acme.test") && !invitations.contains("token") && !invitations.contains("nonce"))
        // The team name starting with = is neutralised in the CSV and exact in the JSON.
        #expect(String(decoding: entries["teams.csv"]!, as: UTF8.self).contains("'=Core,\"formula, \"\"quoted\"\"\""))
        #expect(try Self.rows(entries["teams.json"])[0]["name"] as? String == "=Core")
        let readme = String(decoding: entries["README.txt"]!, as: UTF8.self)
        #expect(readme.contains("API keys and billing") && readme.contains("usage-events.json, usage-events.csv"))

        // No secret anywhere: the decompressed files, the archive's own bytes, another org's rows.
        let archiveBytes = try Data(contentsOf: w.store.url(of: export.fileName!))
        for needle in [Self.secretValue, Self.providerKey, "other-org-secret-0123456789", "OTHER_TOKEN", "out@other.test"] {
            for (name, data) in entries { #expect(data.range(of: Data(needle.utf8)) == nil, "\(needle) in \(name)") }
            #expect(archiveBytes.range(of: Data(needle.utf8)) == nil)
        }
    }

    @Test func theArchiveIsPrivateAndItsDigestIsRecorded() throws {
        let w = try World()
        let requested = try w.f.database.requestDataExport(orgKey: "acme", by: w.owner)
        try w.worker.runOne()
        let export = try #require(try w.f.database.dataExport(orgId: w.f.org.id!, id: requested.id))
        let path = w.store.url(of: export.fileName!).path
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(
            (try FileManager.default.attributesOfItem(atPath: w.store.directory.path)[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        #expect(export.byteSize == (attributes[.size] as? NSNumber)?.int64Value)
        let digest = Crypto.sha256(try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
        #expect(export.sha256 == digest)
        // Only the archive is left: no temporary file or folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: w.store.directory.path) == [export.fileName!])
    }

    @Test func aSecondRequestWhileOneIsActiveIsRefused() throws {
        let w = try World()
        try w.f.database.requestDataExport(orgKey: "acme", by: w.owner)
        #expect(throws: DomainError.self) { try w.f.database.requestDataExport(orgKey: "acme", by: w.owner) }
        _ = try w.f.database.claimDataExport()
        #expect(throws: DomainError.self) { try w.f.database.requestDataExport(orgKey: "acme", by: w.owner) }
        #expect(throws: DomainError.forbidden(.exportOrganizationData)) {
            try w.f.database.requestDataExport(orgKey: "acme", by: Actor(user: w.f.admin, address: "test"))
        }
        #expect(try w.f.database.dataExports(orgId: w.f.org.id!).count == 1)
    }

    @Test func twoClaimsHaveOneWinnerAndAnAbandonedBuildIsReclaimedAfterItsLease() throws {
        let w = try World()
        try w.f.database.requestDataExport(orgKey: "acme", by: w.owner)
        let first = try w.f.database.claimDataExport(lease: 120)
        #expect(first?.status == .building && first?.attempts == 1)
        #expect(try w.f.database.claimDataExport(lease: 120) == nil)
        w.clock.advance(121)
        let second = try #require(try w.f.database.claimDataExport(lease: 120))
        #expect(second.id == first?.id && second.attempts == 2)
        // The first builder lost its claim: its result is not recorded.
        #expect(try w.worker.runOne() == false)
        let export = try #require(try w.f.database.dataExport(orgId: w.f.org.id!, id: second.id))
        #expect(export.status == .building)
    }

    @Test func afterTwentyFourHoursTheFileIsDeletedAndTheRowExpired() throws {
        let w = try World()
        let requested = try w.f.database.requestDataExport(orgKey: "acme", by: w.owner)
        try w.worker.runOne()
        let ready = try #require(try w.f.database.dataExport(orgId: w.f.org.id!, id: requested.id))
        let path = w.store.url(of: ready.fileName!).path
        w.clock.advance(86_399)
        #expect(try w.f.database.expireDataExports(store: w.store) == 0)
        #expect(FileManager.default.fileExists(atPath: path))
        w.clock.advance(1)
        #expect(try w.f.database.expireDataExports(store: w.store) == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try w.f.database.dataExport(orgId: w.f.org.id!, id: requested.id)?.status == .expired)
    }

    @Test func theRequesterIsNotifiedAndMailedWithoutAnySecret() throws {
        let w = try World()
        try w.f.database.requestDataExport(orgKey: "acme", by: w.owner)
        try w.worker.runOne()
        let notes = try w.f.database.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, link FROM notification WHERE userId = ?", arguments: [w.f.owner.id!])
        }
        #expect(notes.map { $0["kind"] as String } == ["data-export.ready"])
        #expect(notes.first?["link"] as String? == "/orgs/acme/settings/compliance")
        let mail = try #require(
            try w.f.database.read { db in try Row.fetchOne(db, sql: "SELECT recipient, subject, body FROM outbox WHERE kind = 'notice'") })
        #expect(mail["recipient"] as String == "owner@acme.test")
        let body: String = mail["body"]
        #expect(body.contains("https://console.example.test/orgs/acme/settings/compliance"))
        #expect(!body.contains("sig=") && !body.contains(Self.secretValue))
    }

    @Test func aBuildThatCannotWriteFailsWithAReasonAndANotification() throws {
        let w = try World()
        let requested = try w.f.database.requestDataExport(orgKey: "acme", by: w.owner)
        // The exports "folder" is a file: nothing can be written into it.
        try w.store.prepare()
        try FileManager.default.removeItem(at: w.store.directory)
        #expect(FileManager.default.createFile(atPath: w.store.directory.path, contents: Data("x".utf8)))
        #expect(try w.worker.runOne())
        let export = try #require(try w.f.database.dataExport(orgId: w.f.org.id!, id: requested.id))
        #expect(export.status == .failed && export.error?.isEmpty == false)
        let kinds = try w.f.database.read { db in try String.fetchAll(db, sql: "SELECT kind FROM notification") }
        #expect(kinds == ["data-export.failed"])
    }
}
