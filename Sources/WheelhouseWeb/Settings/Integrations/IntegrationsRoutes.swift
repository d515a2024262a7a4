import WheelhouseCore

/// `/orgs/{org}/settings/integrations…`: Owners and Admins (`manageIntegrations`, PRODUCT.md's
/// permission table; a Member gets 403): webhooks, Slack, and each one's own editor tokens, with
/// everyone's listed for them. Each route also names the action it needs (`action`).
/// Another organization's endpoint, delivery or token id is a 404.
public enum IntegrationsRoute: TabRoutes {
    /// `GET` — the tab: webhook endpoints and the add form, Slack, editor tokens.
    case show
    /// `POST webhooks` — add an endpoint; then its secret, once.
    case addWebhook
    /// `GET webhooks/{id}` — the endpoint, its actions and its delivery log.
    case webhook(Int64)
    /// `GET webhooks/{id}/secret` — a new signing secret, shown once to the session that made it.
    case webhookSecret(Int64)
    /// `POST webhooks/{id}/switch` — on or off (`enabled`, `version`).
    case switchWebhook(Int64)
    /// `POST webhooks/{id}/rotate` — a new signing secret (`version`).
    case rotateWebhook(Int64)
    /// `POST webhooks/{id}/delete` — the endpoint and its log (`version`).
    case deleteWebhook(Int64)
    /// `POST webhooks/{id}/test` — queue a test event.
    case testWebhook(Int64)
    /// `POST webhooks/{id}/deliveries/{id}/redeliver` — send the same event again.
    case redeliver(Int64, Int64)
    /// `POST slack` — set up or change the Slack channel (`url`, events, `version`).
    case saveSlack
    /// `POST slack/test` — queue a test message.
    case testSlack
    /// `POST slack/delete` — remove the channel (`version`).
    case deleteSlack
    /// `POST editor-tokens` — make a token for the signed-in person (`name`).
    case addEditorToken
    /// `GET editor-tokens/{id}/secret` — the new token, once.
    case editorTokenSecret(Int64)
    /// `POST editor-tokens/{id}/revoke` — one's own, or anyone's for Owners and Admins (`version`).
    case revokeEditorToken(Int64)

    public static let requiredAction = Action.manageIntegrations
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .show }, .post("webhooks") { _ in .addWebhook }, .get("webhooks/{id}") { .webhook($0.id(0)) },
        .get("webhooks/{id}/secret") { .webhookSecret($0.id(0)) }, .post("webhooks/{id}/switch") { .switchWebhook($0.id(0)) },
        .post("webhooks/{id}/rotate") { .rotateWebhook($0.id(0)) }, .post("webhooks/{id}/delete") { .deleteWebhook($0.id(0)) },
        .post("webhooks/{id}/test") { .testWebhook($0.id(0)) },
        .post("webhooks/{id}/deliveries/{id}/redeliver") { .redeliver($0.id(0), $0.id(1)) },
        .post("slack") { _ in .saveSlack }, .post("slack/test") { _ in .testSlack }, .post("slack/delete") { _ in .deleteSlack },
        .post("editor-tokens") { _ in .addEditorToken }, .get("editor-tokens/{id}/secret") { .editorTokenSecret($0.id(0)) },
        .post("editor-tokens/{id}/revoke") { .revokeEditorToken($0.id(0)) },
    ]

    /// What the route needs beyond the tab: editor tokens are everyone's own, the rest is admin.
    public var action: Action {
        switch self {
        case .show, .addEditorToken, .editorTokenSecret, .revokeEditorToken: .viewOrganization
        default: .manageIntegrations
        }
    }

    public var method: HTTPMethod {
        switch self {
        case .show, .webhook, .webhookSecret, .editorTokenSecret: .get
        default: .post
        }
    }

    public var segments: [String] {
        switch self {
        case .show: []
        case .addWebhook: ["webhooks"]
        case .webhook(let id): ["webhooks", "\(id)"]
        case .webhookSecret(let id): ["webhooks", "\(id)", "secret"]
        case .switchWebhook(let id): ["webhooks", "\(id)", "switch"]
        case .rotateWebhook(let id): ["webhooks", "\(id)", "rotate"]
        case .deleteWebhook(let id): ["webhooks", "\(id)", "delete"]
        case .testWebhook(let id): ["webhooks", "\(id)", "test"]
        case .redeliver(let id, let delivery): ["webhooks", "\(id)", "deliveries", "\(delivery)", "redeliver"]
        case .saveSlack: ["slack"]
        case .testSlack: ["slack", "test"]
        case .deleteSlack: ["slack", "delete"]
        case .addEditorToken: ["editor-tokens"]
        case .editorTokenSecret(let id): ["editor-tokens", "\(id)", "secret"]
        case .revokeEditorToken(let id): ["editor-tokens", "\(id)", "revoke"]
        }
    }
}
