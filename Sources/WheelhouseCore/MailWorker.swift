import Foundation
import Synchronization

/// Hands outbox mail to a sendmail-compatible command (`sendmail -t -i`, msmtp, …) on a
/// background thread, retrying with back-off (`OutboxRules`). Several responder processes may
/// run one each: messages are claimed before they are sent.
public final class MailWorker: Sendable {
    public let command: [String]
    let database: AppDatabase
    let baseURL: String
    let from: String
    let domain: String
    let interval: TimeInterval
    private let stopping = Atomic<Bool>(false)

    public init(command: String, database: AppDatabase, baseURL: String, interval: TimeInterval = 2) {
        self.command = command.split(separator: " ").map(String.init)
        self.database = database
        self.baseURL = baseURL
        self.domain = URL(string: baseURL)?.host ?? "localhost"
        self.from = "Wheelhouse <no-reply@\(domain)>"
        self.interval = interval
        // Writing to a mail command that exits early must fail that delivery with EPIPE, not end
        // the process with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
    }

    public func start() {
        let thread = Thread { [self] in
            while !stopping.load(ordering: .relaxed) {
                _ = try? deliverDue()
                Thread.sleep(forTimeInterval: interval)
            }
        }
        thread.name = "mail"
        thread.start()
    }

    public func stop() { stopping.store(true, ordering: .relaxed) }

    /// Sends what is due now; returns how many were sent.
    @discardableResult
    public func deliverDue() throws -> Int {
        var sent = 0
        for mail in try database.claimDueMail(baseURL: baseURL) {
            let text = mail.rfc822(from: from, domain: domain, date: database.now())
            if let failure = run(text) {
                try database.markMailFailed(id: mail.messageId, error: failure)
            } else {
                try database.markMailSent(id: mail.messageId)
                sent += 1
            }
        }
        return sent
    }

    /// Runs the mail command with the message on standard input; nil on success, else why not.
    func run(_ message: String) -> String? {
        guard let executable = command.first else { return "no mail command configured" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return "cannot run \(executable): \(error.localizedDescription)"
        }
        // A command that exits without reading its input must fail the delivery, not the process.
        let written: Bool
        do {
            try input.fileHandleForWriting.write(contentsOf: Data(message.utf8))
            written = true
        } catch {
            written = false
        }
        try? input.fileHandleForWriting.close()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, written else {
            let detail = String(decoding: stderr.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return "\(executable) exited with status \(process.terminationStatus)" + (detail.isEmpty ? "" : ": \(detail)")
        }
        return nil
    }
}
