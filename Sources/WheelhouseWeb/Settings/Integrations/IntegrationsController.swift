import Foundation
import WheelhouseCore

/// The Integrations tab. Every member opens it (their own editor tokens); webhooks, Slack and
/// everyone's tokens need `manageIntegrations` (Owner, Admin), checked per route before any form
/// is read. Nothing here calls out: test events and deliveries are queued for `WebhookWorker`.
///
/// - `GET  …/integrations` — the tab
/// - `POST …/integrations/webhooks` — add an endpoint (`url`, `description`, `event_<type>`)
/// - `GET  …/webhooks/{id}` — the endpoint and its delivery log; `…/secret` — a new secret, once
/// - `POST …/webhooks/{id}/switch|rotate|delete` (`version`; switch also `enabled`), `…/test`,
///   `…/deliveries/{d}/redeliver`
/// - `POST …/integrations/slack` (`version`, `url`, `event_<type>`), `slack/test`, `slack/delete`
/// - `POST …/integrations/editor-tokens` (`name`), `GET …/editor-tokens/{id}/secret`,
///   `POST …/editor-tokens/{id}/revoke` (`version`)
struct IntegrationsController {
    let shell: Shell
    let database: AppDatabase

    /// The add-endpoint and Slack forms: one checkbox per event of the catalog.
    struct EndpointField: RawRepresentable, CaseIterable, Hashable {
        let rawValue: String
        init(rawValue: String) { self.rawValue = rawValue }

        static let csrf = Self(rawValue: "_csrf")
        static let version = Self(rawValue: "version")
        static let url = Self(rawValue: "url")
        static let description = Self(rawValue: "description")
        static func event(_ event: IntegrationEvent) -> Self { Self(rawValue: "event_" + event.rawValue) }
        static let allCases: [Self] = [csrf, version, url, description] + IntegrationEvent.subscribable.map(event)
    }

    enum ActionField: String, CaseIterable { case csrf = "_csrf", version, enabled }
    enum TokenField: String, CaseIterable { case csrf = "_csrf", name }

    func respond(_ route: IntegrationsRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        try access.require(route.action)
        switch route {
        case .show: return try render(visit, access: access)
        case .addWebhook: return try addWebhook(visit, access: access)
        case .saveSlack: return try saveSlack(visit, access: access)
        case .testSlack, .deleteSlack:
            guard let slack = try database.slackIntegration(access) else { throw DomainError.notFound }
            return try endpointAction(route, endpoint: slack, visit, access: access)
        case .webhook(let id), .webhookSecret(let id), .switchWebhook(let id), .rotateWebhook(let id), .deleteWebhook(let id),
            .testWebhook(let id), .redeliver(let id, _):
            // Another organization's endpoint (or the Slack channel's id) is a 404 before any form is read.
            let endpoint = try database.integrationEndpoint(id: id, access)
            guard endpoint.kind == .webhook else { throw DomainError.notFound }
            switch route {
            case .webhook: return try renderWebhook(visit, access: access, endpoint: endpoint, errors: FieldErrors(), status: 200)
            case .webhookSecret: return try showWebhookSecret(endpoint, visit, access: access)
            default: return try endpointAction(route, endpoint: endpoint, visit, access: access)
            }
        case .addEditorToken: return try addEditorToken(visit, access: access)
        case .editorTokenSecret(let id): return try showEditorTokenSecret(id, visit, access: access)
        case .revokeEditorToken(let id): return try revokeEditorToken(id, visit, access: access)
        }
    }

    /// The events ticked in an endpoint form.
    static func events(_ reader: FormReader<EndpointField>) -> Set<String> {
        Set(IntegrationEvent.subscribable.filter { reader.isOn(.event($0)) }.map(\.rawValue))
    }

    private func addWebhook(_ visit: Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<EndpointField>(try visit.form())
        var draft = EndpointDraft()
        draft.url = TextRules.trimmed(reader.text(.url, label: "Endpoint URL"))
        draft.description = TextRules.trimmed(reader.text(.description, label: "Description"))
        draft.events = Self.events(reader)
        return try shell.submit(
            visit,
            {
                try reader.errors.throwIfAny()
                let issued = try database.createWebhookEndpoint(
                    orgKey: access.org.key, EndpointForm(url: draft.url, description: draft.description, events: draft.events.sorted()),
                    by: visit.actor, revealTo: visit.signedIn!.session)
                return FormSuccess(
                    .org(access.org.key, .integrations(.webhookSecret(issued.endpoint.id))),
                    flash: "Endpoint added. Copy its signing secret now: it is shown only once.")
            },
            refused: { refusal in
                try render(
                    visit, access: access,
                    page: {
                        $0.webhookDraft = draft; $0.webhookErrors = refusal.errors
                    }, status: refusal.status)
            })
    }

    private func saveSlack(_ visit: Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<EndpointField>(try visit.form())
        let version = reader.version(.version)
        var draft = EndpointDraft()
        draft.url = TextRules.trimmed(reader.text(.url, label: "Slack webhook URL"))
        draft.events = Self.events(reader)
        return try shell.submit(
            visit,
            stale: "The Slack settings were changed by someone else after you opened this page, so yours were not saved. "
                + "They now read as below.",
            {
                try reader.errors.throwIfAny()
                let slack = try database.saveSlack(
                    orgKey: access.org.key, EndpointForm(url: draft.url, events: draft.events.sorted()), expectedVersion: version,
                    by: visit.actor)
                return FormSuccess(.org(access.org.key, .integrations(.show)), flash: "Slack saved: posting to \(slack.url).")
            },
            refused: { refusal in
                // Never echo a Slack URL back into the page after a stale edit: it is a credential.
                if case .stale = refusal { draft = EndpointDraft() }
                return try render(
                    visit, access: access,
                    page: {
                        $0.slackDraft = draft; $0.slackErrors = refusal.errors
                    }, status: refusal.status)
            })
    }

    func render(
        _ visit: Visit, access: OrgAccess, page adjust: (inout IntegrationsPage) -> Void = { _ in }, status: Int = 200
    ) throws -> Response {
        let org = access.org, userId = visit.actor.user.id!
        let isAdmin = access.allows(.manageIntegrations)
        var page = IntegrationsPage(
            orgKey: org.key, isAdmin: isAdmin,
            webhooks: isAdmin ? try database.integrationEndpoints(access, kind: .webhook) : [],
            slack: isAdmin ? try database.slackIntegration(access) : nil,
            myTokens: try database.editorTokens(access, userId: userId),
            allTokens: isAdmin ? try database.editorTokens(access, userId: userId, everyone: true) : [], now: database.now())
        adjust(&page)
        let layout = try shell.layout(visit, title: "Integrations · \(org.displayName)", access: access, tab: .integrations)
        return shell.render(.integrations, page, layout: layout, status: status)
    }
}
