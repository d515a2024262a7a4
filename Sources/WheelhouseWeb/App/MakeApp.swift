import Foundation
import Logging
import WheelhouseCore

/// Everything `makeApp` needs, already resolved: `serve` fills it from flags and `WHEELHOUSE_*`
/// variables, tests write it out.
public struct AppConfig: Sendable {
    /// Where the application's data lives.
    public enum Storage: Sendable {
        /// A deployment's data directory (`serve`): the database is opened there with one reader
        /// per worker thread, created and migrated if needed, and must be writable; logos are
        /// kept in it.
        case directory(DataDirectory, readers: Int)
        /// A database the caller opened (tests: in memory) and the folder for logos.
        case given(AppDatabase, logos: URL)
    }

    /// The background work `serve` runs beside the requests (tests run it by hand instead).
    public struct Workers: Sendable {
        /// The mail command that is given each message on stdin.
        public var sendmail: String
        /// Which addresses Test connection may reach.
        public var outbound: OutboundPolicy
        /// Where SSO's domain checks look up TXT records (`WHEELHOUSE_DNS_RESOLVER`); nil: the system's resolver.
        public var dnsResolver: DNSResolverAddress?

        public init(sendmail: String, outbound: OutboundPolicy, dnsResolver: DNSResolverAddress? = nil) {
            self.sendmail = sendmail
            self.outbound = outbound
            self.dnsResolver = dnsResolver
        }
    }

    public var web: WebConfig
    public var storage: Storage
    public var templatesDirectory: String
    /// nil: no background worker is made.
    public var workers: Workers?
    public var logger: Logger
    /// Data export archives and their link key; nil: the data directory's (`exports/`,
    /// `export-links.key`), or a temporary folder for a given database.
    public var exports: DataExportStore?
    /// Tests set this: every render is also done directly by swift-mustache and compared.
    var verifiesEveryRender = false
    /// Requests each API key may make per `apiRateWindow` seconds (1…`APIRateLimiter.maximumLimit`).
    public var apiRateLimit: Int
    public var apiRateWindow: Int

    public init(
        web: WebConfig, storage: Storage, templatesDirectory: String, workers: Workers? = nil,
        logger: Logger = Logger(label: "wheelhouse.http"), apiRateLimit: Int = APIRateLimiter.defaultLimit,
        apiRateWindow: Int = APIRateLimiter.defaultWindow
    ) {
        self.web = web
        self.storage = storage
        self.templatesDirectory = templatesDirectory
        self.workers = workers
        self.logger = logger
        self.apiRateLimit = apiRateLimit
        self.apiRateWindow = apiRateWindow
    }
}

/// Why the application could not be built; each case carries the underlying error, so `serve`
/// can say it in its own words and exit with its own status.
public enum StartFailure: Error {
    /// The database or one of its key files could not be opened.
    case opening(any Error)
    /// The database opened but this process cannot write it.
    case unwritable(any Error)
    /// A template is missing or broken.
    case templates(Templates.LoadError)
    /// The OpenAPI document (`api/openapi.json` beside `Templates/`) is missing or not JSON.
    case apiDocument(String)
    /// `Resources/common-passwords.txt` beside `Templates/` is missing or empty.
    case passwordList(String)
}

/// The whole application: the web app that answers requests, and the workers `serve` starts
/// once its signal mask is in place (threads inherit it).
public struct Application: Sendable {
    public let web: WebApp
    public let database: AppDatabase
    public let logos: LogoStore
    let mail: MailWorker?
    let checks: ProviderCheckWorker?
    let rebuild: UsageRebuildWorker?
    /// Audit retention, privacy retention and organization deletion (empty without workers).
    let jobs: [PeriodicJob]
    let exportWorker: DataExportWorker?
    /// Charges the payments requests queued (SaaS only), so no request waits on the gateway.
    let payments: PaymentWorker?
    /// Webhook and Slack deliveries (Integrations).
    var webhooks: WebhookWorker? = nil
    /// SSO's discovery fetches, code exchanges and TXT lookups.
    let sso: SSOWorker?
    /// Where data exports are written (tests build them by hand through `DataExportWorker`).
    public let exports: DataExportStore

    /// Starts the background threads: outbox delivery (failures are retried and shown on
    /// Members), connection tests (never on the threads that serve requests), and usage rollups
    /// moving to a new time zone in short batches, audit and privacy retention (at start-up, then
    /// hourly), and organizations pending deletion (reminders, then the purge; every ten minutes).
    public func startWorkers() {
        mail?.start()
        checks?.start()
        rebuild?.start()
        for job in jobs { job.start() }
        exportWorker?.start()
        payments?.start()
        webhooks?.start()
        sso?.start()
    }

    /// Stops the workers and waits (at most `timeout`) for the email being handed to the mail
    /// command, so it is recorded as sent before the process exits. False when one was still
    /// being delivered (it is sent again later with the same Message-ID).
    public func stopWorkers(timeout: TimeInterval) -> Bool {
        checks?.stop()
        rebuild?.stop()
        for job in jobs { job.stop() }
        // The last minute of API key uses, so a clean shutdown loses no "last used".
        _ = try? database.flushAPIKeyUsage()
        exportWorker?.stop()
        payments?.stop()
        webhooks?.stop()
        sso?.stop()
        return mail?.stopAndWait(timeout: timeout) ?? true
    }
}

/// Builds the application from one configuration: opens and migrates the database (or takes the
/// one given), loads every template, and makes the logo store and the workers. `serve` and the
/// tests both build it here, so what the tests run is what serves.
public func makeApp(config: AppConfig) throws -> Application {
    var database: AppDatabase
    let logos: LogoStore, exports: DataExportStore
    let rateLimiter: APIRateLimiter
    switch config.storage {
    case .directory(let directory, let readers):
        do {
            database = try directory.openDatabase(readers: readers)
        } catch {
            throw StartFailure.opening(error)
        }
        do {
            try database.requireWritable()
        } catch {
            // Serving read-only without a word would lose every save.
            throw StartFailure.unwritable(error)
        }
        logos = LogoStore(directory: directory.logosDirectory)
        do {
            exports = try config.exports ?? DataExportStore.load(dataDirectory: directory.path)
        } catch {
            throw StartFailure.opening(error)
        }
        rateLimiter = try sharedRateLimiter(config: config, dataDirectory: directory.path)
    case .given(let given, let directory):
        database = given
        logos = LogoStore(directory: directory)
        exports = config.exports ?? .temporary()
        do {
            rateLimiter = try APIRateLimiter(path: nil, limit: config.apiRateLimit, window: config.apiRateWindow)
        } catch {
            throw StartFailure.opening(error)
        }
    }
    // Credits are debited and their states shown in SaaS mode only, in the deployment's currency.
    database.billingEnabled = config.web.mode == .saas
    database.currency = config.web.currency
    if let workers = config.workers { database.outboundPolicy = workers.outbound }
    var templates: Templates
    do {
        templates = try Templates(directory: config.templatesDirectory)
    } catch let error as Templates.LoadError {
        throw StartFailure.templates(error)
    }
    templates.verifiesEveryRender = config.verifiesEveryRender
    let documentPath = URL(fileURLWithPath: config.templatesDirectory).deletingLastPathComponent().appendingPathComponent(
        "api/openapi.json")
    guard let document = FileManager.default.contents(atPath: documentPath.path), (try? JSONSerialization.jsonObject(with: document)) != nil
    else { throw StartFailure.apiDocument("The API's OpenAPI document \(documentPath.path) is missing or is not JSON.") }
    var web = WebApp(
        config: config.web, database: database, templates: templates, logos: logos, exports: exports, logger: config.logger,
        apiRateLimiter: rateLimiter)
    web.apiDocument = Array(document)
    // The list a new password is checked against: without it any password would pass, so no start.
    let blocklistPath = URL(fileURLWithPath: config.templatesDirectory).deletingLastPathComponent()
        .appendingPathComponent("Resources/" + PasswordBlocklist.fileName).path
    do {
        web.passwordBlocklist = try PasswordBlocklist(contentsOf: blocklistPath)
    } catch let error as KeyFileError {
        throw StartFailure.passwordList(error.message)
    }
    let workers = config.workers
    var app = Application(
        web: web, database: database, logos: logos,
        mail: workers.map { MailWorker(command: $0.sendmail, database: database, baseURL: config.web.baseURL) },
        checks: workers.map { ProviderCheckWorker(database: database, probe: HTTPProviderProbe(policy: $0.outbound)) },
        rebuild: workers.map { _ in UsageRebuildWorker(database: database) },
        jobs: workers == nil
            ? []
            : [
                .auditPrune(database, enforcePlan: config.web.mode == .saas), .privacyPrune(database),
                .orgDeletion(database, logos: logos, exports: exports), .apiKeyUsage(database), .apiKeyExpiry(database),
                .billing(database, setup: web.billing), .ssoDomainRecheck(database),
            ] + (config.web.mode == .saas ? [.autoRefill(database, setup: web.billing)] : []),
        exportWorker: workers.map { _ in DataExportWorker(database: database, store: exports, consoleURL: config.web.baseURL) },
        payments: config.web.mode == .saas ? workers.map { _ in PaymentWorker(database: database, setup: web.billing) } : nil,
        sso: workers.map {
            SSOWorker(
                database: database, http: OutboundHTTP(policy: $0.outbound), dns: DNSLookup(resolver: $0.dnsResolver),
                baseURL: config.web.baseURL)
        },
        exports: exports)
    app.webhooks = workers.map { WebhookWorker(database: database, policy: $0.outbound) }
    return app
}

/// The API rate limiter counting in `api-rate-limits` in the data directory, shared by every
/// responder serving it. A file that cannot be opened or mapped (a full disk, a read-only or
/// foreign-owned file) must not take the API down: the process then counts alone, in its own
/// memory — the limit holds per process, not across them — and says so once, at start-up.
func sharedRateLimiter(config: AppConfig, dataDirectory: String) throws -> APIRateLimiter {
    let path = (dataDirectory as NSString).appendingPathComponent(APIRateLimiter.fileName)
    do {
        return try APIRateLimiter(path: path, limit: config.apiRateLimit, window: config.apiRateWindow)
    } catch APIRateLimiterError.file(let path, let step, let code) {
        config.logger.warning(
            "API rate limits are counted per process, not across processes",
            metadata: ["reason": "\(APIRateLimiterError.file(path: path, step: step, code: code))"])
    } catch {
        throw StartFailure.opening(error)
    }
    do {
        return try APIRateLimiter(path: nil, limit: config.apiRateLimit, window: config.apiRateWindow)
    } catch {
        throw StartFailure.opening(error)
    }
}
