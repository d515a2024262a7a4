import CFastCGI
import Foundation
import Synchronization

/// Accepts connections on one thread and hands a connection to the workers only once its
/// request's head has arrived whole: the BEGIN_REQUEST record and every PARAMS record up to the
/// empty one that ends them (read with MSG_PEEK, so libfcgi still reads them itself). A peer
/// that connects and sends nothing, or half a record, never holds a worker: it is closed when
/// `deadline` passes. nginx sends the head at once, so its connections go straight through.
final class ConnectionGate: Sendable {
    private let listener: Int32
    private let deadline: Double
    private let ready = Mutex<[Int32]>([])
    private let available = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    /// Connections whose head has not arrived yet are at most this many; more are refused.
    static let maxPending = 1024

    init(listener: Int32, deadline: Double) {
        self.listener = listener
        self.deadline = deadline
        let flags = fcntl(listener, F_GETFL)
        _ = fcntl(listener, F_SETFL, flags | O_NONBLOCK)
    }

    /// Blocks until a connection is ready; nil once the gate stopped.
    func next() -> Int32? {
        while true {
            available.wait()
            if let fd = ready.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return fd }
            if stopping.load(ordering: .sequentiallyConsistent) { return nil }
        }
    }

    func stop(workers: Int) {
        stopping.store(true, ordering: .sequentiallyConsistent)
        for _ in 0..<workers + 1 { available.signal() }
    }

    /// The gate's loop; returns when `stop` was called. Waiting connections are watched
    /// edge-triggered, so one that sent half a record is looked at again only when more arrives.
    func run() {
        let poller = epoll_create1(Int32(EPOLL_CLOEXEC))
        defer { close(poller) }
        // One peek buffer for the gate's thread, not one per connection: allocating and zeroing
        // 64 KiB for each request cost more than answering it.
        let peek = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { peek.deallocate() }
        watch(listener, in: poller, edge: false)
        var pending: [Int32: UInt64] = [:]
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while !stopping.load(ordering: .sequentiallyConsistent) {
            let wait = Self.waitMilliseconds(pending.values.min(), now: DispatchTime.now().uptimeNanoseconds)
            let count = epoll_wait(poller, &events, Int32(events.count), wait)
            let now = DispatchTime.now().uptimeNanoseconds
            for event in events.prefix(max(0, Int(count))) {
                let fd = event.data.fd
                if fd == listener {
                    acceptAll(into: &pending, poller: poller, now: now, peek: peek)
                } else if pending[fd] != nil,
                    Self.headArrived(fd, peek: peek) || event.events & UInt32(EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0
                {
                    pending[fd] = nil
                    epoll_ctl(poller, EPOLL_CTL_DEL, fd, nil)
                    hand(fd)
                }
            }
            for (fd, until) in pending where until <= now {
                pending[fd] = nil
                close(fd)  // also leaves the epoll set
            }
        }
        pending.keys.forEach { close($0) }
    }

    private func acceptAll(into pending: inout [Int32: UInt64], poller: Int32, now: UInt64, peek: UnsafeMutableRawBufferPointer) {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            if Self.headArrived(fd, peek: peek) {
                hand(fd)
            } else if pending.count >= Self.maxPending {
                close(fd)
            } else {
                pending[fd] = now + UInt64(deadline * 1_000_000_000)
                watch(fd, in: poller, edge: true)
            }
        }
    }

    private func watch(_ fd: Int32, in poller: Int32, edge: Bool) {
        var event = epoll_event()
        event.events = UInt32(EPOLLIN.rawValue | EPOLLRDHUP.rawValue) | (edge ? UInt32(EPOLLET.rawValue) : 0)
        event.data.fd = fd
        epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event)
    }

    /// Until the soonest deadline, at most 250 ms (so `stop` is seen).
    static func waitMilliseconds(_ soonest: UInt64?, now: UInt64) -> Int32 {
        guard let soonest else { return 250 }
        guard soonest > now else { return 0 }
        let milliseconds: UInt64 = (soonest - now) / 1_000_000 + 1
        return Int32(min(milliseconds, 250))
    }

    private func hand(_ fd: Int32) {
        ready.withLock { $0.append(fd) }
        available.signal()
    }

    /// Whether the socket's buffer holds BEGIN_REQUEST and the PARAMS records through the empty
    /// one. A head larger than the peek buffer, or bytes that are not FastCGI, count as arrived:
    /// libfcgi then reads (with the worker's per-read deadline) or rejects them.
    static func headArrived(_ fd: Int32, peek buffer: UnsafeMutableRawBufferPointer) -> Bool {
        let count = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_PEEK | MSG_DONTWAIT))
        guard count > 0 else { return count == 0 }  // 0: the peer closed; -1: nothing yet
        var offset = 0
        while offset + 8 <= count {
            guard buffer[offset] == 1 else { return true }
            let type = buffer[offset + 1]
            let length = Int(buffer[offset + 4]) << 8 | Int(buffer[offset + 5])
            if type == 4 && length == 0 { return true }  // the empty PARAMS record ends the head
            offset += 8 + length + Int(buffer[offset + 6])
        }
        return count == buffer.count
    }
}
