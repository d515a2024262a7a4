import ArgumentParser
import Foundation
import Logging
import WheelhouseCore
import WheelhouseFastCGI
import WheelhouseWeb

/// `wheelhouse`: the one executable. `main` only parses the command line; each subcommand builds
/// what it needs from configuration.
struct Wheelhouse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The Wheelhouse settings console.",
        subcommands: [Serve.self, Migrate.self, CreateOwner.self, Demo.self, RotateMasterKey.self, BenchSeedSecrets.self, BenchSeedInvitations.self,
                      UsageCommand.self]
    )
}

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

    @Option(help: "With --log-file: past this many bytes the log moves to <file>.1 and starts anew (WHEELHOUSE_LOG_MAX_BYTES, default 0: no limit).")
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

    @Option(help: "Private or local address blocks Test connection may reach, comma-separated CIDRs such as 10.0.0.0/8 (WHEELHOUSE_OUTBOUND_ALLOW, default none).")
    var outboundAllow: String?

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
        let database = try global.openDatabase(readers: workerCount)
        do {
            try database.requireWritable()
        } catch {
            // Serving read-only without a word would lose every save.
            throw global.unwritableDatabase(error)
        }
        let templates: Templates
        do {
            templates = try Templates(directory: global.resolvedTemplates)
        } catch let error as Templates.LoadError {
            throw ValidationError("cannot start: \(error.description)")
        }
        let config = WebConfig(
            mode: try global.resolvedMode(),
            baseURL: baseURL ?? env["WHEELHOUSE_BASE_URL"] ?? "http://127.0.0.1:8080",
            enterpriseBillingURL: enterpriseBillingURL ?? env["WHEELHOUSE_ENTERPRISE_BILLING_URL"],
            maxBodyBytes: maxBody)
        let logos = LogoStore(directory: URL(fileURLWithPath: global.resolvedDataDir).appendingPathComponent("logos"))
        let app = WebApp(config: config, database: database, templates: templates, logos: logos)
        // SIGTERM and SIGINT are blocked before the first background thread starts, so every thread
        // inherits the mask and only the server's `sigwait` takes them.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
        // The outbox is delivered in the background; failures are retried and shown on Members.
        let mail = MailWorker(command: sendmail ?? env["WHEELHOUSE_SENDMAIL"] ?? "/usr/sbin/sendmail -t -i",
                              database: database, baseURL: config.baseURL)
        mail.start()
        // Connection tests run on their own threads, never on the threads that serve requests.
        let checks = ProviderCheckWorker(database: database, probe: HTTPProviderProbe(
            policy: try GlobalOptions.outboundPolicy(outboundAllow ?? env["WHEELHOUSE_OUTBOUND_ALLOW"])))
        checks.start()
        // Usage rollups move to a new time zone in short batches, beside the requests.
        UsageRebuildWorker(database: database).start()
        let server = FastCGIServer(
            listen: listen ?? env["WHEELHOUSE_LISTEN"] ?? (global.resolvedDataDir as NSString).appendingPathComponent("run/wheelhouse.sock"),
            workers: workerCount, maxBodyBytes: maxBody, app: app, logger: Logger(label: "wheelhouse.fastcgi"),
            socketGroup: socketGroup ?? env["WHEELHOUSE_SOCKET_GROUP"].flatMap { $0.isEmpty ? nil : $0 },
            ioTimeout: timeout, onHangup: { log?.reopen() })
        try server.run()
        // An email being handed to the mail command is recorded before the process exits, so it
        // is not sent twice.
        if !mail.stopAndWait(timeout: OutboxRules.commandTimeout + 5) {
            Logger(label: "wheelhouse.mail").warning("stopped while an email was being delivered; it will be retried with the same Message-ID")
        }
        // Worker threads may still sit in accept or on an idle kept-alive connection; tearing down
        // the process's globals under them can abort. Every response and commit is already out.
        _exit(0)
    }
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        _ = try global.openDatabase()
        Output.line("Database ready at \(global.resolvedDatabase)")
    }
}

struct CreateOwner: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create an organization and its first Owner.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The Owner's email address.") var email: String
    @Option(help: "The Owner's name.") var name: String
    @Option(help: "The Owner's password (at least 10 characters).") var password: String
    @Option(help: "The organization's key: lowercase letters, digits, dashes; never renamed.") var orgKey: String
    @Option(help: "The organization's display name.") var orgName: String

    func run() throws {
        let database = try global.openDatabase()
        do {
            let (user, org) = try database.createOwner(NewOwner(email: email, name: name, password: password,
                                                                orgKey: orgKey, orgName: orgName))
            Output.line("Created organization \(org.key) (“\(org.displayName)”) with Owner \(user.email).")
        } catch DomainError.invalid(let errors) {
            let messages = errors.byField.sorted { $0.key < $1.key }.flatMap { $0.value } + errors.form
            throw ValidationError(messages.joined(separator: "\n"))
        }
    }
}

// Everything the console writes (database, keys, logos, logs, mail) is its owner's alone.
umask(0o077)
Wheelhouse.main()
