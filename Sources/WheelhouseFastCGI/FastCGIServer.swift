import CFastCGI
import Foundation
import Logging
import Synchronization
import WheelhouseWeb

/// Serves a `WebApp` over FastCGI with libfcgi: one listening socket, `workers` threads each
/// accepting and answering one connection at a time. Blocking accept loops run on real threads,
/// never Swift tasks, which would starve the cooperative pool.
///
/// A gate thread accepts connections and passes one to a worker only when its request head has
/// arrived (`ConnectionGate`): a peer that connects and stalls, or sends half a record, never
/// holds a worker and is closed after `ioTimeout`. Each read or write of a worker on a connection
/// (the body, the response) waits at most `ioTimeout` too.
///
/// SIGTERM and SIGINT stop accepting, let the requests in flight finish, and exit 0. SIGHUP calls
/// `onHangup` (the request log reopens its file there, for logrotate).
public struct FastCGIServer: Sendable {
    public var listen: String
    public var workers: Int
    public var maxBodyBytes: Int
    public var app: WebApp
    public var logger: Logger
    /// Group given the unix socket and its directory (the group a system nginx's workers run in).
    public var socketGroup: String?
    /// Longest wait for one read or write on a connection, in seconds.
    public var ioTimeout: Double
    public var onHangup: @Sendable () -> Void

    public init(
        listen: String, workers: Int, maxBodyBytes: Int, app: WebApp, logger: Logger,
        socketGroup: String? = nil, ioTimeout: Double = 5, onHangup: @escaping @Sendable () -> Void = {}
    ) {
        self.listen = listen
        self.workers = workers
        self.maxBodyBytes = maxBodyBytes
        self.app = app
        self.logger = logger
        self.socketGroup = socketGroup
        self.ioTimeout = ioTimeout
        self.onHangup = onHangup
    }

    /// Runs until SIGTERM or SIGINT, then returns once the requests in flight are answered.
    public func run() throws {
        // Signals are blocked before any thread starts, so every thread inherits the mask and
        // only `sigwait` below sees them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)

        guard FCGX_Init() == 0 else { throw ServerError("FCGX_Init failed") }
        let socket = ListeningSocket(path: listen, group: socketGroup)
        let listener = try socket.open()

        let state = ServerState()
        let gate = ConnectionGate(listener: listener, deadline: ioTimeout)
        let gateThread = Thread { gate.run() }
        gateThread.name = "fcgi-gate"
        gateThread.start()
        for index in 0..<workers {
            let thread = Thread { [self] in self.acceptLoop(gate: gate, state: state) }
            thread.name = "fcgi-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
        logger.info("listening on \(listen) with \(workers) worker threads")

        var received: Int32 = 0
        while true {
            sigwait(&signals, &received)
            guard received == SIGHUP else { break }
            onHangup()
        }
        logger.info("signal \(received): finishing requests in flight")
        state.stopping.store(true, ordering: .sequentiallyConsistent)
        FCGX_ShutdownPending()
        gate.stop(workers: workers)
        shutdown(listener, Int32(SHUT_RDWR))
        // Threads waiting on an idle kept-alive connection return within `ioTimeout`; in-flight
        // requests are what must finish.
        let deadline = Date().addingTimeInterval(10)
        while state.inFlight.load(ordering: .sequentiallyConsistent) > 0 && Date() < deadline {
            usleep(10_000)
        }
        socket.remove()
        logger.info("stopped")
    }

    /// Takes connections from the gate (libfcgi's own accept would hand a worker connections
    /// that have sent nothing yet, and give them no deadline), then lets libfcgi read the request
    /// from the descriptor.
    private func acceptLoop(gate: ConnectionGate, state: ServerState) {
        var request = FCGX_Request()
        // No listening socket for libfcgi: when it drops a connection (timeout, bad record) its
        // own accept fails at once and control comes back here.
        FCGX_InitRequest(&request, -1, 0)
        while !state.stopping.load(ordering: .sequentiallyConsistent) {
            if request.ipcFd < 0 {
                guard let fd = gate.next() else { break }
                setDeadline(fd)
                request.ipcFd = fd
                // FCGX_Accept_r begins by finishing the previous request, which closes the
                // descriptor unless the connection is marked kept.
                request.keepConnection = 1
            }
            guard FCGX_Accept_r(&request) >= 0 else { continue }
            if state.stopping.load(ordering: .sequentiallyConsistent) {
                FCGX_Finish_r(&request)
                break
            }
            state.inFlight.add(1, ordering: .sequentiallyConsistent)
            if let incoming = readRequest(&request) {
                write(app.respond(to: incoming), to: &request)
            }
            FCGX_Finish_r(&request)
            state.inFlight.subtract(1, ordering: .sequentiallyConsistent)
        }
        if request.ipcFd >= 0 { FCGX_Free(&request, 1) }
    }

    private func setDeadline(_ fd: Int32) {
        let seconds = max(ioTimeout, 0.001)
        var time = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, size)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, size)
    }

    // MARK: - Reading and writing FastCGI records

    /// The request, or nil when its body did not arrive whole (the peer stalled or went away):
    /// a truncated form is never acted on.
    private func readRequest(_ request: inout FCGX_Request) -> Request? {
        let head = FastCGIParams.request(environment: request.envp)
        var incoming = head.request
        let length = head.contentLength
        var body: [UInt8] = []
        let tooLarge = length > maxBodyBytes
        if length > 0 && !tooLarge {
            body = [UInt8](repeating: 0, count: length)
            var received = 0
            while received < length {
                let n = body.withUnsafeMutableBytes { raw in
                    FCGX_GetStr(
                        raw.baseAddress!.advanced(by: received).assumingMemoryBound(to: CChar.self),
                        Int32(length - received), request.in)
                }
                if n <= 0 { break }
                received += Int(n)
            }
            guard received == length else { return nil }
        }
        incoming.body = body
        incoming.bodyTooLarge = tooLarge
        return incoming
    }

    private func write(_ response: Response, to request: inout FCGX_Request) {
        var head: [UInt8] = []
        head.reserveCapacity(1024)
        head += "Status: \(Response.statusLine(response.status))\r\n".utf8
        for (name, value) in response.headers {
            head += name.utf8
            head += ": ".utf8
            // A header value never carries a line break into the response.
            if value.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
                head += value.utf8.filter { $0 != 13 && $0 != 10 }
            } else {
                head += value.utf8
            }
            head += "\r\n".utf8
        }
        // A HEAD response names the length of the body it leaves out.
        if !response.headers.contains(where: { $0.0 == "Content-Length" }) {
            head += "Content-Length: \(response.contentLength)\r\n".utf8
        }
        head += "\r\n".utf8
        if head.count + response.body.count > StdoutRecords.streamBuffer,
            StdoutRecords.write(head, response.body, fd: request.ipcFd, requestId: request.requestId)
        {
            // Written as whole records: nothing went through the stream's buffer.
        } else {
            put(head, to: request.out)
            put(response.body, to: request.out)
        }
        response.file?.forEachChunk { put($0, to: request.out) }
    }

    private func put(_ bytes: [UInt8], to stream: UnsafeMutablePointer<FCGX_Stream>?) {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                _ = FCGX_PutStr(chars.baseAddress, Int32(chars.count), stream)
            }
        }
    }
}

/// A page larger than libfcgi's 8 KiB stream buffer went out as one 8 KiB record and one
/// `write(2)` per 8 KiB (the Audit log's 26 KiB page: four, and four wake-ups of nginx). Before
/// anything is written to the stream, the head and body go out instead as FCGI_STDOUT records of
/// up to 64 KiB in one `writev(2)`; `FCGX_Finish_r` then ends the stream and the request as usual.
enum StdoutRecords {
    /// libfcgi's writer buffer (`LARGE_BUFFER_SIZE` in fcgiapp.c).
    static let streamBuffer = 8192
    /// The largest record content that needs no padding (a multiple of 8 below 65 536).
    static let recordContent = 65_528

    /// False, having written nothing, when the request has no descriptor; true otherwise, even
    /// when the peer went away (libfcgi finds that out on its next write and drops the connection).
    static func write(_ head: [UInt8], _ body: [UInt8], fd: Int32, requestId: Int32) -> Bool {
        guard fd >= 0 else { return false }
        var content = head
        content += body
        var headers: [UInt8] = []
        var pieces: [(header: Int, start: Int, count: Int)] = []
        var start = 0
        while start < content.count {
            let count = min(recordContent, content.count - start)
            pieces.append((headers.count, start, count))
            // version 1, FCGI_STDOUT (6), request id, content length, no padding, reserved.
            headers += [
                1, 6, UInt8(truncatingIfNeeded: requestId >> 8), UInt8(truncatingIfNeeded: requestId), UInt8(count >> 8),
                UInt8(count & 0xFF), 0, 0,
            ]
            start += count
        }
        headers.withUnsafeBytes { headerBytes in
            content.withUnsafeBytes { contentBytes in
                var vectors = pieces.flatMap { piece in
                    [
                        iovec(iov_base: UnsafeMutableRawPointer(mutating: headerBytes.baseAddress! + piece.header), iov_len: 8),
                        iovec(iov_base: UnsafeMutableRawPointer(mutating: contentBytes.baseAddress! + piece.start), iov_len: piece.count),
                    ]
                }
                var index = 0
                while index < vectors.count {
                    // The array's own storage: `&vectors[index]` would pass a copy of one element.
                    let written = vectors.withUnsafeBufferPointer {
                        writev(fd, $0.baseAddress! + index, Int32(min($0.count - index, 1024)))
                    }
                    if written < 0 {
                        if errno == EINTR { continue }
                        return  // a send time-out or a closed peer: the connection is dropped after
                    }
                    // Skip what was written, in whole vectors and then into the next one.
                    var left = written
                    while index < vectors.count, left >= vectors[index].iov_len {
                        left -= vectors[index].iov_len
                        index += 1
                    }
                    if left > 0 {
                        vectors[index].iov_base += left
                        vectors[index].iov_len -= left
                    }
                }
            }
        }
        return true
    }
}

/// libfcgi's params, `NAME=value` C strings up to a null pointer, read one at a time.
final class ServerState: Sendable {
    let stopping = Atomic<Bool>(false)
    let inFlight = Atomic<Int>(0)
}

struct ServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
