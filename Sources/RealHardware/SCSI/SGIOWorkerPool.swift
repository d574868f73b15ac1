import Glibc
import Hardware

/// The threads that run a ``RealSCSIGenericDevice``'s commands, so the loop never blocks in
/// SG_IO: a small FIFO of jobs under one mutex and condition variable, one or more threads
/// taking them in order and calling the ``SGIOExecutor``, each result parked under the same
/// mutex and its job number posted to the loop through a ``RealNodeRuntime/Waker``.
///
/// The loop side calls ``enqueue(_:command:)`` and ``takeResult(_:)``; ``stop()`` (from the
/// loop) cancels what has not started, lets the running commands finish and joins the threads.
/// The threads block every signal, so SG_IO never returns EINTR with a command half sent.
final class SGIOWorkerPool: @unchecked Sendable {
    // @unchecked: every stored var below is read and written with `mutex` held; the pointers
    // and lets are set once in init.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var jobs: [(id: UInt64, command: SGIOCommand)] = []
    private var head = 0
    private var finished: [UInt64: SGIOResult] = [:]
    private var stopping = false
    private var threads: [pthread_t] = []
    private let executor: any SGIOExecutor
    private let waker: RealNodeRuntime.Waker

    /// Starts `threadCount` threads. Throws the errno of `pthread_create` (the threads already
    /// started are stopped first).
    init(executor: any SGIOExecutor, waker: RealNodeRuntime.Waker, threadCount: Int) throws(SGIOWorkerStartError) {
        precondition(threadCount >= 1, "an SG_IO worker pool needs a thread")
        self.executor = executor
        self.waker = waker
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        for _ in 0..<threadCount {
            let context = Unmanaged.passRetained(self).toOpaque()
            var thread = pthread_t()
            let code = pthread_create(
                &thread, nil,
                { context in
                    let pool = Unmanaged<SGIOWorkerPool>.fromOpaque(context!).takeRetainedValue()
                    pool.work()
                    return nil
                }, context)
            guard code == 0 else {
                Unmanaged<SGIOWorkerPool>.fromOpaque(context).release()
                stop()
                throw SGIOWorkerStartError(errno: code)
            }
            threads.append(thread)
        }
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    private func locked<Result>(_ body: () -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    /// Queues job `id`; a thread runs it and posts `id` when its result is ready. Returns false
    /// (and queues nothing) once the pool is stopping.
    func enqueue(_ id: UInt64, command: SGIOCommand) -> Bool {
        let accepted = locked { () -> Bool in
            guard !stopping else { return false }
            jobs.append((id, command))
            return true
        }
        if accepted { pthread_cond_signal(condition) }
        return accepted
    }

    /// The result of job `id`, removed; nil when it is not ready (or was taken already).
    func takeResult(_ id: UInt64) -> SGIOResult? {
        locked { finished.removeValue(forKey: id) }
    }

    /// Stops the pool: jobs not started finish at once with ECANCELED (posted like the others),
    /// the running ones complete, and the threads are joined. Blocks until then, at most about
    /// the longest running command's timeout. Idempotent.
    func stop() {
        let (cancelled, toJoin) = locked { () -> ([UInt64], [pthread_t]) in
            stopping = true
            let waiting = jobs[head...].map(\.id)
            for id in waiting { finished[id] = .failed(errno: ECANCELED) }
            jobs.removeAll()
            head = 0
            let joining = threads
            threads.removeAll()
            return (waiting, joining)
        }
        pthread_cond_broadcast(condition)
        for id in cancelled { waker.post(id) }
        for thread in toJoin { pthread_join(thread, nil) }
    }

    /// A thread's life: take the oldest job, run it, park its result, post its number.
    private func work() {
        var signals = sigset_t()
        sigfillset(&signals)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        while true {
            pthread_mutex_lock(mutex)
            while head == jobs.count && !stopping { pthread_cond_wait(condition, mutex) }
            guard head < jobs.count else {
                pthread_mutex_unlock(mutex)
                return
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            pthread_mutex_unlock(mutex)

            let result = executor.execute(job.command)
            locked { finished[job.id] = result }
            waker.post(job.id)
        }
    }
}

/// `pthread_create` failed while starting an ``SGIOWorkerPool``.
struct SGIOWorkerStartError: Error {
    var errno: Int32
}
