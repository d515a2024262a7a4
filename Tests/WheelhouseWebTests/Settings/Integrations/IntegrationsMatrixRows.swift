import Foundation
import WheelhouseCore
@testable import WheelhouseWeb

/// The Integrations tab's rows of the route × actor matrix. Unlike the other admin tabs, every
/// member opens the tab (their own editor tokens live there): the page is 200 for a Member, while
/// webhooks and Slack are 403 for them, and another person's editor token is a 404 to a Member
/// (it is not theirs to know of) but reachable by Owners and Admins, who manage everyone's.
extension RouteMatrixTests {
    static let integrationCases: [Case] = [
        get("integrations", { _ in .integrations(.show) }, anyone),
        post(
            "add webhook", { _ in .integrations(.addWebhook) },
            { _ in [("url", "https://hooks.example.com/new"), ("event_credits.low", "on")] }, admins(303)),
        get("webhook", { w in .integrations(.webhook(w.webhookId)) }, admins(200).merging([.anonymous: 303]) { $1 }),
        get("webhook secret", { w in .integrations(.webhookSecret(w.webhookId)) }, admins(200).merging([.anonymous: 303]) { $1 }),
        post(
            "switch webhook", { w in .integrations(.switchWebhook(w.webhookId)) }, { _ in [("version", "1"), ("enabled", "off")] },
            admins(303)),
        post("rotate webhook secret", { w in .integrations(.rotateWebhook(w.webhookId)) }, { _ in [("version", "1")] }, admins(303)),
        post("delete webhook", { w in .integrations(.deleteWebhook(w.webhookId)) }, { _ in [("version", "1")] }, admins(303)),
        post("test webhook", { w in .integrations(.testWebhook(w.webhookId)) }, { _ in [] }, admins(303)),
        post("redeliver", { w in .integrations(.redeliver(w.webhookId, w.deliveryId)) }, { _ in [] }, admins(303)),
        post("save slack", { _ in .integrations(.saveSlack) }, { _ in [("version", "1"), ("event_credits.low", "on")] }, admins(303)),
        post("test slack", { _ in .integrations(.testSlack) }, { _ in [] }, admins(303)),
        post("delete slack", { _ in .integrations(.deleteSlack) }, { _ in [("version", "1")] }, admins(303)),
        post(
            "add editor token", { _ in .integrations(.addEditorToken) }, { _ in [("name", "VS Code laptop")] },
            anyone.merging(orgPost) { $1 }),
        get(
            "editor token secret", { w in .integrations(.editorTokenSecret(w.ownerEditorTokenId)) },
            [.owner: 200, .admin: 200, .member: 404, .workspaceAdmin: 404, .outsider: 404, .anonymous: 303]),
        post(
            "revoke editor token", { w in .integrations(.revokeEditorToken(w.ownerEditorTokenId)) }, { _ in [("version", "1")] },
            [.owner: 303, .admin: 303, .member: 404, .workspaceAdmin: 404, .outsider: 404, .anonymous: 403]),
    ]
}

extension AuditTrailTests {
    static let integrationCases: [Case] = [
        post(
            "POST /orgs/{org}/settings/integrations/webhooks", .webhookCreate, { _ in org + "/integrations/webhooks" },
            { _ in [("url", "https://hooks.example.com/new"), ("event_member.joined", "on")] }),
        post(
            "POST /orgs/{org}/settings/integrations/webhooks/{id}/switch", .webhookUpdate,
            { w in org + "/integrations/webhooks/\(w.webhookId)/switch" }, { _ in [("version", "1"), ("enabled", "off")] }),
        post(
            "POST /orgs/{org}/settings/integrations/webhooks/{id}/rotate", .webhookRotateSecret,
            { w in org + "/integrations/webhooks/\(w.webhookId)/rotate" }, { _ in [("version", "1")] }),
        post(
            "POST /orgs/{org}/settings/integrations/webhooks/{id}/delete", .webhookDelete,
            { w in org + "/integrations/webhooks/\(w.webhookId)/delete" }, { _ in [("version", "1")] }),
        post(
            "POST /orgs/{org}/settings/integrations/webhooks/{id}/test", .webhookTest,
            { w in org + "/integrations/webhooks/\(w.webhookId)/test" }, { _ in [] }),
        post(
            "POST /orgs/{org}/settings/integrations/webhooks/{id}/deliveries/{id}/redeliver", .webhookRedeliver,
            { w in org + "/integrations/webhooks/\(w.webhookId)/deliveries/\(w.deliveryId)/redeliver" }, { _ in [] }),
        post(
            "POST /orgs/{org}/settings/integrations/slack", .slackSave, { _ in org + "/integrations/slack" },
            { _ in [("version", "1"), ("event_credits.low", "on")] }),
        post("POST /orgs/{org}/settings/integrations/slack/test", .slackTest, { _ in org + "/integrations/slack/test" }, { _ in [] }),
        post(
            "POST /orgs/{org}/settings/integrations/slack/delete", .slackDelete, { _ in org + "/integrations/slack/delete" },
            { _ in [("version", "1")] }),
        // Everyone's own editor tokens are audited like API keys: they read the organization.
        post(
            "POST /orgs/{org}/settings/integrations/editor-tokens", .editorTokenCreate, as: .member,
            { _ in org + "/integrations/editor-tokens" }, { _ in [("name", "VS Code")] }),
        post(
            "POST /orgs/{org}/settings/integrations/editor-tokens/{id}/revoke", .editorTokenRevoke, as: .admin,
            { w in org + "/integrations/editor-tokens/\(w.ownerEditorTokenId)/revoke" }, { _ in [("version", "1")] }),
    ]
}
