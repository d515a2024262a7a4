import WheelhouseCore

/// Posts of the organization overview (`/orgs/{org}` is the page itself, `OrgRoute.root`), under
/// `/orgs/{org}/overview/`. Each is the viewer's own change (their layout, their reviews, their
/// tutorial), so none writes an audit entry (`AuditTrailTests.personalNotAudited`).
public enum OverviewRoute: RouteLeaves {
    /// `POST widgets/{key}/up|down|hide|show` — moves, hides or shows one of the viewer's widgets.
    case widget(String, WidgetMove)
    /// `POST checklist/{key}/review` — marks a readiness item reviewed (for 90 days).
    case review(String)
    /// `POST tutorial/dismiss` — puts the tutorial away in this organization.
    case dismissTutorial

    public static let patterns: [RoutePattern<Self>] = [
        .post("widgets/{key}/up") { .widget($0.key(0), .up) },
        .post("widgets/{key}/down") { .widget($0.key(0), .down) },
        .post("widgets/{key}/hide") { .widget($0.key(0), .hide) },
        .post("widgets/{key}/show") { .widget($0.key(0), .show) },
        .post("checklist/{key}/review") { .review($0.key(0)) },
        .post("tutorial/dismiss") { _ in .dismissTutorial },
    ]

    public var method: HTTPMethod { .post }

    public var segments: [String] {
        switch self {
        case .widget(let key, let move): ["widgets", key, move.rawValue]
        case .review(let key): ["checklist", key, "review"]
        case .dismissTutorial: ["tutorial", "dismiss"]
        }
    }
}
