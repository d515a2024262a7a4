import Foundation
import WheelhouseCore

/// The endpoint page and its buttons, and editor tokens. Switch, rotate and delete carry the
/// endpoint's version, so a form sent twice (or after someone else's change) does nothing the
/// second time (409); tests and redeliveries only queue work, so sending them twice sends twice.
extension IntegrationsController {
    func endpointAction(_ route: IntegrationsRoute, endpoint: IntegrationEndpoint, _ visit: Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<ActionField>(try visit.form())
        let needsVersion: Bool
        switch route {
        case .switchWebhook, .rotateWebhook, .deleteWebhook, .deleteSlack: needsVersion = true
        default: needsVersion = false
        }
        let version = needsVersion ? reader.version(.version) : 0
        let enabled = reader.text(.enabled, label: "Enabled")
        let key = access.org.key
        let back: Route = endpoint.kind == .slack ? .org(key, .integrations(.show)) : .org(key, .integrations(.webhook(endpoint.id)))
        return try shell.submit(
            visit,
            stale: "This endpoint changed after this page was opened (or the form was sent twice), so nothing was done. "
                + "Its state is shown below.",
            {
                try reader.errors.throwIfAny()
                switch route {
                case .switchWebhook:
                    guard ["on", "off"].contains(enabled) else {
                        var errors = FieldErrors()
                        errors.addForm("Choose on or off.")
                        throw DomainError.invalid(errors)
                    }
                    try database.setIntegrationEnabled(
                        orgKey: key, id: endpoint.id, enabled: enabled == "on", expectedVersion: version, by: visit.actor)
                    return FormSuccess(
                        back, flash: enabled == "on" ? "Endpoint switched on." : "Endpoint switched off: events wait until it is on.")
                case .rotateWebhook:
                    let issued = try database.rotateWebhookSecret(
                        orgKey: key, id: endpoint.id, expectedVersion: version, by: visit.actor, revealTo: visit.signedIn!.session)
                    return FormSuccess(
                        .org(key, .integrations(.webhookSecret(issued.endpoint.id))),
                        flash: "New signing secret made; the old one no longer signs. Copy it now: it is shown only once.")
                case .deleteWebhook, .deleteSlack:
                    try database.deleteIntegration(orgKey: key, id: endpoint.id, expectedVersion: version, by: visit.actor)
                    let what = endpoint.kind == .slack ? "Slack removed." : "Endpoint \(endpoint.url) deleted with its delivery log."
                    return FormSuccess(.org(key, .integrations(.show)), flash: what)
                case .redeliver(_, let delivery):
                    try database.redeliver(orgKey: key, endpointId: endpoint.id, deliveryId: delivery, by: visit.actor)
                    return FormSuccess(back, flash: "The event will be sent again in a moment, with the same event id.")
                default:
                    let eventId = try database.sendIntegrationTest(orgKey: key, id: endpoint.id, by: visit.actor)
                    let noun = endpoint.kind == .slack ? "Test message" : "Test event \(eventId)"
                    return FormSuccess(back, flash: "\(noun) queued: it is sent in a moment and shows in the delivery log.")
                }
            },
            refused: { refusal in
                guard endpoint.kind == .webhook else {
                    return try render(visit, access: access, page: { $0.slackErrors = refusal.errors }, status: refusal.status)
                }
                let current = try database.integrationEndpoint(id: endpoint.id, access)
                return try renderWebhook(visit, access: access, endpoint: current, errors: refusal.errors, status: refusal.status)
            })
    }

    func renderWebhook(_ visit: Visit, access: OrgAccess, endpoint: IntegrationEndpoint, errors: FieldErrors, status: Int) throws
        -> Response
    {
        let page = WebhookPage(
            orgKey: access.org.key, endpoint: endpoint, deliveries: try database.integrationDeliveries(endpointId: endpoint.id, access),
            errors: errors, now: database.now())
        let layout = try shell.layout(
            visit, title: "Webhook \(endpoint.url) · \(access.org.displayName)", access: access, tab: .integrations)
        return shell.render(.integrationsWebhook, page, layout: layout, status: status)
    }

    func showWebhookSecret(_ endpoint: IntegrationEndpoint, _ visit: Visit, access: OrgAccess) throws -> Response {
        let secret = try database.takeWebhookSecret(endpointId: endpoint.id, session: visit.signedIn!.session)
        let page = IntegrationSecretPage(
            title: "Signing secret of \(endpoint.url)", secret: secret, isWebhook: true,
            backPath: Route.org(access.org.key, .integrations(.webhook(endpoint.id))).path,
            retryPath: Route.org(access.org.key, .integrations(.webhook(endpoint.id))).path)
        let layout = try shell.layout(visit, title: "Signing secret · \(access.org.displayName)", access: access, tab: .integrations)
        return shell.render(.integrationsSecret, page, layout: layout)
    }

    func addEditorToken(_ visit: Visit, access: OrgAccess) throws -> Response {
        var reader = FormReader<TokenField>(try visit.form())
        let name = TextRules.trimmed(reader.text(.name, label: "Token name"))
        return try shell.submit(
            visit,
            {
                try reader.errors.throwIfAny()
                let issued = try database.createEditorToken(
                    orgKey: access.org.key, name: name, by: visit.actor, revealTo: visit.signedIn!.session)
                return FormSuccess(
                    .org(access.org.key, .integrations(.editorTokenSecret(issued.key.id))),
                    flash: "Editor token \(issued.key.name) created. Copy it now: it is shown only once.")
            },
            refused: { refusal in
                try render(
                    visit, access: access,
                    page: {
                        $0.tokenName = name; $0.tokenErrors = refusal.errors
                    }, status: refusal.status)
            })
    }

    func showEditorTokenSecret(_ id: Int64, _ visit: Visit, access: OrgAccess) throws -> Response {
        let token = try database.editorToken(id: id, access, userId: visit.actor.user.id!)
        // Only its maker's session holds the secret; anyone else sees "no longer shown".
        let secret = try database.takeAPIKeyReveal(keyId: id, session: visit.signedIn!.session)
        let page = IntegrationSecretPage(
            title: "Editor token \(token.name)", secret: secret, isWebhook: false,
            backPath: Route.org(access.org.key, .integrations(.show)).path, retryPath: nil)
        let layout = try shell.layout(visit, title: "Editor token · \(access.org.displayName)", access: access, tab: .integrations)
        return shell.render(.integrationsSecret, page, layout: layout)
    }

    func revokeEditorToken(_ id: Int64, _ visit: Visit, access: OrgAccess) throws -> Response {
        let token = try database.editorToken(id: id, access, userId: visit.actor.user.id!)
        var reader = FormReader<ActionField>(try visit.form())
        let version = reader.version(.version)
        return try shell.submit(
            visit,
            stale: "This token changed after this page was opened (or the form was sent twice), so nothing was done.",
            {
                try reader.errors.throwIfAny()
                try database.revokeEditorToken(orgKey: access.org.key, id: id, expectedVersion: version, by: visit.actor)
                return FormSuccess(.org(access.org.key, .integrations(.show)), flash: "Editor token \(token.name) revoked.")
            },
            refused: { refusal in try render(visit, access: access, page: { $0.tokenErrors = refusal.errors }, status: refusal.status) })
    }
}
