import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// The API's lists and reports: usage by month, the audit log's filters, and keyset cursors that
/// neither repeat nor skip anything when rows are added between pages.
@Suite("JSON API, reads") struct APIReadTests {
    static func ids(_ list: [[String: Any]]) -> [Int64] { list.compactMap { ($0["id"] as? NSNumber)?.int64Value } }

    /// Every page of `path` (whose list is `field`), following `nextCursor`; `between` runs after each page.
    static func pages(
        _ w: APIWorld, _ path: String, _ field: String, key: String, between: () throws -> Void = {}
    ) throws -> [[[String: Any]]] {
        var pages: [[[String: Any]]] = []
        var cursor: String?
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let response = w.call("GET", path + (cursor.map { "\(separator)cursor=\($0)" } ?? ""), key: key)
            try #require(response.status == 200, "\(response.html)")
            let json = APIWorld.json(response)
            pages.append(try #require(json[field] as? [[String: Any]]))
            cursor = json["nextCursor"] as? String
            try between()
        } while cursor != nil && pages.count < 100
        return pages
    }

    @Test func usageByDayAndSummaryForAMonth() throws {
        let w = try APIWorld()
        try w.database.createWorkspace(orgId: w.t.org.id!, key: "example", name: "Example", shared: true)
        let key = try w.key(["usage:write", "usage:read"]).secret
        let batch = APIWorld.events([
            APIWorld.event("a", time: "2026-08-31T23:00:00Z", tokens: 7, cost: 70),
            APIWorld.event("b", time: "2026-09-02T10:00:00Z", tokens: 100, cost: 1_000),
            APIWorld.event("c", time: "2026-09-02T11:00:00Z", tokens: 50, cost: 500),
        ])
        #expect(w.call("POST", "usage/events", key: key, json: batch).status == 200)
        let daily = APIWorld.json(w.call("GET", "usage/daily?month=2026-09", key: key))
        #expect(daily["month"] as? String == "2026-09" && daily["timeZone"] as? String == "UTC")
        let days = try #require(daily["days"] as? [[String: Any]])
        let second = try #require(days.first { $0["date"] as? String == "2026-09-02" })
        #expect(second["events"] as? Int == 2 && second["tokens"] as? Int == 160 && second["costMicros"] as? Int == 1_500)
        #expect(days.filter { $0["date"] as? String != "2026-09-02" }.allSatisfy { ($0["events"] as? Int ?? 0) == 0 })
        let summary = APIWorld.json(w.call("GET", "usage/summary?month=2026-09", key: key))
        let totals = try #require(summary["totals"] as? [String: Any])
        #expect(totals["events"] as? Int == 2 && totals["costMicros"] as? Int == 1_500)
        #expect((summary["previousMonth"] as? [String: Any])?["events"] as? Int == 1)
        let models = try #require(summary["models"] as? [[String: Any]])
        #expect(models.count == 1 && models[0]["model"] as? String == "gpt-4o" && models[0]["events"] as? Int == 2)
        // No month: the current one in the organization's time zone (the clock's September 2026).
        #expect(APIWorld.json(w.call("GET", "usage/summary", key: key))["month"] as? String == "2026-09")
        #expect(
            ((APIWorld.json(w.call("GET", "usage/summary?month=2026-10", key: key))["totals"] as? [String: Any])?["events"] as? Int) == 0)
        for bad in ["2026-13", "2026-00", "2026-9", "26-09", "September", "1999-12", "2101-01", "", "2026-09-01", "%FF"] {
            for path in ["usage/daily", "usage/summary"] {
                let response = w.call("GET", "\(path)?month=\(bad)", key: key)
                #expect(response.status == 400, "\(path) month=\(bad): \(response.html)")
                #expect(APIWorld.code(response) == "invalid_query", "\(path) month=\(bad)")
                #expect(response.html.contains(#""field":"month""#), "\(path) month=\(bad)")
            }
        }
    }

    @Test func auditEventsFilterAndPageWithoutRepeatsOrGaps() throws {
        let w = try APIWorld()
        let key = try w.key(["audit:read", "members:write"], name: "Auditor").secret
        let emails = (1...7).map { "\"early\($0)@x.test\"" }.joined(separator: ",")
        #expect(w.call("POST", "members/invitations", key: key, json: #"{"emails": [\#(emails)]}"#).status == 201)
        w.clock.advance(3_600)
        let boundary = Dates.isoTime(w.clock.now)
        #expect(w.call("POST", "members/invitations", key: key, json: #"{"emails": ["late1@x.test", "late2@x.test"]}"#).status == 201)
        let all = try w.database.auditEvents(orgId: w.t.org.id!).compactMap(\.id).sorted(by: >)
        // Pages of 3, newest first: every entry once, in order.
        let paged = try Self.pages(w, "audit/events?limit=3", "events", key: key)
        #expect(paged.dropLast().allSatisfy { $0.count == 3 })
        #expect(paged.flatMap(Self.ids) == all)
        let invitations = try Self.pages(w, "audit/events?action=invitation.create&limit=4", "events", key: key).flatMap { $0 }
        #expect(invitations.count == 9 && invitations.allSatisfy { $0["action"] as? String == "invitation.create" })
        let owner = APIWorld.json(w.call("GET", "audit/events?actor=\(w.t.owner.id!)", key: key))["events"] as? [[String: Any]] ?? []
        #expect(!owner.isEmpty && owner.allSatisfy { ($0["actorUserId"] as? NSNumber)?.int64Value == w.t.owner.id })
        let system = APIWorld.json(w.call("GET", "audit/events?actor=system", key: key))["events"] as? [[String: Any]] ?? []
        #expect(system.allSatisfy { $0["actorUserId"] == nil })
        let late = APIWorld.json(w.call("GET", "audit/events?since=\(boundary)", key: key))["events"] as? [[String: Any]] ?? []
        #expect(
            late.compactMap { $0["summary"] as? String }.sorted() == ["invited late1@x.test as member", "invited late2@x.test as member"])
        let early = APIWorld.json(w.call("GET", "audit/events?until=\(boundary)&target=invitation", key: key))["events"] as? [[String: Any]]
        #expect(early?.count == 7 && early?.allSatisfy { ($0["summary"] as? String)?.contains("early") == true } == true)
        #expect(
            (APIWorld.json(w.call("GET", "audit/events?target=nothing-like-this", key: key))["events"] as? [[String: Any]])?.isEmpty == true
        )
        let bad = [
            ("action", "action=nope"), ("actor", "actor=abc"), ("actor", "actor=0"), ("since", "since=yesterday"),
            ("until", "until=2026-13-01T00:00:00Z"), ("limit", "limit=0"), ("limit", "limit=101"), ("limit", "limit=ten"),
            ("cursor", "cursor=-1"), ("cursor", "cursor=abc"), ("target", "target="),
        ]
        for (field, query) in bad {
            let response = w.call("GET", "audit/events?\(query)", key: key)
            #expect(response.status == 400, "\(query): \(response.html)")
            #expect(APIWorld.code(response) == "invalid_query", "\(query)")
            #expect(response.html.contains(#""field":"\#(field)""#), "\(query): \(response.html)")
        }
    }

    @Test func memberPagesStayStableWhilePeopleJoin() throws {
        let w = try APIWorld()
        let key = try w.key(["members:read"]).secret
        let before = try Self.pages(w, "members?limit=2", "members", key: key).flatMap(Self.ids)
        #expect(before.count == 3)
        var joined: [Int64] = []
        // Someone joins after every page; after the second, also the outsider, whose older account
        // has an id below the cursor by then: a keyset never goes back for it, and moves nothing.
        let pages = try Self.pages(w, "members?limit=2", "members", key: key) {
            let n = joined.count
            let user = try w.database.createUser(email: "joiner\(n)@x.test", name: "Joiner \(n)", password: TestApp.password)
            try w.database.addMember(userId: user.id!, orgId: w.t.org.id!, role: .member)
            joined.append(user.id!)
            if n == 1 {
                try w.database.addMember(userId: w.t.outsider.id!, orgId: w.t.org.id!, role: .member)
                joined.append(w.t.outsider.id!)
            }
        }
        let seen = pages.flatMap(Self.ids)
        #expect(Set(seen).count == seen.count, "no member twice: \(seen)")
        #expect(seen == seen.sorted(), "in id order")
        #expect(Set(before).isSubset(of: Set(seen)), "no member who was there from the start is skipped")
        #expect(Set(seen).isSubset(of: Set(before + joined)))
        #expect(pages.dropLast().allSatisfy { $0.count == 2 })
        let first = try #require(pages.first?.first)
        #expect(first["email"] as? String == "owner@acme.test" && first["role"] as? String == "owner" && first["joinedAt"] is String)
        // Workspaces page the same way.
        for n in 1...5 { try w.database.createWorkspace(orgId: w.t.org.id!, key: "ws-\(n)", name: "WS \(n)", shared: true) }
        let readKey = try w.key(["workspaces:read"]).secret
        let workspaces = try Self.pages(w, "workspaces?limit=2", "workspaces", key: readKey).flatMap { $0 }.compactMap {
            $0["key"] as? String
        }
        #expect(workspaces == (1...5).map { "ws-\($0)" })
    }
}
