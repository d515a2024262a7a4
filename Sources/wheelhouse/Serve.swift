import ArgumentParser
import Foundation
import Logging
import WheelhouseCore
import WheelhouseFastCGI
import WheelhouseWeb

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the console over FastCGI (behind nginx).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Unix socket path or host:port (WHEELHOUSE_LISTEN, default <data-dir>/run/wheelhouse.sock).")
    var listen: String?

    @Option(help: "Group given the unix socket and its directory, e.g. the group nginx's workers run in (WHEELHOUSE_SOCKET_GROUP).")
    var socketGroup: String?

    @Option(help: "Longest wait for one read or write on a FastCGI connection, in seconds (WHEELHOUSE_IO_TIMEOUT, default 5).")
    var ioTimeout: Double?

    @Option(help: "Write the log to this file instead of standard error; SIGHUP reopens it (WHEELHOUSE_LOG_FILE).")
    var logFile: String?

    @Option(
        help:
            "With --log-file: past this many bytes the log moves to <file>.1 and starts anew (WHEELHOUSE_LOG_MAX_BYTES, default 0: no limit)."
    )
    var logMaxBytes: Int?

    @Option(help: "Worker threads (WHEELHOUSE_WORKERS, default 4).")
    var workers: Int?

    @Option(help: "Public address of the console (WHEELHOUSE_BASE_URL, default http://127.0.0.1:8080).")
    var baseURL: String?

    @Option(help: "Link shown in enterprise mode instead of billing (WHEELHOUSE_ENTERPRISE_BILLING_URL).")
    var enterpriseBillingURL: String?

    @Option(help: "Mail command for invitations, given the message on stdin (WHEELHOUSE_SENDMAIL, default /usr/sbin/sendmail -t -i).")
    var sendmail: String?

    @Option(help: "Largest request body accepted, in bytes (default 4194304).")
    var maxBody: Int = 4 * 1024 * 1024

    @Option(
        help:
            "Private or local address blocks Test connection may reach, comma-separated CIDRs such as 10.0.0.0/8 (WHEELHOUSE_OUTBOUND_ALLOW, default none)."
    )
    var outboundAllow: String?

    @Option(
        help:
            "Requests each API key may make per minute, across all responders of the data directory (WHEELHOUSE_API_RATE_LIMIT, default 600)."
    )
    var apiRateLimit: Int?

    func run() throws {
        let env = global.environment
        let log = try (logFile ?? env["WHEELHOUSE_LOG_FILE"]).map {
            try LogFile(path: $0, maxBytes: logMaxBytes ?? env["WHEELHOUSE_LOG_MAX_BYTES"].flatMap(Int.init) ?? 0)
        }
        if let log {
            LoggingSystem.bootstrap { log.handler(label: $0) }
        } else {
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
        }
        let timeout = ioTimeout ?? env["WHEELHOUSE_IO_TIMEOUT"].flatMap(Double.init) ?? 5
        guard timeout > 0 else { throw ValidationError("io-timeout must be above 0 seconds") }
        let workerCount = workers ?? env["WHEELHOUSE_WORKERS"].flatMap(Int.init) ?? 4
        guard (1...1024).contains(workerCount) else { throw ValidationError("workers must be between 1 and 1024") }
        let app: Application
        do {
            app = try makeApp(config: appConfig(workerCount: workerCount))
        } catch StartFailure.opening(let error) {
            throw global.openingFailure(error)
        } catch StartFailure.unwritable(let error) {
            throw global.unwritableDatabase(error)
        } catch StartFailure.templates(let error) {
            throw ValidationError("cannot start: \(error.description)")
        } catch StartFailure.apiDocument(let message), StartFailure.passwordList(let message) {
            throw ValidationError("cannot start: \(message)")
        }
        // SIGTERM and SIGINT are blocked before the first background thread starts, so every thread
        // inherits the mask and only the server's `sigwait` takes them.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
        app.startWorkers()
        let server = FastCGIServer(
            listen: listen ?? env["WHEELHOUSE_LISTEN"]
                ?? (global.resolvedDataDir as NSString).appendingPathComponent("run/wheelhouse.sock"),
            workers: workerCount, maxBodyBytes: maxBody, app: app.web, logger: Logger(label: "wheelhouse.fastcgi"),
            socketGroup: socketGroup ?? env["WHEELHOUSE_SOCKET_GROUP"].flatMap { $0.isEmpty ? nil : $0 },
            ioTimeout: timeout, onHangup: { log?.reopen() })
        try server.run()
        // An email being handed to the mail command is recorded before the process exits, so it
        // is not sent twice.
        if !app.stopWorkers(timeout: OutboxRules.commandTimeout + 5) {
            Logger(label: "wheelhouse.mail").warning(
                "stopped while an email was being delivered; it will be retried with the same Message-ID")
        }
        // Worker threads may still sit in accept or on an idle kept-alive connection; tearing down
        // the process's globals under them can abort. Every response and commit is already out.
        _exit(0)
    }

    /// The application's configuration from the flags, the `WHEELHOUSE_*` variables and the defaults.
    func appConfig(workerCount: Int) throws -> AppConfig {
        let env = global.environment
        var web = WebConfig(
            mode: try global.resolvedMode(),
            baseURL: baseURL ?? env["WHEELHOUSE_BASE_URL"] ?? "http://127.0.0.1:8080",
            enterpriseBillingURL: enterpriseBillingURL ?? env["WHEELHOUSE_ENTERPRISE_BILLING_URL"],
            maxBodyBytes: maxBody,
            // Printed on invoices; WHEELHOUSE_SELLER_NAME / _ADDRESS (lines split by ";") / _VAT_ID.
            seller: Seller.from(environment: env), currency: try global.resolvedCurrency())
        let outbound = try GlobalOptions.outboundPolicy(outboundAllow ?? env["WHEELHOUSE_OUTBOUND_ALLOW"])
        var dnsResolver: DNSResolverAddress?
        if let text = env["WHEELHOUSE_DNS_RESOLVER"], !text.isEmpty {
            guard let parsed = DNSResolverAddress(text) else {
                throw ValidationError("WHEELHOUSE_DNS_RESOLVER must be an IPv4 address and port such as 127.0.0.1:5353, not “\(text)”")
            }
            dnsResolver = parsed
        }
        web.outbound = outbound
        let workersConfig = AppConfig.Workers(
            sendmail: sendmail ?? env["WHEELHOUSE_SENDMAIL"] ?? "/usr/sbin/sendmail -t -i", outbound: outbound, dnsResolver: dnsResolver)
        let rateLimit =
            try apiRateLimit ?? env["WHEELHOUSE_API_RATE_LIMIT"].map {
                guard let limit = Int($0) else { throw ValidationError("api-rate-limit must be a whole number, not “\($0)”") }
                return limit
            } ?? APIRateLimiter.defaultLimit
        guard (1...APIRateLimiter.maximumLimit).contains(rateLimit) else {
            throw ValidationError("api-rate-limit must be between 1 and \(APIRateLimiter.maximumLimit) requests per minute")
        }
        return AppConfig(
            web: web, storage: .directory(global.dataDirectory, readers: workerCount),
            templatesDirectory: global.resolvedTemplates, workers: workersConfig, apiRateLimit: rateLimit)
    }
}
