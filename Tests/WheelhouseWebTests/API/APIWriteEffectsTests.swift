import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// What the API's POSTs write: invitations as the form writes them (with the key named in the
/// audit entry), one result per address and per event, rollups in the same transaction, and
/// nothing new for a batch sent twice.
@Suite("JSON API, what writes do") struct APIWriteEffectsTests {
    static func statuses(_ response: TestResponse) -> [String] {
        ((APIWorld.json(response)["results"] as? [[String: Any]]) ?? []).compactMap { $0["status"] as? String }
    }

    @Test func invitationsAreTheFormsWithOneResultPerAddressAndTheKeyInTheAuditLog() throws {
        let w = try APIWorld()
        let key = try w.key(["members:write", "audit:read"], name: "Invite bot").secret
        let body = #"{"emails": ["new1@x.test", "not-an-address", "member@acme.test", " Padded@X.test ", "NEW1@x.test"], "role": "admin"}"#
        let sent = w.call("POST", "members/invitations", key: key, json: body)
        #expect(sent.status == 201, "\(sent.html)")
        let results = try #require(APIWorld.json(sent)["results"] as? [[String: Any]])
        #expect(
            results.map { $0["email"] as? String } == ["new1@x.test", "not-an-address", "member@acme.test", "Padded@X.test", "NEW1@x.test"])
        #expect(Self.statuses(sent) == ["invited", "refused", "refused", "invited", "invited"], "\(sent.html)")
        #expect(results.map { $0["code"] as? String } == [nil, "malformed", "already_member", nil, nil])
        #expect(results[1]["reason"] is String)
        // Stored as the form stores them: trimmed, one spelling, once each, with the role asked for.
        let stored = try w.database.read { db in
            try String.fetchAll(db, sql: "SELECT email || ' ' || role FROM invitation WHERE status = 'pending' ORDER BY email")
        }
        #expect(stored == ["new1@x.test admin", "padded@x.test admin"])
        let page = try w.t.client(signedInAs: "owner@acme.test").get("/orgs/acme/settings/members")
        #expect(page.contains("new1@x.test") && page.contains("padded@x.test"))
        // The audit log names the key's maker, and the key in the entry's client text.
        let audit = APIWorld.json(w.call("GET", "audit/events?action=invitation.create", key: key))
        let entries = try #require(audit["events"] as? [[String: Any]])
        #expect(entries.count == 2)
        for entry in entries {
            #expect((entry["actorUserId"] as? NSNumber)?.int64Value == w.t.owner.id)
            #expect((entry["userAgent"] as? String)?.hasPrefix("API key “Invite bot”") == true, "\(entry)")
            #expect(entry["address"] as? String == "203.0.113.9")
        }
        // Sent again: each address is refused with its reason, nothing is written, and the status says so.
        let before = try w.counts()
        let again = w.call("POST", "members/invitations", key: key, json: body)
        #expect(again.status == 200)
        #expect(Self.statuses(again) == ["refused", "refused", "refused", "refused", "refused"], "\(again.html)")
        #expect(try w.counts() == before)
    }

    @Test func seatsRunOutOneAddressAtATimeAndEntitlementsSaySo() throws {
        let w = try APIWorld()
        let key = try w.key(["members:write", "org:read"]).secret
        // 3 members of 25 seats: 22 invitations fill them, the 23rd address is refused.
        let addresses = (1...23).map { "\"seat\($0)@x.test\"" }.joined(separator: ",")
        let sent = w.call("POST", "members/invitations", key: key, json: #"{"emails": [\#(addresses)]}"#)
        #expect(sent.status == 201)
        let results = try #require(APIWorld.json(sent)["results"] as? [[String: Any]])
        #expect(results.prefix(22).allSatisfy { $0["status"] as? String == "invited" })
        #expect(results.last?["code"] as? String == "seat_limit")
        let answers = APIWorld.json(w.call("GET", "entitlements", key: key))
        let seat = try #require(answers["addSeat"] as? [String: Any])
        #expect(seat["allowed"] as? Bool == false && seat["code"] as? String == "seat_limit", "\(answers)")
        #expect((answers["runWorkflow"] as? [String: Any])?["allowed"] as? Bool == true)
    }

    @Test func aPendingDeletionRefusesEverythingInEntitlements() throws {
        let w = try APIWorld()
        let key = try w.key(["org:read"]).secret
        let writer = try w.key(["org:write", "members:write"]).secret
        // With credits, so that paid AI is allowed until the deletion refuses it too.
        try w.database.grantPromotionalCredits(orgId: w.t.org.id!, micros: 1_000_000, expiresAt: nil, reference: "t")
        let fresh = APIWorld.json(w.call("GET", "entitlements", key: key))
        #expect(["runWorkflow", "usePaidAI", "addSeat"].allSatisfy { (fresh[$0] as? [String: Any])?["allowed"] as? Bool == true })
        let org = try w.database.access(orgKey: "acme", userId: w.t.owner.id!).org
        try w.database.scheduleDeletion(
            orgKey: "acme", confirmKey: "acme", expectedVersion: org.version, by: Actor(user: w.t.owner, address: "t"))
        let answers = APIWorld.json(w.call("GET", "entitlements", key: key))
        for name in ["runWorkflow", "usePaidAI", "addSeat"] {
            let answer = try #require(answers[name] as? [String: Any])
            #expect(answer["allowed"] as? Bool == false && answer["code"] as? String == "pending_deletion", "\(name): \(answer)")
            #expect((answer["reason"] as? String)?.isEmpty == false)
        }
        #expect(APIWorld.json(w.call("GET", "org", key: key))["purgeAt"] is String)
        // Changes are refused as the console refuses them, in the API's spelling of codes.
        let before = try w.counts()
        for (path, body) in [("workspaces", #"{"name": "Late", "key": "late"}"#), ("members/invitations", #"{"emails": ["late@x.test"]}"#)]
        {
            let refused = w.call("POST", path, key: writer, json: body)
            #expect(refused.status == 409, "\(path): \(refused.html)")
            #expect(APIWorld.code(refused) == "pending_deletion", "\(path): \(refused.html)")
        }
        #expect(try w.counts() == before)
    }

    @Test func aKeyCanDoNoMoreThanItsMakerMayNow() throws {
        let w = try APIWorld()
        let key = try w.database.createAPIKey(
            orgKey: "acme", NewAPIKey(name: "Admin's", scopes: ["members:write", "org:read"], expiry: "30"),
            by: Actor(user: w.t.admin, address: "t")
        ).secret
        try w.database.changeRole(
            orgKey: "acme", userId: w.t.admin.id!, to: .member, expectedVersion: 1, by: Actor(user: w.t.owner, address: "t"))
        let before = try w.counts()
        let refused = w.call("POST", "members/invitations", key: key, json: #"{"emails": ["new@x.test"]}"#)
        #expect(refused.status == 403 && APIWorld.code(refused) == "maker_role", "\(refused.html)")
        #expect(try w.counts() == before)
        #expect(w.call("GET", "org", key: key).status == 200, "reads still work")
    }

    @Test func theWorkspacePlanLimitIsA422NotAServerError() throws {
        let w = try APIWorld()
        let key = try w.key(["workspaces:write"]).secret
        var statuses: [Int] = []
        for n in 1...60 where statuses.last != 422 {
            statuses.append(w.call("POST", "workspaces", key: key, json: #"{"name": "Team \#(n)", "key": "team-\#(n)"}"#).status)
        }
        #expect(statuses.dropLast().allSatisfy { $0 == 201 } && statuses.last == 422, "\(statuses)")
        let before = try w.counts()
        let refused = w.call("POST", "workspaces", key: key, json: #"{"name": "One more", "key": "one-more"}"#)
        #expect(refused.status == 422)
        #expect(APIWorld.code(refused) == "plan_limit", "\(refused.html)")
        #expect(refused.html.contains("shared workspaces"))
        #expect(try w.counts() == before)
    }

    @Test func usageEventsAnswerPerEventInOrderAndUpdateTheRollups() throws {
        let w = try APIWorld()
        try w.database.createWorkspace(orgId: w.t.org.id!, key: "example", name: "Example", shared: true)
        let key = try w.key(["usage:write", "usage:read"]).secret
        let batch = APIWorld.events([
            APIWorld.event("e1", tokens: 100, cost: 1_000),
            APIWorld.event("e2", workspace: "nowhere"),
            APIWorld.event("e1", tokens: 100, cost: 1_000),
            APIWorld.event("e3", tokens: 50, cost: 500),
            APIWorld.event("e4", extra: #", "colour": "red""#),
            APIWorld.event("e5", extra: #", "org": "other""#),
            APIWorld.event("e6", tokens: -1),
        ])
        let first = w.call("POST", "usage/events", key: key, json: batch)
        #expect(first.status == 200, "\(first.html)")
        #expect(
            Self.statuses(first) == ["accepted", "rejected", "duplicate", "accepted", "rejected", "rejected", "rejected"], "\(first.html)")
        let summary = APIWorld.json(first)
        #expect(summary["accepted"] as? Int == 2 && summary["duplicates"] as? Int == 1 && summary["rejected"] as? Int == 4)
        let results = try #require(summary["results"] as? [[String: Any]])
        #expect(results.map { $0["index"] as? Int } == Array(0..<7))
        #expect(results.filter { $0["status"] as? String == "rejected" }.allSatisfy { ($0["reason"] as? String)?.isEmpty == false })
        #expect((results[4]["reason"] as? String)?.contains("colour") == true, "\(results[4])")
        // The rollups moved in the same transaction: the Usage tab's report sees them.
        let report = try w.database.usageReport(orgId: w.t.org.id!, month: try #require(UsageMonth("2026-09")))
        #expect(report.totals.events == 2)
        #expect(report.totals.tokens == 100 + 5 + 50 + 5)
        #expect(report.totals.costMicros == 1_500)
        // The same batch again: duplicates and the same rejections, and not a row more.
        let before = try w.counts()
        let again = w.call("POST", "usage/events", key: key, json: batch)
        #expect(Self.statuses(again) == ["duplicate", "rejected", "duplicate", "duplicate", "rejected", "rejected", "rejected"])
        #expect(try w.counts() == before)
        #expect(try w.database.usageReport(orgId: w.t.org.id!, month: try #require(UsageMonth("2026-09"))).totals == report.totals)
        // An empty batch is a batch.
        #expect(APIWorld.json(w.call("POST", "usage/events", key: key, json: #"{"events": []}"#))["accepted"] as? Int == 0)
    }
}
