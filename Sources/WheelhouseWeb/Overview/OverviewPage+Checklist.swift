import Foundation
import WheelhouseCore

/// The readiness checklist and the tutorial: each item or step links to the page that fixes it.
extension OverviewPage {
    func fixLink(_ item: ReadinessItem) -> String {
        switch item {
        case .profile: Route.account(.twoFactor(.show)).path
        case .sessions: Route.account(.sessions).path
        case .credits: Route.org(access.org.key, .billing(.show)).path
        case .defaults: Route.org(access.org.key, .chatModels(.show)).path
        case .tokens: Route.org(access.org.key, .apiKeys(.list)).path
        }
    }

    func fixLink(_ step: TutorialStep) -> String {
        let key = access.org.key
        return switch step {
        case .nameOrganization: Route.org(key, .general(.show)).path
        case .inviteTeam: Route.org(key, .members(.list)).path
        case .addProviderKey: Route.org(key, .providers(.list)).path
        case .chooseChatModels: Route.org(key, .chatModels(.show)).path
        case .reviewBilling: Route.org(key, .billing(.show)).path
        }
    }

    func fillReadiness(_ context: inout TemplateObject) {
        let ready = readiness.filter { $0.status.counts }.count
        context["readiness"] =
            [
                "progress": .text("\(ready) of \(readiness.count)"), "value": .text(String(ready)), "max": .text(String(readiness.count)),
                "items": .list(
                    readiness.map { check in
                        var object: TemplateObject = [
                            "key": .text(check.item.rawValue), "title": .text(check.item.title), "detail": .text(check.detail),
                            "href": .text(fixLink(check.item)), "status": .text(Self.statusLabel(check)),
                            "statusClass": .text(check.status.counts ? "status-connected" : "status-failed"),
                        ]
                        if check.status != .done {
                            object["reviewAction"] = TemplateValue.text(
                                Route.org(access.org.key, .overview(.review(check.item.rawValue))).path)
                            object["reviewLabel"] = TemplateValue.text(check.status == .reviewed ? "Review again" : "Mark reviewed")
                        }
                        return .object(object)
                    }),
            ] as TemplateObject
    }

    static func statusLabel(_ check: ReadinessCheck) -> String {
        switch check.status {
        case .done: "Done"
        case .reviewed: "Reviewed \(Dates.day(check.reviewedAt!))"
        case .stale: "Review is over 90 days old"
        case .open: "Needs a look"
        }
    }

    func fillTutorial(_ context: inout TemplateObject) {
        guard let tutorial, tutorial.isShown else { return }
        context["tutorial"] =
            [
                "done": .text("\(tutorial.steps.filter(\.done).count) of \(tutorial.steps.count) done"),
                "dismissAction": .text(Route.org(access.org.key, .overview(.dismissTutorial)).path),
                "steps": .list(
                    tutorial.steps.map { step in
                        .object(["title": .text(step.step.title), "href": .text(fixLink(step.step)), "done": .flag(step.done)])
                    }),
            ] as TemplateObject
    }
}
