// CIOFabric_loop: the Linux event-loop primitives the real-time runtime waits on.
//
// Swift's Glibc module does not import <sys/epoll.h>, <sys/timerfd.h> or <sys/eventfd.h>,
// and `struct epoll_event` is packed on x86-64, so these flat wrappers stand in for them.
// Same conventions as CIOFabric.h: 0 on success, a positive errno value on failure, results
// through out-parameters; every descriptor is created close-on-exec and non-blocking.

#ifndef CIOFABRIC_LOOP_H
#define CIOFABRIC_LOOP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Readiness bits of a watched descriptor (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP).
#define CIOFabric_LOOP_READABLE 0x001u
#define CIOFabric_LOOP_WRITABLE 0x004u
#define CIOFabric_LOOP_ERROR 0x008u
#define CIOFabric_LOOP_HANGUP 0x010u

/// One ready descriptor from `CIOFabric_loop_wait`: its readiness bits and the caller's datum.
typedef struct CIOFabric_loop_event {
    uint32_t events;
    uint64_t data;
} CIOFabric_loop_event;

/// epoll_create1(EPOLL_CLOEXEC).
int CIOFabric_loop_create(int32_t *epoll_fd);

/// epoll_ctl(ADD): watch `fd` for `events` (level-triggered), reporting `data`.
int CIOFabric_loop_add(int32_t epoll_fd, int32_t fd, uint32_t events, uint64_t data);

/// epoll_ctl(DEL).
int CIOFabric_loop_remove(int32_t epoll_fd, int32_t fd);

/// epoll_wait for at most `capacity` events, `timeout_ms` (-1: no limit); EINTR counts as zero
/// events. `*count` is the number of events written.
int CIOFabric_loop_wait(int32_t epoll_fd, CIOFabric_loop_event *events, int32_t capacity, int32_t timeout_ms,
                        int32_t *count);

/// The CLOCK_MONOTONIC time in nanoseconds.
int64_t CIOFabric_loop_monotonic_ns(void);

/// timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC).
int CIOFabric_loop_timer_create(int32_t *timer_fd);

/// Arms the timer to expire once at the absolute CLOCK_MONOTONIC time `deadline_ns`
/// (values of 0 or less arm it for 1 ns, i.e. already expired); `disarm` non-zero disarms it.
int CIOFabric_loop_timer_set(int32_t timer_fd, int64_t deadline_ns, int32_t disarm);

/// eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC).
int CIOFabric_loop_event_create(int32_t *event_fd);

/// Adds 1 to the eventfd's counter; a full counter (EAGAIN) is success (the loop wakes anyway).
int CIOFabric_loop_event_signal(int32_t event_fd);

/// Reads (and so clears) a timerfd's or eventfd's 8-byte counter; nothing to read is success.
int CIOFabric_loop_drain(int32_t fd);

#ifdef __cplusplus
}
#endif

#endif // CIOFABRIC_LOOP_H
