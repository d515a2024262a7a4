import Foundation
import WheelhouseCore

/// What the create form was filled with: empty on a first visit, the person's values after a 422.
struct APIKeyDraft {
    var name = ""
    var scopes: Set<String> = []
    var expiry = "30"
    var expiryDate = ""
}

/// The API keys tab: every key of the organization (revoked and expired ones too), keys about to
/// expire called out at the top, the create form and the lifetime policy form.
struct APIKeysPage: PageValues {
    let orgKey: String
    let keys: [APIKeySummary]
    let policy: APIKeyPolicySetting
    /// The policy chosen in a refused policy form; nil shows the stored one.
    let policyChoice: String?
    let draft: APIKeyDraft
    let role: Role
    let createErrors: FieldErrors
    let policyErrors: FieldErrors
    let now: Date

    typealias Field = APIKeysController.CreateField

    func fill(_ context: inout TemplateObject) {
        context["keys"] = TemplateValue.list(keys.map { Self.row($0, orgKey: orgKey, now: now) })
        context["hasKeys"] = !keys.isEmpty
        let expiring = keys.filter { $0.status == .expiringSoon }
        context["hasExpiring"] = !expiring.isEmpty
        context["expiring"] = TemplateValue.list(
            expiring.map { key in
                .object(["name": .text(key.name), "left": .text(Self.left(key.expiresAt!, now: now))])
            })
        context["formErrors"] = createErrors.formContext
        context["names"] = FieldNames.of(Field.self)
        context["nameField"] =
            FieldView(
                name: Field.name.rawValue, label: "Name", value: draft.name, errors: createErrors,
                hint: "What uses the key, e.g. “CI” or “Billing export”. At most \(APIKeyRules.maxNameLength) characters.",
                autocomplete: "off", required: true, maxLength: APIKeyRules.maxNameLength
            ).context
        context["scopes"] = TemplateValue.list(scopeChoices())
        context["scopesError"] = createErrors.fieldContext("scopes")
        context["expiryChoices"] = TemplateValue.list(
            APIKeyExpiry.presets.map { preset in
                .object(["value": .text(preset.value), "title": .text(preset.title), "selected": .flag(preset.value == draft.expiry)])
            })
        context["expiryError"] = createErrors.fieldContext("expiry")
        context["expiryDate"] = TextRules.displayable(draft.expiryDate, maxEcho: 40)
        context["expiryDateError"] = createErrors.fieldContext("expiry_date")
        context["policyVersion"] = policy.version
        context["policyNames"] = FieldNames.of(APIKeysController.PolicyField.self)
        context["policyTitle"] = policy.policy.title
        let chosen = policyChoice ?? policy.policy.formValue
        context["policyChoices"] = TemplateValue.list(
            APIKeyLifetimePolicy.allCases.map { choice in
                .object(["value": .text(choice.formValue), "title": .text(choice.title), "selected": .flag(choice.formValue == chosen)])
            })
        context["policyError"] = policyErrors.fieldContext("policy")
        context["policyFormErrors"] = policyErrors.formContext
        context["policyPath"] = Route.org(orgKey, .apiKeys(.policy)).path
        // The summary links each problem to its control (the scopes and the policy are not `FieldView`s).
        let ids = ["scopes": "field-scopes", "policy": "field-policy"]
        if case .list(let create) = ErrorSummary.items(createErrors, ids: ids),
            case .list(let policy) = ErrorSummary.items(policyErrors, ids: ids)
        {
            context["errorItems"] = TemplateValue.list(create + policy)
        }
    }

    /// Coarse scopes first, then the granular ones, then the sensitive ones (marked, and ticked
    /// only when the person ticked them): only those the viewer's role may grant.
    private func scopeChoices() -> [TemplateValue] {
        let grantable = APIScope.grantable(by: role)
        let coarse: [APIScope] = [.orgRead, .orgWrite]
        let ordered =
            coarse + grantable.filter { !coarse.contains($0) && !$0.isSensitive } + grantable.filter(\.isSensitive)
        return ordered.filter(grantable.contains).map { scope in
            let implied = scope.implied.subtracting([scope]).sorted().map(\.rawValue)
            var item: TemplateObject = [
                "value": .text(scope.rawValue), "field": .text(Field.scope(scope).rawValue),
                "id": .text("scope-" + scope.rawValue.replacingOccurrences(of: ":", with: "-")), "title": .text(scope.title),
                "sensitive": .flag(scope.isSensitive), "checked": .flag(draft.scopes.contains(scope.rawValue)),
            ]
            if !implied.isEmpty { item["implies"] = implied.joined(separator: ", ") }
            return .object(item)
        }
    }

    /// One key as the list, the rotate and the confirmation pages show it.
    static func row(_ key: APIKeySummary, orgKey: String, now: Date) -> TemplateValue {
        let isActive = key.status != .revoked && key.status != .expired
        var item: TemplateObject = [
            "id": .number(Int(key.id)), "name": .text(key.name), "prefix": .text(key.displayPrefix),
            "scopes": .list(key.scopes.sorted().map { .text($0.rawValue) }),
            "createdBy": .text(key.createdByName ?? "A former member"),
            "created": .text(Dates.day(key.createdAt)), "createdISO": .text(Dates.isoTime(key.createdAt)),
            "status": .text(key.status.title), "statusClass": .text(key.status.rawValue),
            "active": .flag(isActive),
        ]
        if let expires = key.expiresAt {
            item["expires"] =
                [
                    "day": .text(Dates.day(expires)), "iso": .text(Dates.isoTime(expires)),
                    "left": .text(expires > now ? left(expires, now: now) : ""),
                ] as TemplateObject
        }
        if let used = key.lastUsedAt {
            item["lastUsed"] =
                [
                    "time": .text(Dates.dayTime(used)), "iso": .text(Dates.isoTime(used)),
                    "address": .text(key.lastUsedAddress ?? ""),
                ] as TemplateObject
        }
        if let until = key.previousUntil {
            item["previous"] =
                [
                    "until": .text(Dates.dayTime(until)), "iso": .text(Dates.isoTime(until)),
                    "revokePath": .text(Route.org(orgKey, .apiKeys(.revokePrevious(key.id, .show))).path),
                ] as TemplateObject
        }
        if isActive {
            item["rotatePath"] = Route.org(orgKey, .apiKeys(.rotate(key.id, .show))).path
        }
        if key.status != .revoked {
            item["revokePath"] = Route.org(orgKey, .apiKeys(.revoke(key.id, .show))).path
        }
        return .object(item)
    }

    /// "in 20 days", "in 5 hours".
    static func left(_ date: Date, now: Date) -> String {
        let seconds = Int(date.timeIntervalSince(now))
        if seconds >= 86_400 { return "in " + Plural.count(seconds / 86_400, "day") }
        if seconds >= 3_600 { return "in " + Plural.count(seconds / 3_600, "hour") }
        return "in " + Plural.count(max(1, seconds / 60), "minute")
    }
}
