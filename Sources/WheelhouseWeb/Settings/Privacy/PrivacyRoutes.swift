import WheelhouseCore

/// `/orgs/{org}/settings/privacy…`: Owner and Admin read (`viewPrivacy`); only an Owner's posts
/// change anything (`managePrivacy`), an Admin's are refused with 403.
public enum PrivacyRoute: TabRoutes {
    /// `GET` — the windows, the switches and the job's last run.
    case show
    /// `POST retention` — the four retention windows, in one form.
    case retention
    /// `POST masking` — PII masking for Admins, `on` or `off`.
    case masking
    /// `POST training` — the model-training opt-out, `on` or `off`.
    case training

    public static let requiredAction = Action.viewPrivacy
    public static let patterns: [RoutePattern<Self>] = [
        .get("") { _ in .show }, .post("retention") { _ in .retention }, .post("masking") { _ in .masking },
        .post("training") { _ in .training },
    ]

    public var method: HTTPMethod { self == .show ? .get : .post }
    public var segments: [String] {
        switch self {
        case .show: []
        case .retention: ["retention"]
        case .masking: ["masking"]
        case .training: ["training"]
        }
    }
}
