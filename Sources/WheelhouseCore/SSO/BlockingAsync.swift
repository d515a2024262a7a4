import Dispatch
import Synchronization

/// Runs async work to completion from a thread that must wait for it (the SSO worker's, and the
/// tests' stand-in provider). jwt-kit's key collection is an actor, so every call is async. The
/// work runs with a task executor of its own on a Dispatch queue, never on Swift's cooperative
/// pool: a caller blocking a pool thread (a test, a busy process) cannot starve it.
public enum BlockingAsync {
    final class QueueExecutor: TaskExecutor {
        let queue = DispatchQueue(label: "wheelhouse.blocking-async", attributes: .concurrent)

        func enqueue(_ job: consuming ExecutorJob) {
            let unowned = UnownedJob(job)
            let executor = asUnownedTaskExecutor()
            queue.async { unowned.runSynchronously(on: executor) }
        }
    }

    static let executor = QueueExecutor()

    public static func run<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let box = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: executor) {
            let value = await work()
            box.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return box.withLock { $0! }
    }
}
