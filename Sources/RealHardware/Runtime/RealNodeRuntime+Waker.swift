import CIOFabric
import Hardware
import Synchronization

/// An object told on the loop of tokens another thread posted through a
/// ``RealNodeRuntime/Waker``, without a closure per post.
public protocol WakeHandler: AnyObject {
    /// A token posted by ``RealNodeRuntime/Waker/post(_:)`` arrived. Runs on the runtime's loop,
    /// once per post, in the order the posts were made.
    func wakeReceived(_ token: UInt64)
}

extension RealNodeRuntime {
    /// The one thread-safe way into a ``RealNodeRuntime``: another thread (the SG_IO worker,
    /// for one) posts a token; the loop wakes through its `eventfd` and hands the token to the
    /// waker's ``WakeHandler`` on a later turn.
    ///
    /// The token says what happened (a request number, a slot); the worker keeps the results
    /// themselves in its own locked storage, which the handler reads on the loop.
    ///
    /// Made on the loop by ``RealNodeRuntime/makeWaker(handler:)``; may be copied to and kept by
    /// any thread, even after the runtime is gone (posts are then ignored).
    public final class Waker: Sendable {
        let mailbox: RealMailbox
        /// The runtime's number for this waker's handler.
        let id: UInt32

        init(mailbox: RealMailbox, id: UInt32) {
            self.mailbox = mailbox
            self.id = id
        }

        /// Queues `token` for the handler and wakes the loop. Safe from any thread; never blocks
        /// for long (one short lock and one `write` to the eventfd).
        public func post(_ token: UInt64) {
            mailbox.post(waker: id, token: token)
        }
    }
}

/// The posts waiting for a ``RealNodeRuntime``'s loop, and the eventfd that wakes it.
///
/// Owns the eventfd, so a ``RealNodeRuntime/Waker`` that outlives its runtime still writes to a
/// valid descriptor (never to a number the process reused for another file).
final class RealMailbox: Sendable {
    struct Post {
        var waker: UInt32
        var token: UInt64
    }

    let eventFD: Int32
    private let queue = Mutex<[Post]>([])

    init() throws(RealRuntimeError) {
        var fd: Int32 = -1
        let error = CIOFabric_loop_event_create(&fd)
        guard error == 0 else { throw .systemCall(function: "eventfd", errno: error) }
        eventFD = fd
    }

    deinit {
        close(eventFD)
    }

    func post(waker: UInt32, token: UInt64) {
        queue.withLock { $0.append(Post(waker: waker, token: token)) }
        // Appended before the signal: a loop that drains the eventfd then takes the queue sees
        // this post either now or on the wake-up the signal causes.
        _ = CIOFabric_loop_event_signal(eventFD)
    }

    /// Every post so far, oldest first, leaving the queue empty.
    func takeAll() -> [Post] {
        queue.withLock { posts in
            let taken = posts
            posts.removeAll(keepingCapacity: true)
            return taken
        }
    }
}

import Glibc
