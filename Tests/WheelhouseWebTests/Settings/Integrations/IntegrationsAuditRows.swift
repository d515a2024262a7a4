import Foundation
import WheelhouseCore
@testable import WheelhouseWeb

/// The Integrations tab's rows of the audit trail (its route × actor rows are at the end of
/// `RouteMatrixTests.cases`).
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
        // An Owner or Admin makes their own editor token, audited like an API key.
        post(
            "POST /orgs/{org}/settings/integrations/editor-tokens", .editorTokenCreate, as: .admin,
            { _ in org + "/integrations/editor-tokens" }, { _ in [("name", "VS Code")] }),
        post(
            "POST /orgs/{org}/settings/integrations/editor-tokens/{id}/revoke", .editorTokenRevoke, as: .admin,
            { w in org + "/integrations/editor-tokens/\(w.ownerEditorTokenId)/revoke" }, { _ in [("version", "1")] }),
    ]
}
