import ArgumentParser
import Foundation
import WheelhouseCore
import WheelhouseWeb

/// `wheelhouse usage …`: importing usage events, and generating sample ones.
struct UsageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage", abstract: "Import and generate usage events.",
        subcommands: [UsageImport.self, UsageGenerate.self, UsageSeedRollups.self])
}

/// Streams a JSON Lines file into the database; see `UsageImporter` and `UsageJSONLine`.
struct UsageImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import usage events from a JSON Lines file (or - for standard input).",
        discussion: """
            One JSON object per line: time (RFC 3339), workspace (key), kind, status (success|error), \
            provider, model, input_tokens, output_tokens, cost_micros, byok, idempotency_key, and org \
            (an org key) unless --org is given. Bad lines are reported on standard error with their \
            line number and skipped; events whose idempotency key is stored already are skipped as \
            duplicates. Each batch is committed on its own: after a crash, run the same import again.
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The file to read, or - for standard input.") var file: String
    @Option(help: "The organization of lines that name none.") var org: String?
    @Option(help: "Events per transaction.") var batchSize: Int = 5_000

    func run() throws {
        guard (1...1_000_000).contains(batchSize) else { throw ValidationError("batch-size must be between 1 and 1000000") }
        let fd: Int32 = file == "-" ? STDIN_FILENO : open(file, O_RDONLY)
        guard fd >= 0 else { throw ValidationError("cannot open \(file): \(String(cString: strerror(errno)))") }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var info = stat()
        let size: Int64? = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int64(info.st_size) : nil
        let database = try global.openDatabase(readers: 1)
        let bar = ProgressBar(totalBytes: size)
        var shown = 0
        let importer = UsageImporter(
            database: database, defaultOrg: org, batchSize: batchSize,
            onRejected: { line, reason in
                bar.clear()
                if shown < 1000 { FileHandle.standardError.write(Data("line \(line): \(reason)\n".utf8)) }
                if shown == 1000 { FileHandle.standardError.write(Data("… further rejected lines are counted but not listed\n".utf8)) }
                shown += 1
            }, onProgress: { bar.show($0) })
        let summary = try importer.run(fileDescriptor: fd)
        bar.clear()
        // After the last batch committed, never inside it: usage that crossed an auto-refill
        // threshold charges its one refill now (the server's background job would within 15 s).
        if try global.resolvedMode() == .saas {
            let setup = BillingSetup(
                seller: Seller.from(environment: global.environment), currency: database.currency,
                gateway: TestModeGateway(database: database))
            let refills = try database.runDueRefills(setup: setup)
            if refills > 0 { Output.line("auto-refill: \(refills) refill\(refills == 1 ? "" : "s") charged") }
        }
        Output.line(
            "read \(summary.read), imported \(summary.imported), duplicate \(summary.duplicates), "
                + "rejected \(summary.rejected) in \(String(format: "%.2f", summary.seconds)) s (\(summary.eventsPerSecond) events/s)")
        if summary.rejected > 0 { throw ExitCode(2) }
    }
}

/// A progress line on standard error, only when it is a terminal.
final class ProgressBar {
    let totalBytes: Int64?
    let enabled = isatty(STDERR_FILENO) == 1
    private var last: UInt64 = 0

    init(totalBytes: Int64?) { self.totalBytes = totalBytes }

    func show(_ s: UsageImportSummary) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - last > 100_000_000 else { return }
        last = now
        var line = "\r"
        if let totalBytes, totalBytes > 0 {
            let fraction = min(1, Double(s.bytes) / Double(totalBytes))
            let filled = Int(fraction * 30)
            line +=
                "[" + String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled) + "] "
                + String(format: "%3.0f%% ", fraction * 100)
        }
        line += "\(s.read) lines, \(s.imported) imported, \(s.duplicates) duplicate, \(s.rejected) rejected"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func clear() {
        guard enabled, last != 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
        last = 0
    }
}

/// Writes generated events as JSON Lines, e.g. for the benchmark or to try an import.
struct UsageGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Write synthetic usage events as JSON Lines to standard output.")
    @Option(help: "Org key written on every line.") var org: String = "demo"
    @Option(help: "Comma-separated workspace keys.") var workspaces: String = "research,support-bots"
    @Option(help: "How many events (at least).") var events: Int = 1_000
    @Option(help: "Days the events spread over, ending today (UTC).") var days: Int = 90
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Prefix of the idempotency keys.") var keyPrefix: String = "gen"

    func run() throws {
        let spaces = workspaces.split(separator: ",").map(String.init)
        guard !spaces.isEmpty, events > 0, days > 0 else { throw ValidationError("need workspaces, events > 0 and days > 0") }
        // Runs per weekday so that `days` days hold about `events` events (three per run, quieter weekends).
        let perWeekday = max(1, Int(Double(events) / Double(days) / 3 * 7 / 5.5) + 1)
        var generator = UsageGenerator(org: org, workspaces: spaces, weekdayRuns: perWeekday, seed: seed, keyPrefix: keyPrefix)
        let today = Int(Date().timeIntervalSince1970) / 86_400
        var written = 0
        var batch: [UsageEventInput] = []
        var out: [UInt8] = []
        var day = today - days + 1
        while written < events {
            batch.removeAll(keepingCapacity: true)
            generator.events(day: day, into: &batch)
            for event in batch.prefix(events - written) { UsageGenerator.jsonLine(event, into: &out) }
            written += min(batch.count, events - written)
            if out.count > 1 << 20 || written >= events {
                try writeAll(out)
                out.removeAll(keepingCapacity: true)
            }
            day += 1
            if day > today { day = today - days + 1 }  // wrap around: later passes get new keys
        }
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 { if errno == EINTR { continue }; throw ExitCode(1) }
            offset += n
        }
    }
}

/// For the benchmark: gives an organization the rollups of `events` events spread over `days`
/// days without storing the events themselves (see `AppDatabase.addRollupsWithoutEvents`).
struct UsageSeedRollups: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-rollups", abstract: "Benchmarks only: add daily rollups of N synthetic events, without the events.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The organization.") var org: String = "demo"
    @Option(help: "Comma-separated workspace keys of the organization.") var workspaces: String = "research,support-bots"
    @Option(help: "Events the rollups add up to.") var events: Int64 = 10_000_000
    @Option(help: "Days, ending today (UTC).") var days: Int = 365

    func run() throws {
        let database = try global.openDatabase(readers: 1)
        let spaces = workspaces.split(separator: ",").map(String.init)
        // Per day and workspace: runs (3 % failed) and the calls of each model, in the proportions
        // of `UsageGenerator`: one run per three events.
        let perDay = events / Int64(days) / Int64(spaces.count)
        let today = Int(Date().timeIntervalSince1970) / 86_400
        var rows: [UsageExportRow] = []
        var total: Int64 = 0
        for day in (today - days + 1)...today {
            for workspace in spaces {
                let runs = perDay / 3
                func row(_ kind: String, _ status: UsageStatus, _ model: UsageGenerator.Model?, _ n: Int64) -> UsageExportRow {
                    let input = n * 1_700, output = n * 500
                    let cost = model.map { (input * $0.inputCents + output * $0.outputCents) / 100 } ?? 0
                    let byok = model?.provider == UsageGenerator.byokProvider
                    return UsageExportRow(
                        date: CivilDate(dayNumber: day), workspace: workspace, kind: kind, status: status,
                        provider: model?.provider ?? "", model: model?.name ?? "", events: n,
                        byokEvents: byok ? n : 0, inputTokens: model == nil ? 0 : input,
                        outputTokens: model == nil ? 0 : output, costMicros: cost, creditsMicros: byok ? 0 : cost)
                }
                rows.append(row(UsageReport.runKind, .success, nil, runs - runs * 3 / 100))
                rows.append(row(UsageReport.runKind, .error, nil, runs * 3 / 100))
                let calls = perDay - runs
                for model in UsageGenerator.models {
                    let n = calls * Int64(model.weight) / 100
                    rows.append(row("llm_call", .success, model, n - n / 100))
                    rows.append(row("llm_call", .error, model, n / 100))
                }
                total += rows.suffix(12).reduce(0) { $0 + $1.events }
            }
        }
        try database.addRollupsWithoutEvents(orgKey: org, rows.filter { $0.events > 0 })
        Output.line("Added \(rows.count) rollup rows for \(total) events over \(days) days to \(org) (no events stored).")
    }
}
