import Foundation
import GRDB
import Testing
@testable import WheelhouseCore
import WheelhouseTestSupport

/// Verified domains: the rules for a domain, and TXT lookups through libresolv against a real
/// DNS server on loopback (Debian's dnsmasq, started here with the test's records).
@Suite("SSO domains") struct SSODomainTests {
    static let badDomains: [(typed: String, message: String)] = [
        ("", "Enter a domain such as example.com."),
        ("localhost", "Enter a full domain with a dot, such as example.com."),
        ("bücher.de", "Enter the domain in its ASCII form: an international name is written with xn-- labels (punycode)."),
        ("-bad.com", "“-bad.com” is not a domain: use letters, digits, dashes and dots."),
        ("a..com", "“a..com” is not a domain: use letters, digits, dashes and dots."),
        ("under_score.com", "“under_score.com” is not a domain: use letters, digits, dashes and dots."),
        ("10.0.0.1", "Enter a domain name, not an IP address."),
        (
            String(repeating: "a", count: 64) + ".com",
            "“\(String(repeating: "a", count: 64)).com” is not a domain: use letters, digits, dashes and dots."
        ),
        (String(repeating: "abcdefghi.", count: 26) + "com", "A domain has at most 253 characters."),
    ]

    @Test(arguments: 0..<badDomains.count)
    func aBadDomainIsRefusedBesideItsField(_ index: Int) throws {
        let world = try SSOTestWorld(configured: false)
        let (typed, message) = Self.badDomains[index]
        #expect(
            throws: DomainError.invalid(
                {
                    var e = FieldErrors(); e.add("domain", message); return e
                }())
        ) {
            try world.database.addSSODomain(orgKey: "acme", by: world.owner, domain: typed)
        }
    }

    @Test func domainsAreLowerCasedLimitedAndNeverVerifiedTwice() throws {
        let world = try SSOTestWorld(configured: false)
        let added = try world.database.addSSODomain(orgKey: "acme", by: world.owner, domain: " Acme.TEST. ")
        #expect(added.domain == "acme.test" && added.state == .pending && added.record.hasPrefix("wheelhouse-verification="))
        #expect(try world.database.addSSODomain(orgKey: "acme", by: world.owner, domain: "xn--bcher-kva.de").domain == "xn--bcher-kva.de")
        #expect(throws: DomainError.self) { try world.database.addSSODomain(orgKey: "acme", by: world.owner, domain: "acme.test") }
        for n in 3...10 { try world.database.addSSODomain(orgKey: "acme", by: world.owner, domain: "d\(n).test") }
        #expect(
            throws: DomainError.invalid(
                {
                    var e = FieldErrors(); e.add("domain", "An organization has at most 10 domains. Remove one first."); return e
                }())
        ) {
            try world.database.addSSODomain(orgKey: "acme", by: world.owner, domain: "eleven.test")
        }
        // Another organization's verified domain is refused.
        try world.database.seedSSODomain(orgKey: "other", domain: "taken.test", verified: true)
        try world.database.removeSSODomain(orgKey: "acme", id: added.id, by: world.owner)
        #expect(
            throws: DomainError.invalid(
                {
                    var e = FieldErrors(); e.add("domain", "taken.test is verified by another organization."); return e
                }())
        ) {
            try world.database.addSSODomain(orgKey: "acme", by: world.owner, domain: "taken.test")
        }
        // Someone else's domain id is not found.
        let others = try world.database.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM ssoDomain WHERE domain = 'taken.test'")! }
        #expect(throws: DomainError.notFound) { try world.database.requestSSODomainCheck(orgKey: "acme", id: others, by: world.owner) }
        #expect(try world.actions().filter { $0 == .ssoDomainAdd }.count == 10)
        #expect(try world.actions().contains(.ssoDomainRemove))
    }

    @Test func theLookupVerifiesTheDomainAndTheDailyCheckNoticesItVanish() throws {
        let world = try SSOTestWorld(configured: false)
        let domain = try world.database.addSSODomain(orgKey: "acme", by: world.owner, domain: "acme.test")
        var dns = try Dnsmasq(records: [("acme.test", "v=spf1 -all"), ("acme.test", domain.record)])
        let worker = SSOWorker(
            database: world.database, http: OutboundHTTP(policy: SSOTestWorld.policy),
            dns: DNSLookup(resolver: DNSResolverAddress("127.0.0.1:\(dns.port)")), baseURL: "http://x")
        #expect(try world.database.requestSSODomainCheck(orgKey: "acme", id: domain.id, by: world.owner))
        #expect(try !world.database.requestSSODomainCheck(orgKey: "acme", id: domain.id, by: world.owner))
        try worker.drain()
        let access = try world.database.access(orgKey: "acme", userId: world.fixture.owner.id!)
        let verified = try #require(try world.database.ssoDomains(access).first)
        #expect(verified.state == .verified)
        #expect(verified.lastAnswer == "found \(domain.record)")
        // The record is gone: a day later the re-check fails it and every Owner is emailed.
        dns.stop()
        dns = try Dnsmasq(records: [("acme.test", "v=spf1 -all")])
        let later = SSOWorker(
            database: world.database, http: OutboundHTTP(policy: SSOTestWorld.policy),
            dns: DNSLookup(resolver: DNSResolverAddress("127.0.0.1:\(dns.port)")), baseURL: "http://x")
        #expect(try world.database.queueSSODomainRechecks() == 0)
        world.clock.advance(24 * 3600)
        #expect(try world.database.queueSSODomainRechecks() == 1)
        try later.drain()
        let failed = try #require(try world.database.ssoDomains(access).first)
        #expect(failed.state == .failed)
        #expect(failed.lastAnswer == "expected “\(domain.record)”, found “v=spf1 -all”")
        let mail = try world.database.read { db in
            try String.fetchAll(db, sql: "SELECT recipient FROM outbox WHERE subject = 'SSO domain acme.test is no longer verified'")
        }
        #expect(mail == ["owner@acme.test"])
        #expect(try world.actions() == [.ssoDomainAdd, .ssoDomainVerifyRequest, .ssoDomainVerify, .ssoDomainVerify])
        dns.stop()
    }

    @Test func aNameThatDoesNotExistIsSaidSo() throws {
        let dns = try Dnsmasq(records: [("acme.test", "x")])
        defer { dns.stop() }
        let lookup = DNSLookup(resolver: DNSResolverAddress("127.0.0.1:\(dns.port)"))
        #expect(lookup.txt("acme.test") == .records(["x"]))
        // dnsmasq answers names it does not know from no upstream (--no-resolv): REFUSED, no answer.
        #expect(lookup.txt("missing.test") != .records(["x"]))
        #expect(
            DNSLookup(resolver: DNSResolverAddress("127.0.0.1:\(try Loopback.freePort())"), timeoutSeconds: 1).txt("acme.test") == .noAnswer
        )
        #expect(DNSResolverAddress("127.0.0.1:5353")?.port == 5353 && DNSResolverAddress("::1:53") == nil && DNSResolverAddress("x") == nil)
    }
}

/// dnsmasq on a free loopback port, answering only the given TXT records. Spawned and reaped
/// with posix_spawn / waitpid: Foundation's `Process.waitUntilExit` can hang off the main thread.
struct Dnsmasq {
    let pid: pid_t
    let port: UInt16

    init(records: [(String, String)]) throws {
        port = try Loopback.freePort()
        let arguments =
            [
                "/usr/sbin/dnsmasq", "--no-daemon", "--port=\(port)", "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
                "--no-hosts", "--conf-file=/dev/null", "--pid-file", "--log-facility=/dev/null",
            ] + records.map { "--txt-record=\($0.0),\($0.1)" }
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // A clean signal mask: the test thread may block SIGTERM, and a child inherits that.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var spawned: pid_t = 0
        guard posix_spawn(&spawned, "/usr/sbin/dnsmasq", nil, &attributes, &argv, environ) == 0 else {
            throw TestFailure("dnsmasq could not start: install dnsmasq-base")
        }
        pid = spawned
        // Ready once it answers.
        let lookup = DNSLookup(resolver: DNSResolverAddress("127.0.0.1:\(port)"), timeoutSeconds: 1)
        for _ in 0..<50 {
            if lookup.txt(records.first?.0 ?? "x") != .noAnswer { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
