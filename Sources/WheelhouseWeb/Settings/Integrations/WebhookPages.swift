import Foundation
import WheelhouseCore

/// `webhooks/{id}`: the endpoint, its switch, secret rotation, test event, deletion, the
/// delivery log with Redeliver, and how to verify the signature.
struct WebhookPage: PageValues {
    let orgKey: String
    let endpoint: IntegrationEndpoint
    let deliveries: [WebhookDelivery]
    let errors: FieldErrors
    let now: Date

    func fill(_ context: inout TemplateObject) {
        context["endpoint"] = IntegrationsPage.endpointRow(endpoint, orgKey: orgKey)
        context["actionNames"] = FieldNames.of(IntegrationsController.ActionField.self)
        context["formErrors"] = errors.formContext
        context["errorItems"] = ErrorSummary.items(errors)
        context["switchPath"] = Route.org(orgKey, .integrations(.switchWebhook(endpoint.id))).path
        context["rotatePath"] = Route.org(orgKey, .integrations(.rotateWebhook(endpoint.id))).path
        context["deletePath"] = Route.org(orgKey, .integrations(.deleteWebhook(endpoint.id))).path
        context["testPath"] = Route.org(orgKey, .integrations(.testWebhook(endpoint.id))).path
        context["backPath"] = Route.org(orgKey, .integrations(.show)).path
        context["rotated"] = endpoint.secretRotatedAt.map { Dates.dayTime($0) }
        context["hasDeliveries"] = !deliveries.isEmpty
        context["deliveries"] = TemplateValue.list(deliveries.map(row))
    }

    private func row(_ delivery: WebhookDelivery) -> TemplateValue {
        var item: TemplateObject = [
            "eventId": .text(delivery.eventId), "type": .text(delivery.eventType),
            "status": .text(Self.statusTitle(delivery.status)), "statusClass": .text(delivery.status.rawValue),
            "attempts": .number(delivery.attempts), "created": .text(Dates.dayTime(delivery.createdAt)),
            "createdISO": .text(Dates.isoTime(delivery.createdAt)), "excerpt": .text(delivery.responseExcerpt),
            "redeliverPath": .text(Route.org(orgKey, .integrations(.redeliver(endpoint.id, delivery.id))).path),
        ]
        if let code = delivery.responseCode { item["code"] = TemplateValue.number(code) }
        if let error = delivery.lastError { item["error"] = TemplateValue.text(error) }
        if let last = delivery.lastAttemptAt {
            item["lastAttempt"] = TemplateValue.text(Dates.dayTime(last))
            item["lastAttemptISO"] = TemplateValue.text(Dates.isoTime(last))
        }
        if delivery.status == .pending, let next = delivery.nextAttemptAt {
            item["next"] = TemplateValue.text(Dates.dayTime(next))
            item["nextISO"] = TemplateValue.text(Dates.isoTime(next))
        }
        item["canRedeliver"] = TemplateValue.flag(delivery.status != .delivering)
        return .object(item)
    }

    static func statusTitle(_ status: WebhookDelivery.Status) -> String {
        switch status {
        case .pending: "Pending"
        case .delivering: "Sending"
        case .delivered: "Delivered"
        case .failed: "Failed"
        }
    }
}

/// A new secret, shown once: a webhook's signing secret or an editor token.
struct IntegrationSecretPage: PageValues {
    let title: String
    /// nil: already shown, or never held for this session.
    let secret: String?
    let isWebhook: Bool
    let backPath: String
    let retryPath: String?

    func fill(_ context: inout TemplateObject) {
        context["title"] = title
        context["secret"] = secret
        context["isWebhook"] = isWebhook
        context["backPath"] = backPath
        context["retryPath"] = retryPath
        context["tolerance"] = Int(IntegrationRules.signatureTolerance / 60)
    }
}
