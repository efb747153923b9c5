#ifndef CHECKPOINT_CV4L2_SHIM_H
#define CHECKPOINT_CV4L2_SHIM_H
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/mman.h>
#include <libv4l2.h>
#include <linux/videodev2.h>

/* libv4l2's open and ioctl are variadic and the VIDIOC_* codes are function-like macros: Swift imports neither.
   These wrappers have fixed arity and return -errno on failure, so errno cannot be clobbered on the way back. */
static inline int cv4l2_open(const char *path, int flags) {
    int fd = v4l2_open(path, flags);
    return fd < 0 ? -errno : fd;
}
static inline int cv4l2_close(int fd) { return v4l2_close(fd) < 0 ? -errno : 0; }
static inline int cv4l2_ioctl(int fd, unsigned long request, void *arg) {
    int r = v4l2_ioctl(fd, request, arg);
    return r < 0 ? -errno : r;
}
static inline void *cv4l2_mmap(size_t length, int fd, int64_t offset) {
    void *p = v4l2_mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
    return p == MAP_FAILED ? NULL : p;
}
/* A buffer's capture time in seconds. Read in C because struct timeval is declared by system headers several of our
   C modules include, and Swift attributes its members to whichever module it saw first. */
static inline double cv4l2_buffer_seconds(const struct v4l2_buffer *b) {
    return (double)b->timestamp.tv_sec + (double)b->timestamp.tv_usec / 1e6;
}
static inline void cv4l2_set_buffer_time(struct v4l2_buffer *b, long seconds, long microseconds) {
    b->timestamp.tv_sec = seconds;
    b->timestamp.tv_usec = microseconds;
}
static inline int cv4l2_munmap(void *start, size_t length) { return v4l2_munmap(start, length) < 0 ? -errno : 0; }
static inline int cv4l2_poll(int fd, int timeout_ms) {
    struct pollfd p = { .fd = fd, .events = POLLIN | POLLPRI, .revents = 0 };
    int r = poll(&p, 1, timeout_ms);
    if (r < 0) return -errno;
    if (r > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL))) return -ENODEV;
    return r;
}

static const unsigned long CV4L2_VIDIOC_QUERYCAP = VIDIOC_QUERYCAP;
static const unsigned long CV4L2_VIDIOC_ENUM_FMT = VIDIOC_ENUM_FMT;
static const unsigned long CV4L2_VIDIOC_ENUM_FRAMESIZES = VIDIOC_ENUM_FRAMESIZES;
static const unsigned long CV4L2_VIDIOC_ENUM_FRAMEINTERVALS = VIDIOC_ENUM_FRAMEINTERVALS;
static const unsigned long CV4L2_VIDIOC_G_FMT = VIDIOC_G_FMT;
static const unsigned long CV4L2_VIDIOC_S_FMT = VIDIOC_S_FMT;
static const unsigned long CV4L2_VIDIOC_REQBUFS = VIDIOC_REQBUFS;
static const unsigned long CV4L2_VIDIOC_QUERYBUF = VIDIOC_QUERYBUF;
static const unsigned long CV4L2_VIDIOC_QBUF = VIDIOC_QBUF;
static const unsigned long CV4L2_VIDIOC_DQBUF = VIDIOC_DQBUF;
static const unsigned long CV4L2_VIDIOC_STREAMON = VIDIOC_STREAMON;
static const unsigned long CV4L2_VIDIOC_STREAMOFF = VIDIOC_STREAMOFF;
#endif
