import Foundation
import WheelhouseCore

/// What the add-endpoint or the Slack form was filled with: empty on a first visit, the person's
/// values after a 422.
struct EndpointDraft {
    var url = ""
    var description = ""
    var events: Set<String> = []
}

/// The Integrations tab: for Owners and Admins the webhook endpoints with the add form, the Slack
/// channel and everyone's editor tokens; for everyone their own editor tokens.
struct IntegrationsPage: PageValues {
    let orgKey: String
    let isAdmin: Bool
    let webhooks: [IntegrationEndpoint]
    let slack: IntegrationEndpoint?
    let myTokens: [APIKeySummary]
    /// Everyone's tokens (Owners and Admins); empty otherwise.
    let allTokens: [APIKeySummary]
    var webhookDraft = EndpointDraft()
    var webhookErrors = FieldErrors()
    var slackDraft = EndpointDraft()
    var slackErrors = FieldErrors()
    var tokenName = ""
    var tokenErrors = FieldErrors()
    let now: Date

    func fill(_ context: inout TemplateObject) {
        context["isAdmin"] = isAdmin
        context["names"] = FieldNames.of(IntegrationsController.EndpointField.self)
        context["actionNames"] = FieldNames.of(IntegrationsController.ActionField.self)
        context["tokenNames"] = FieldNames.of(IntegrationsController.TokenField.self)
        context["maxEndpoints"] = IntegrationRules.maxEndpoints
        context["webhooks"] = TemplateValue.list(webhooks.map { Self.endpointRow($0, orgKey: orgKey) })
        context["hasWebhooks"] = !webhooks.isEmpty
        context["canAdd"] = webhooks.count < IntegrationRules.maxEndpoints
        context["addPath"] = Route.org(orgKey, .integrations(.addWebhook)).path
        context["webhookFormErrors"] = webhookErrors.formContext
        context["urlField"] =
            FieldView(
                name: "url", label: "Endpoint URL", value: webhookDraft.url, errors: webhookErrors,
                hint: "An https:// address that accepts POST requests with a JSON body.", autocomplete: "off", required: true,
                maxLength: IntegrationRules.maxURLLength, spellcheck: false
            ).context
        context["descriptionField"] =
            FieldView(
                name: "description", label: "Description (optional)", value: webhookDraft.description, errors: webhookErrors,
                hint: "What receives these events, e.g. “Ops alerts”.", maxLength: IntegrationRules.maxDescriptionLength
            ).context
        context["webhookEvents"] = Self.eventChoices(webhookDraft.events, prefix: "webhook")
        context["webhookEventsError"] = webhookErrors.fieldContext("events")
        fillSlack(&context)
        fillTokens(&context)
        let ids = ["events": "webhook-events"]
        if case .list(let a) = ErrorSummary.items(webhookErrors, ids: ids),
            case .list(let b) = ErrorSummary.items(slackErrors, ids: ["events": "slack-events", "url": "field-slack-url"]),
            case .list(let c) = ErrorSummary.items(tokenErrors, ids: ["name": "field-token-name"])
        {
            context["errorItems"] = TemplateValue.list(a + b + c)
        }
    }

    private func fillSlack(_ context: inout TemplateObject) {
        var slackContext: TemplateObject = [
            "version": .number(slack?.version ?? 0), "configured": .flag(slack != nil),
            "path": .text(Route.org(orgKey, .integrations(.saveSlack)).path),
            "testPath": .text(Route.org(orgKey, .integrations(.testSlack)).path),
            "deletePath": .text(Route.org(orgKey, .integrations(.deleteSlack)).path),
            "url": .text(TextRules.displayable(slackDraft.url, maxEcho: 2_000)),
            "events": Self.eventChoices(
                slackDraft.events.isEmpty ? Set(slack?.events.map(\.rawValue) ?? []) : slackDraft.events, prefix: "slack"),
        ]
        if let slack { slackContext["current"] = Self.endpointRow(slack, orgKey: orgKey) }
        slackContext["formErrors"] = slackErrors.formContext
        slackContext["urlError"] = slackErrors.fieldContext("url")
        slackContext["eventsError"] = slackErrors.fieldContext("events")
        context["slack"] = slackContext
    }

    private func fillTokens(_ context: inout TemplateObject) {
        context["myTokens"] = TemplateValue.list(myTokens.map { Self.tokenRow($0, orgKey: orgKey, now: now) })
        context["hasMyTokens"] = !myTokens.isEmpty
        context["allTokens"] = TemplateValue.list(allTokens.map { Self.tokenRow($0, orgKey: orgKey, now: now) })
        context["hasAllTokens"] = !allTokens.isEmpty
        context["tokenPath"] = Route.org(orgKey, .integrations(.addEditorToken)).path
        context["tokenScopes"] = TemplateValue.list(EditorTokenRules.scopes.sorted().map { .text($0.rawValue) })
        context["tokenDays"] = EditorTokenRules.lifetimeDays
        context["tokenFormErrors"] = tokenErrors.formContext
        var field =
            FieldView(
                name: "name", label: "Token name", value: tokenName, errors: tokenErrors,
                hint: "Where you use it, e.g. “VS Code on my laptop”.", autocomplete: "off", required: true,
                maxLength: EditorTokenRules.maxNameLength
            ).context
        field["id"] = "field-token-name"
        context["tokenField"] = field
    }

    /// The catalog's events as checkboxes, ticked as `chosen` says.
    static func eventChoices(_ chosen: Set<String>, prefix: String) -> TemplateValue {
        .list(
            IntegrationEvent.subscribable.map { event in
                .object([
                    "field": .text(IntegrationsController.EndpointField.event(event).rawValue), "value": .text(event.rawValue),
                    "title": .text(event.title), "id": .text("\(prefix)-event-\(event.rawValue)"),
                    "checked": .flag(chosen.contains(event.rawValue)),
                ])
            })
    }

    static func endpointRow(_ endpoint: IntegrationEndpoint, orgKey: String) -> TemplateValue {
        .object([
            "id": .number(Int(endpoint.id)), "url": .text(endpoint.url), "description": .text(endpoint.description),
            "events": .list(IntegrationEvent.subscribable.filter(endpoint.events.contains).map { .text($0.rawValue) }),
            "enabled": .flag(endpoint.enabled), "version": .number(endpoint.version),
            "created": .text(Dates.day(endpoint.createdAt)), "createdISO": .text(Dates.isoTime(endpoint.createdAt)),
            "createdBy": .text(endpoint.createdByName ?? "A former member"),
            "path": .text(Route.org(orgKey, .integrations(.webhook(endpoint.id))).path),
        ])
    }

    static func tokenRow(_ token: APIKeySummary, orgKey: String, now: Date) -> TemplateValue {
        var row = APIKeysPage.row(token, orgKey: orgKey, now: now)
        guard case .object(var item) = row else { return row }
        item["rotatePath"] = nil
        item["revokePath"] = nil
        item["version"] = TemplateValue.number(token.version)
        if token.status != .revoked && token.status != .expired {
            item["revokeTokenPath"] = TemplateValue.text(Route.org(orgKey, .integrations(.revokeEditorToken(token.id))).path)
        }
        row = .object(item)
        return row
    }
}
