// The event-loop primitives of the real-time runtime; see CIOFabric_loop.h.

#include "CIOFabric_loop.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

_Static_assert(CIOFabric_LOOP_READABLE == EPOLLIN, "EPOLLIN");
_Static_assert(CIOFabric_LOOP_WRITABLE == EPOLLOUT, "EPOLLOUT");
_Static_assert(CIOFabric_LOOP_ERROR == EPOLLERR, "EPOLLERR");
_Static_assert(CIOFabric_LOOP_HANGUP == EPOLLHUP, "EPOLLHUP");

int CIOFabric_loop_create(int32_t *epoll_fd) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) return errno;
    *epoll_fd = fd;
    return 0;
}

int CIOFabric_loop_add(int32_t epoll_fd, int32_t fd, uint32_t events, uint64_t data) {
    struct epoll_event event = {.events = events, .data.u64 = data};
    return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) == 0 ? 0 : errno;
}

int CIOFabric_loop_remove(int32_t epoll_fd, int32_t fd) {
    struct epoll_event unused = {0};
    return epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, &unused) == 0 ? 0 : errno;
}

int CIOFabric_loop_wait(int32_t epoll_fd, CIOFabric_loop_event *events, int32_t capacity, int32_t timeout_ms,
                        int32_t *count) {
    enum { batch = 64 };
    struct epoll_event ready[batch];
    if (capacity > batch) capacity = batch;
    *count = 0;
    int found = epoll_wait(epoll_fd, ready, capacity, timeout_ms);
    if (found < 0) return errno == EINTR ? 0 : errno;
    for (int index = 0; index < found; index++) {
        events[index].events = ready[index].events;
        events[index].data = ready[index].data.u64;
    }
    *count = found;
    return 0;
}

int64_t CIOFabric_loop_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

int CIOFabric_loop_timer_create(int32_t *timer_fd) {
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) return errno;
    *timer_fd = fd;
    return 0;
}

int CIOFabric_loop_timer_set(int32_t timer_fd, int64_t deadline_ns, int32_t disarm) {
    struct itimerspec value = {0};
    if (!disarm) {
        // An all-zero it_value would disarm the timer: an instant at or before 0 becomes 1 ns.
        if (deadline_ns <= 0) deadline_ns = 1;
        value.it_value.tv_sec = deadline_ns / 1000000000;
        value.it_value.tv_nsec = deadline_ns % 1000000000;
    }
    return timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &value, NULL) == 0 ? 0 : errno;
}

int CIOFabric_loop_event_create(int32_t *event_fd) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) return errno;
    *event_fd = fd;
    return 0;
}

int CIOFabric_loop_event_signal(int32_t event_fd) {
    uint64_t one = 1;
    for (;;) {
        if (write(event_fd, &one, sizeof one) == sizeof one) return 0;
        if (errno == EINTR) continue;
        return errno == EAGAIN ? 0 : errno;
    }
}

int CIOFabric_loop_drain(int32_t fd) {
    uint64_t counter;
    for (;;) {
        if (read(fd, &counter, sizeof counter) == sizeof counter) return 0;
        if (errno == EINTR) continue;
        return errno == EAGAIN ? 0 : errno;
    }
}
