import Foundation
import GRDB
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// A save that changes nothing succeeds (303 with a flash) but writes no entry, so the Audit log
/// lists changes only. One case per route that can succeed without changing anything.
extension AuditTrailTests {
    static let unchanged: [Case] = [
        Case(route: "POST /orgs/{org}/settings/general", variant: "same values", expected: nil, status: 303, prepare: { _ in }) { w in
            let (client, csrf) = try w.client(.owner)
            return client.post(
                org + "/general",
                [
                    ("_csrf", csrf), ("version", "1"), ("display_name", "Acme"), ("description", ""),
                    ("member_limit", "\(w.t.org.memberLimit)"),
                ])
        },
        post(
            "POST /orgs/{org}/settings/members/{user}/role", variant: "same role", nil, { w in org + "/members/\(w.t.member.id!)/role" },
            { _ in [("version", "1"), ("role", "member")] }),
        post(
            "POST /orgs/{org}/settings/teams/{id}", variant: "same values", nil, { w in org + "/teams/\(w.teamId)" },
            { _ in [("version", "2"), ("name", "Core"), ("description", "")] }),
        post(
            "POST /orgs/{org}/settings/workspaces/{key}/access/{id}", variant: "same level", nil,
            { w in org + "/workspaces/lab/access/\(w.grantId)" }, { _ in [("version", "1"), ("level", "read")] }),
        post(
            "POST /orgs/{org}/settings/workspaces/{key}/settings", variant: "same values", nil, { _ in org + "/workspaces/lab/settings" },
            { _ in [("version", "1"), ("name", "Lab"), ("description", "")] }),
        post(
            "POST /orgs/{org}/settings/workspaces/{key}/restore", variant: "not archived", nil, { _ in org + "/workspaces/lab/restore" },
            { _ in [("version", "1")] }),
        post(
            "POST /orgs/{org}/settings/providers/{id}/edit", variant: "same values", nil, { w in org + "/providers/\(w.providerId)/edit" },
            { _ in [("version", "1"), ("name", ""), ("base_url", "http://127.0.0.1:9/v1"), ("api_key", "")] }),
        post(
            "POST /orgs/{org}/settings/providers/{id}/test", variant: "already queued", nil,
            prepare: { w in
                _ = try w.t.database.requestProviderCheck(orgKey: "acme", id: w.providerId, by: owner(w))
            }, { w in org + "/providers/\(w.providerId)/test" }, { _ in [("version", "1")] }),
        post(
            "POST /orgs/{org}/settings/chat-models", variant: "already on", nil,
            prepare: { w in
                _ = try w.t.database.setChatModel(orgKey: "acme", modelId: "openai/gpt-4o", enabled: true, by: owner(w))
            }, { _ in org + "/chat-models" }, { _ in [("model", "openai/gpt-4o"), ("enabled", "1")] }),
        post(
            "POST /invitations/{token}", variant: "accepted again", nil, as: .outsider,
            prepare: { w in
                _ = try w.t.database.invite(orgKey: "acme", addresses: ["out@other.test"], role: .member, by: owner(w))
                _ = try w.t.database.acceptInvitation(
                    token: linkToken(w, "out@other.test"),
                    by: WheelhouseCore.Actor(user: w.t.outsider, address: "test"))
            }, { w in "/invitations/\(acceptedLinkToken(w))" }, { _ in [] }),
    ]

    @Test(arguments: unchanged)
    func noEntryWithoutAChange(_ change: Case) throws {
        try oneEntryPerChange(change)
    }

    /// The link of the invitation the outsider accepted (Members lists pending ones only).
    static func acceptedLinkToken(_ w: World) -> String {
        let nonce = try? w.t.database.read { db in
            try Data.fetchOne(db, sql: "SELECT linkNonce FROM invitation WHERE email = 'out@other.test'")
        }
        return nonce.flatMap { $0 }.map(w.t.database.links.token(nonce:)) ?? "missing"
    }
}
