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

    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    public func start() {
        let thread = Thread { [self] in
            while !stopping.load(ordering: .relaxed) {
                _ = try? deliverDue()
                _ = wake.wait(timeout: .now() + interval)
            }
            finished.signal()
        }
        thread.name = "mail"
        thread.start()
    }

    public func stop() {
        stopping.store(true, ordering: .relaxed)
        wake.signal()
    }

    /// Stops taking new messages and waits (at most `timeout`) for the delivery in hand, so that a
    /// message handed to the mail command is recorded as sent before the process exits. False
    /// when the worker was still busy at the deadline (the message is then sent again later, with
    /// the same `Message-ID`).
    @discardableResult
    public func stopAndWait(timeout: TimeInterval) -> Bool {
        stop()
        return finished.wait(timeout: .now() + timeout) == .success
    }

    /// Sends what is due now, one claimed message at a time; returns how many were sent.
    @discardableResult
    public func deliverDue() throws -> Int {
        var sent = 0
        while !stopping.load(ordering: .relaxed), let mail = try database.claimDueMail(baseURL: baseURL).first {
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
    ///
    /// The reason is what admins see on Members: the command's own first line of complaint or its
    /// exit status, never the command's path or arguments (they may name hosts or accounts).
    func run(_ message: String) -> String? {
        guard let executable = command.first else { return "no mail command is configured" }
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
            return "the mail command could not be started"
        }
        // A relay that hangs must not hold the worker (or this message's claim) forever.
        let timedOut = Atomic<Bool>(false)
        let watchdog = DispatchWorkItem {
            timedOut.store(true, ordering: .relaxed)
            process.terminate()
            // The command inherits the responder's blocked SIGTERM: it may not stop by itself.
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + OutboxRules.commandTimeout, execute: watchdog)
        defer { watchdog.cancel() }
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
        if timedOut.load(ordering: .relaxed) {
            return "the mail command did not finish within \(Int(OutboxRules.commandTimeout)) seconds"
        }
        guard process.terminationStatus == 0, written else {
            return Self.reason(stderr: stderr, status: process.terminationStatus, executable: executable)
        }
        return nil
    }

    /// The first line the command complained with, without its own path, or its exit status.
    static func reason(stderr: Data, status: Int32, executable: String) -> String {
        let name = (executable as NSString).lastPathComponent
        let firstLine =
            String(decoding: stderr.prefix(2_000), as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        var text = firstLine.replacingOccurrences(of: executable, with: name)
        if text.hasPrefix(name + ":") { text = String(text.dropFirst(name.count + 1)) }
        text = String(text.unicodeScalars.filter { !TextRules.isControl($0) }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
        if text.count > 160 { text = String(text.prefix(160)) + "…" }
        let exit = "the mail command exited with status \(status)"
        return text.isEmpty ? exit : "\(text) (\(exit))"
    }
}
