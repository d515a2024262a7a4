import Foundation
import WheelhouseCore

extension Demo {
    /// About 300 audit entries over the last 90 days, oldest first, so the Audit log and its
    /// filters have something to show. Written before the rest of the demo, so ids and times
    /// grow together (the log pages by id); the changes the demo then really makes come last.
    static func seedAuditHistory(_ database: AppDatabase, org: Organization, people: [User]) throws -> Int {
        let kinds: [(AuditAction, String, String)] = [
            (.memberRole, "user:{person}", "role member → admin"),
            (.invitationCreate, "email:candidate{n}@demo.test", "invited as member"),
            (.invitationRevoke, "email:candidate{n}@demo.test", "invitation revoked"),
            (.teamUpdate, "team:Engineering", "description changed"),
            (.workspaceUpdate, "workspace:research", "name “Research {n}” → “Research”"),
            (.workspaceAccessGrant, "workspace:support-bots", "team Customer success: write"),
            (.secretRotate, "secret:OPENAI_KEY", "value rotated (ends …{n})"),
            (.providerUpdate, "provider:openai", "base URL unchanged, key replaced"),
            (.providerTest, "provider:openai", "connection test passed in {n} ms"),
            (.chatModelEnable, "chatModel:openai/gpt-4o", "switched on"),
            (.chatModelDisable, "chatModel:openai/gpt-4o-mini", "switched off"),
            (.organizationUpdate, "organization:demo", "description changed"),
        ]
        let addresses = ["203.0.113.10", "203.0.113.24", "198.51.100.7", "2001:db8::42"]
        var random: UInt64 = 2026
        func next(_ bound: Int) -> Int {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((random >> 33) % UInt64(bound))
        }
        let now = Date().timeIntervalSince1970, start = now - 90 * 86_400
        var at = start
        var events: [AuditEvent] = []
        while true {
            at += Double(1_800 + next(48_000))
            guard at < now - 3_600 else { break }
            let (action, target, summary) = kinds[next(kinds.count)]
            let person = people[next(people.count)]
            let system = action == .providerTest
            let n = String(100 + next(900))
            events.append(
                AuditEvent(
                    orgId: org.id!, actorUserId: system ? nil : person.id!, action: action,
                    target: target.replacingOccurrences(of: "{person}", with: person.email).replacingOccurrences(of: "{n}", with: n),
                    summary: summary.replacingOccurrences(of: "{n}", with: n),
                    address: system ? "worker" : addresses[next(addresses.count)],
                    createdAt: Date(timeIntervalSince1970: at.rounded())))
        }
        try database.seedAuditEvents(events)
        return events.count
    }
}
