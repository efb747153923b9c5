import CV4L2

/// The kernel as the V4L2 camera sees it. Every call returns its result, or −errno on failure. The real one goes
/// through libv4l2; tests script a fake one to check the exact call sequence and every error path.
public protocol V4L2Syscalls: AnyObject {
    func open(_ path: String, flags: Int32) -> Int32
    func close(_ fd: Int32) -> Int32
    func ioctl(_ fd: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer) -> Int32
    /// nil when the mapping failed.
    func mmap(length: Int, fd: Int32, offset: Int64) -> UnsafeMutableRawPointer?
    func munmap(_ address: UnsafeMutableRawPointer, length: Int) -> Int32
    /// 1 when a frame is ready, 0 on timeout, −errno on failure (−ENODEV when the device went away).
    func poll(_ fd: Int32, timeoutMilliseconds: Int32) -> Int32
}

/// libv4l2 through the shim.
public final class LibV4L2: V4L2Syscalls {
    public init() {}
    public func open(_ path: String, flags: Int32) -> Int32 { cv4l2_open(path, flags) }
    public func close(_ fd: Int32) -> Int32 { cv4l2_close(fd) }
    public func ioctl(_ fd: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer) -> Int32 { cv4l2_ioctl(fd, request, argument) }
    public func mmap(length: Int, fd: Int32, offset: Int64) -> UnsafeMutableRawPointer? { cv4l2_mmap(length, fd, offset) }
    public func munmap(_ address: UnsafeMutableRawPointer, length: Int) -> Int32 { cv4l2_munmap(address, length) }
    public func poll(_ fd: Int32, timeoutMilliseconds: Int32) -> Int32 { cv4l2_poll(fd, timeoutMilliseconds) }
}

/// A failed V4L2 call: which call, on which device, and the errno.
public struct V4L2Error: Error, Equatable, CustomStringConvertible {
    public let call: String
    public let device: String
    public let errno: Int32

    public init(call: String, device: String, errno: Int32) {
        self.call = call
        self.device = device
        self.errno = errno
    }

    public var description: String { "\(call) on \(device): \(Self.name(errno))" }

    public var deviceGone: Bool { errno == ENODEV || errno == ENXIO || errno == EIO }

    static func name(_ e: Int32) -> String {
        switch e {
        case ENODEV: "no such device (ENODEV): the camera was unplugged"
        case EBUSY: "device busy (EBUSY): another program is using the camera"
        case ENOENT: "no such file (ENOENT)"
        case EACCES: "permission denied (EACCES): the service user needs the video group (see udev rules)"
        case EINVAL: "invalid argument (EINVAL)"
        case EIO: "input/output error (EIO)"
        case ENOTTY: "not a V4L2 device (ENOTTY)"
        default: "errno \(e)"
        }
    }
}
