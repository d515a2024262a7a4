import Foundation
import WheelhouseCore

extension Demo {
    /// Two platform API keys for the demo organization: "CI" (`usage:write`, expiring in 20 days,
    /// so the tab calls it out, used once from a documentation address) and "Dashboards"
    /// (`org:read`, never used). Returns the CI key's secret, which `demo` prints once so the
    /// API can be tried with curl; it is stored nowhere but as a hash.
    static func seedAPIKeys(_ database: AppDatabase, owner: User, admin: User, orgKey: String) throws -> String {
        // 00:00 UTC 21 days from now: between 20 and 21 days away, "in 20 days" on the tab.
        let day = CivilDate(dayNumber: Int(Date().timeIntervalSince1970 / 86_400) + 21).description
        let ci = try database.createAPIKey(
            orgKey: orgKey, NewAPIKey(name: "CI", scopes: ["usage:write"], expiry: "date", expiryDate: day),
            by: Actor(user: owner, address: "demo"))
        _ = try database.createAPIKey(
            orgKey: orgKey, NewAPIKey(name: "Dashboards", scopes: ["org:read"], expiry: "90"), by: Actor(user: admin, address: "demo"))
        _ = try database.authenticateAPIKey(ci.secret, address: "192.0.2.10")
        try database.flushAPIKeyUsage()
        return ci.secret
    }
}
