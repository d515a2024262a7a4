import Logging
import WheelhouseCore

/// What every page of the console shares, given to the controllers instead of the whole app:
/// the layout (who is signed in, the org switcher, the navigation, banners, the flash), rendering
/// a page, the POST-redirect-GET with a flash, and the error page.
struct Shell: Sendable {
    let config: WebConfig
    let database: AppDatabase
    let templates: Templates
    let logger: Logger

    /// A route as a full address, for links that leave the console (emails, copied links).
    func absoluteURL(_ route: Route) -> String { config.baseURL + route.path }
}
