import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// The Members page with thousands of pending invitations (issue 10, point 19): details are read
/// for the page's rows only, and each invitation's latest email is found through an index.
@Suite("Members page at scale") struct MembersScaleTests {
    let fixture: Fixture
    var database: AppDatabase { fixture.database }

    init() throws { fixture = try Fixture() }

    /// Invites `count` addresses (`p00000@bulk.test` …) in batches of the largest request.
    func invite(_ count: Int) throws {
        try database.writer.write { db in try db.execute(sql: "UPDATE organization SET memberLimit = 100000 WHERE key = 'acme'") }
        let addresses = (0..<count).map { String(format: "p%05d@bulk.test", $0) }
        for start in stride(from: 0, to: count, by: InvitationRules.maxPerRequest) {
            let batch = Array(addresses[start..<min(count, start + InvitationRules.maxPerRequest)])
            let outcome = try database.invite(
                orgKey: "acme", addresses: batch, role: .member,
                by: Actor(user: fixture.owner, address: "test"))
            #expect(outcome.refused.isEmpty)
        }
    }

    @Test func pagesThroughThousandsOfPendingInvitationsWithTheirDelivery() throws {
        // Given 2 000 pending invitations, the latest one's email failed
        try invite(2_000)
        try database.markMailFailed(
            id: try database.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM outbox")! },
            error: "relay refused")
        // When the list is read page by page, by name
        let first = try database.membersPage(orgId: fixture.org.id!, MembersQuery())
        let last = try database.membersPage(orgId: fixture.org.id!, MembersQuery(page: 41))
        // Then each page has its 50 rows in order, with counts over everything
        #expect(first.counts == MemberCounts(active: 3, pending: 2_000))
        #expect(first.matching == 2_003)
        #expect(first.pageCount == 41)
        #expect(first.entries.count == 50)
        #expect(first.entries.map(\.email) == first.entries.map(\.email).sorted { $0.lowercased() < $1.lowercased() })
        // (Ada, Max and Olga sort before "p…")
        #expect(first.entries.prefix(3).allSatisfy { $0.status == .active && $0.delivery == nil })
        #expect(first.entries.dropFirst(3).allSatisfy { $0.status == .invited && $0.delivery == "queued" && $0.linkToken != nil })
        #expect(last.entries.count == 3)
        #expect(last.entries.last?.email == "p01999@bulk.test")
        #expect(last.entries.last?.delivery == "queued", "failed once, retried later: still queued")
        #expect(last.entries.last?.deliveryError == "relay refused")
        // And by role, the three members lead
        let byRole = try database.membersPage(orgId: fixture.org.id!, MembersQuery(sort: .role))
        #expect(byRole.entries.prefix(3).map(\.role) == [.owner, .admin, .member])
        #expect(byRole.entries.prefix(3).allSatisfy { $0.status == .active && $0.version > 0 })
    }

    @Test func theLatestEmailOfAnInvitationIsFoundThroughAnIndex() throws {
        let plan = try database.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT status FROM outbox o WHERE o.invitationId = 1 ORDER BY o.id DESC LIMIT 1")
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
        #expect(plan.contains("outbox_invitation"), "plan: \(plan)")
        #expect(!plan.contains("SCAN o") && !plan.contains("SCAN outbox"), "plan: \(plan)")
    }
}

/// Delivering the outbox when processes stop or die (issue 10, point 20).
@Suite("Outbox delivery across stops") struct OutboxDeliveryTests {
    let clock = TestClock()
    let fixture: Fixture
    var database: AppDatabase { fixture.database }
    let directory: URL

    init() throws {
        let clock = clock
        fixture = try Fixture(now: { clock.now })
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("wh-outbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// A sendmail stand-in: waits `delay` seconds after reading the message, then keeps it as N.eml.
    func command(delay: Double = 0) throws -> String {
        let script = directory.appendingPathComponent("sendmail.sh").path
        try """
        #!/bin/sh
        n=$(ls \(directory.path)/*.eml 2>/dev/null | wc -l)
        touch \(directory.path)/started
        cat > \(directory.path)/partial.$$
        sleep \(delay)
        mv \(directory.path)/partial.$$ \(directory.path)/$n.eml
        """.write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        return script
    }

    func delivered() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }.sorted()
            .map { try String(contentsOfFile: directory.appendingPathComponent($0).path, encoding: .utf8) }
    }

    func messageID(_ mail: String) -> String? {
        mail.split(separator: "\n").first { $0.hasPrefix("Message-ID: ") }.map { String($0.dropFirst(12)) }
    }

    @Test func aMessageClaimedByADeadWorkerDelaysNoOtherAndKeepsItsMessageID() throws {
        // Given three invitations, and a worker that claimed the first one and died before sending it
        _ = try database.invite(
            orgKey: "acme", addresses: ["a@acme.test", "b@acme.test", "c@acme.test"], role: .member,
            by: Actor(user: fixture.owner, address: "test"))
        let claimed = try database.claimDueMail(baseURL: "https://console.test")
        #expect(claimed.count == 1, "one message per claim")
        let dead = try #require(claimed.first)
        // When another worker delivers what is due
        let worker = MailWorker(command: try command(), database: database, baseURL: "https://console.test")
        #expect(try worker.deliverDue() == 2)
        // Then the other two went at once, and the dead worker's message waits only for its lease
        #expect(try delivered().count == 2)
        #expect(!(try delivered().contains { $0.contains("To: \(dead.recipient)") }))
        clock.advance(OutboxRules.claimLease + 1)
        #expect(try worker.deliverDue() == 1)
        let retried = try #require(try delivered().first { $0.contains("To: \(dead.recipient)") })
        #expect(messageID(retried) == dead.headerId, "the same Message-ID as the first attempt")
        #expect(Set(try delivered().compactMap(messageID)).count == 3, "each message its own id")
    }

    @Test func stoppingWaitsForTheDeliveryInHand() throws {
        _ = try database.invite(
            orgKey: "acme", addresses: ["slow@acme.test"], role: .member,
            by: Actor(user: fixture.owner, address: "test"))
        let worker = MailWorker(
            command: try command(delay: 1), database: database, baseURL: "https://console.test",
            interval: 0.05)
        worker.start()
        let started = directory.appendingPathComponent("started").path
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: started) { usleep(25_000) }
        #expect(FileManager.default.fileExists(atPath: started), "the mail command ran")
        // When the process stops while the command is still running
        #expect(worker.stopAndWait(timeout: 10))
        // Then the message was handed over and recorded as sent before stopping returned
        #expect(try delivered().count == 1)
        #expect(try database.read { db in try OutboxMessage.fetchOne(db)!.status } == .sent)
    }

    @Test func aFailureShowsTheReasonNotTheCommandsPath() {
        let reason = MailWorker.reason(
            stderr: Data("/opt/relay/bin/msmtp: cannot connect to relay.test, port 25\nmore\n".utf8),
            status: 69, executable: "/opt/relay/bin/msmtp")
        #expect(reason == "cannot connect to relay.test, port 25 (the mail command exited with status 69)")
        #expect(
            MailWorker.reason(stderr: Data(), status: 1, executable: "/usr/sbin/sendmail")
                == "the mail command exited with status 1")
        let silent = MailWorker(command: "/bin/false", database: fixture.database, baseURL: "https://console.test")
        #expect(silent.run("x")?.contains("/bin") == false)
    }
}

extension MembersScaleTests {
    @Test func theTallyOfPendingInvitationsFollowsEveryChange() throws {
        func tally() throws -> (Int, Int) {
            try database.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT pending FROM invitationTally WHERE orgId = ?", arguments: [fixture.org.id!]) ?? 0,
                    try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM invitation WHERE orgId = ? AND status = 'pending'",
                        arguments: [fixture.org.id!])!
                )
            }
        }
        let owner = Actor(user: fixture.owner, address: "test")
        try invite(120)
        #expect(try tally() == (120, 120))
        let ids = try database.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM invitation ORDER BY id LIMIT 3") }
        let versions = try database.read { db in try Int.fetchAll(db, sql: "SELECT version FROM invitation ORDER BY id LIMIT 3") }
        try database.revokeInvitation(orgKey: "acme", id: ids[0], expectedVersion: versions[0], by: owner)
        _ = try database.resendInvitation(orgKey: "acme", id: ids[1], expectedVersion: versions[1], by: owner)
        #expect(try tally() == (119, 119))
        try database.writer.write { db in try db.execute(sql: "DELETE FROM invitation WHERE id = ?", arguments: [ids[2]]) }
        #expect(try tally() == (118, 118))
        // And the counts shown everywhere agree with a plain count
        let counts = try database.membersPage(orgId: fixture.org.id!, MembersQuery()).counts
        #expect(counts == MemberCounts(active: 3, pending: 118))
    }
}

/// The Secrets tab at scale: its lists are read a page at a time (issue 10, point 19).
@Suite("Secrets lists by page") struct SecretsPagingTests {
    @Test func ownSecretsAndCountsPerMemberComeAPageAtATime() throws {
        let f = try Fixture()
        let member = Actor(user: f.member, address: "t")
        for i in 0..<120 { try f.database.addSecret(orgKey: "acme", by: member, name: String(format: "KEY_%03d", i), value: "v\(i)") }
        let first = try f.database.secretsPage(orgId: f.org.id!, ownerId: f.member.id!, page: 1)
        let last = try f.database.secretsPage(orgId: f.org.id!, ownerId: f.member.id!, page: 3)
        let past = try f.database.secretsPage(orgId: f.org.id!, ownerId: f.member.id!, page: 9)
        #expect(first.total == 120 && first.pageCount == 3)
        #expect(first.entries.map(\.name) == (0..<50).map { String(format: "KEY_%03d", $0) })
        #expect(last.entries.map(\.name) == (100..<120).map { String(format: "KEY_%03d", $0) })
        #expect(past.entries.isEmpty && past.total == 120)
        #expect(try f.database.secretsPage(orgId: f.org.id!, ownerId: f.owner.id!, page: 1).total == 0, "each person their own")
        let counts = try f.database.secretCountsByMember(f.database.access(orgKey: "acme", userId: f.owner.id!), page: 1, pageSize: 2)
        #expect(counts.total == 3 && counts.pageCount == 2)
        #expect(counts.entries.map(\.secrets) == [0, 120])
        #expect(Paged<Int>.page("0") == 1 && Paged<Int>.page("x") == 1 && Paged<Int>.page("7") == 7)
    }
}

/// Sessions do not pile up, and "last active" stays one index seek (issue 10, point 25).
@Suite("Sessions over time") struct SessionsOverTimeTests {
    @Test func signingInSweepsIdleSessionsAndLastActiveUsesAnIndex() throws {
        let clock = TestClock()
        let f = try Fixture(now: { clock.now })
        for _ in 0..<5 { _ = try f.database.signIn(email: "owner@acme.test", password: Fixture.password, address: "a", userAgent: "t") }
        clock.advance(SessionRules.idleTimeout + 60)
        _ = try f.database.signIn(email: "owner@acme.test", password: Fixture.password, address: "a", userAgent: "t")
        let sessions = try f.database.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM session WHERE userId = ?", arguments: [f.owner.id!])!
        }
        #expect(sessions == 1, "the five idle sessions were swept")
        let plan = try f.database.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT max(lastSeenAt) FROM session s WHERE s.userId = 1")
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
        #expect(plan.contains("session_user_seen"), "plan: \(plan)")
    }
}
