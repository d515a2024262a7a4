import Foundation
import WheelhouseCore

/// The SSO page's values: the configuration form (with the discovery result), the domains with
/// their TXT records, the test sign-in and the enforcement form. A refused form comes back with
/// what was typed (never the secret).
struct SSOPage: PageValues {
    let orgKey: String
    let configuration: SSOConfiguration?
    let domains: [SSODomain]
    let owners: [SSOOwner]
    let redirectURI: String
    let now: Date
    let refused: Refused?

    enum Form { case config, domain, test, enforcement }

    struct Refused {
        var form: Form
        var typed: [String: String]
        var refusal: FormRefusal
    }

    private func errors(_ form: Form) -> FieldErrors { refused.flatMap { $0.form == form ? $0.refusal.errors : nil } ?? FieldErrors() }
    private func typed(_ form: Form, _ name: String, _ current: String) -> String {
        refused.flatMap { $0.form == form ? $0.typed[name] : nil } ?? current
    }

    private var configFields: TemplateObject {
        let e = errors(.config), c = configuration
        func text(_ name: String, _ label: String, _ current: String, hint: String? = nil, type: String = "text") -> TemplateValue {
            .object(
                FieldView(
                    name: name, label: label, value: typed(.config, name, current), type: type, errors: e, hint: hint, autocomplete: "off",
                    maxLength: 500, spellcheck: false
                ).context)
        }
        return [
            "issuer": text(
                "issuer", "Issuer URL", c?.issuer ?? "",
                hint:
                    "The provider's issuer, e.g. https://login.example.com; its discovery document is read from /.well-known/openid-configuration.",
                type: "url"),
            "clientId": text("client_id", "Client ID", c?.clientId ?? ""),
            "clientSecret": .object(
                FieldView(
                    name: "client_secret", label: c?.secretHint == nil ? "Client secret" : "Replace client secret", value: "",
                    type: "password",
                    errors: e,
                    hint: c?.secretHint.map { "A secret is stored (\($0)); it is never shown again. Leave empty to keep it." }
                        ?? "Stored encrypted; never shown again.", autocomplete: "new-password", maxLength: 500, spellcheck: false
                ).context),
            "scopes": text(
                "scopes", "Scopes", c?.scopes ?? SSORules.defaultScopes, hint: "Space-separated; “openid” and “email” are needed."),
            "jit": .object(
                SelectField(
                    name: "jit", label: "Just-in-time joining",
                    hint: "On: a person of a verified domain who is not a member joins at first sign-in.",
                    options: [("off", "Off"), ("on", "On")], chosen: typed(.config, "jit", c?.jit == true ? "on" : "off"), errors: e
                ).context),
            "defaultRole": .object(
                SelectField(
                    name: "default_role", label: "Role of people who join", hint: "Owners are never made this way.",
                    options: [("member", "Member"), ("admin", "Admin")],
                    chosen: typed(.config, "default_role", c?.defaultRole.rawValue ?? "member"),
                    errors: e
                ).context),
        ]
    }

    private var discovery: TemplateObject? {
        guard let d = configuration?.discovery else { return nil }
        var object: TemplateObject = ["pending": .flag(d.pending)]
        if d.ok == true {
            object["ok"] =
                ["authorization": .text(d.authorizationEndpoint ?? ""), "token": .text(d.tokenEndpoint ?? ""), "keys": .text(d.keys ?? "")]
                as TemplateObject
        }
        if d.ok == false { object["error"] = TemplateValue.text(d.error ?? "The discovery failed.") }
        if let at = d.at { object["at"] = TemplateValue.text(Dates.dayTime(at)) }
        return object
    }

    private var domainRows: TemplateValue {
        .list(
            domains.map { d in
                var row: TemplateObject = [
                    "domain": .text(d.domain), "record": .text(d.record), "state": .text(d.state.rawValue),
                    "pending": .flag(d.checkPending),
                    "verifyAction": .text(Route.org(orgKey, .sso(.verifyDomain(d.id))).path),
                    "removeAction": .text(Route.org(orgKey, .sso(.removeDomain(d.id))).path),
                ]
                if let answer = d.lastAnswer { row["answer"] = TemplateValue.text(answer) }
                if let at = d.lastCheckedAt { row["checkedAt"] = TemplateValue.text(Dates.dayTime(at)) }
                return .object(row)
            })
    }

    private var enforcementValues: TemplateObject {
        let e = errors(.enforcement)
        let chosen = owners.filter(\.isBreakGlass).map { String($0.id) }
        let options =
            [("", "Nobody")] + owners.map { (String($0.id), "\($0.name) (\($0.email))\($0.hasTwoFactor ? "" : " — no two-factor")") }
        func pick(_ index: Int) -> TemplateValue {
            let name = "break_glass_\(index + 1)"
            return .object(
                SelectField(
                    name: name, label: "Break-glass Owner \(index + 1)",
                    hint: "Keeps password and two-factor sign-in; each use is audited and emailed to every Owner.",
                    options: options, chosen: typed(.enforcement, name, index < chosen.count ? chosen[index] : ""), errors: e
                ).context)
        }
        let enforced = configuration?.enforced == true
        return [
            "enforced": .flag(enforced), "fresh": .flag(configuration?.testIsFresh(now: now) == true),
            "enforce": .object(
                SelectField(
                    name: "enforce", label: "Enforce SSO",
                    hint: "On: password sign-in, sign-in codes and password reset are refused for addresses in verified domains.",
                    options: [("off", "Off"), ("on", "On")], chosen: typed(.enforcement, "enforce", enforced ? "on" : "off"), errors: e
                ).context),
            "breakGlass1": pick(0), "breakGlass2": pick(1), "action": .text(Route.org(orgKey, .sso(.enforcement)).path),
        ]
    }

    func fill(_ context: inout TemplateObject) {
        var sso: TemplateObject = [
            "version": .number(configuration?.version ?? 0), "configured": .flag(configuration != nil), "fields": .object(configFields),
            "redirectURI": .text(redirectURI), "configAction": .text(Route.org(orgKey, .sso(.configure)).path),
            "domains": domainRows, "hasDomains": .flag(!domains.isEmpty), "domainAction": .text(Route.org(orgKey, .sso(.addDomain)).path),
            "domainField": .object(
                FieldView(
                    name: "domain", label: "Domain", value: typed(.domain, "domain", ""), errors: errors(.domain),
                    hint: "At most \(SSODomainRules.maxPerOrg). International names in their xn-- form.", autocomplete: "off",
                    maxLength: 253,
                    spellcheck: false
                ).context),
            "usable": .flag(configuration?.isUsable == true), "testAction": .text(Route.org(orgKey, .sso(.test)).path),
            "enforcement": .object(enforcementValues),
        ]
        if let discovery { sso["discovery"] = TemplateValue.object(discovery) }
        if let c = configuration, let at = c.testedAt {
            sso["tested"] = ["at": .text(Dates.dayTime(at)), "email": .text(c.testedEmail ?? "")] as TemplateObject
        }
        context["sso"] = TemplateValue.object(sso)
        if let refused, !refused.refusal.errors.form.isEmpty { context["errorItems"] = ErrorSummary.items(refused.refusal.errors) }
    }
}
