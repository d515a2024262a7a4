import WheelhouseCore

/// The test gateway's authentication page, standing in for the bank's 3-D Secure page.
///
/// - `GET /test-gateway/challenge/{id}` — signed in: the amount, Complete and Fail.
/// - `POST /test-gateway/challenge/{id}` — `action` = `complete` | `fail`; then back to the
///   console's payment page, which waits for the payment worker to record the outcome. Answered
///   once; an unknown id is a 404. It writes no audit entry itself: the worker records the
///   purchase or the decline.
struct TestGatewayController {
    let shell: Shell
    let gateway: TestModeGateway
    /// Wakes the payment worker, which asks the gateway how the challenge ended and records it.
    let billing: BillingSetup

    enum Field: String, CaseIterable { case csrf = "_csrf", action }

    func respond(_ step: Route.FormStep, id: String, _ visit: Visit) throws -> Response {
        guard visit.signedIn != nil else {
            if step == .submit { throw WebError.csrf }
            return .redirect(to: Route.login(.show).path(query: [("next", Route.testGatewayChallenge(id, .show).path)]))
        }
        guard let challenge = try gateway.challenge(id) else { throw DomainError.notFound }
        if step == .submit {
            var reader = FormReader<Field>(try visit.form())
            let action = reader.text(.action, label: "Action")
            guard reader.errors.isEmpty, ["complete", "fail"].contains(action) else {
                return page(visit, challenge, problem: "Choose Complete or Fail.", status: 422)
            }
            try gateway.answerChallenge(id, passed: action == "complete")
            billing.queued.wake()
            // Only a console path goes back; anything else would be an open redirect.
            return .redirect(to: challenge.returnPath.hasPrefix("/orgs/") ? challenge.returnPath : "/")
        }
        return page(visit, challenge, problem: nil, status: 200)
    }

    private func page(_ visit: Visit, _ challenge: TestChallenge, problem: String?, status: Int) -> Response {
        var context = (try? shell.layout(visit, title: "Confirm the payment · Test gateway")) ?? shell.bareLayout(title: "Test gateway")
        let currency = Currency.named(challenge.currency) ?? .eur
        context["challenge"] =
            [
                "amount": .text(currency.format(minor: challenge.amountMinor, withCode: true)), "open": .flag(challenge.isOpen),
                "action": .text(Route.testGatewayChallenge(challenge.id, .submit).path), "back": .text(challenge.returnPath),
            ] as TemplateObject
        if let problem { context["formErrors"] = ["messages": [problem].templateValue] as TemplateObject }
        return shell.page(.testGatewayChallenge, context, status: status)
    }
}
