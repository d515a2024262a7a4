import Foundation
import WheelhouseCore

extension Demo {
    /// The SSO tab of the demo organization: demo.test verified (its people's domain) and
    /// corp.demo.test pending, with the TXT record to publish shown. No OpenID Connect
    /// configuration: the form is empty until an operator points it at a provider.
    static func seedSSO(_ database: AppDatabase, orgKey: String) throws {
        try database.seedSSODomain(orgKey: orgKey, domain: "demo.test", verified: true)
        try database.seedSSODomain(orgKey: orgKey, domain: "corp.demo.test", verified: false)
    }
}
