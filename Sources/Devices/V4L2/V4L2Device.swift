import CV4L2
import Thermal

#if canImport(Glibc)
    import Glibc
#endif

/// One open V4L2 capture device, driven from one thread (the capture thread). Every call retries EINTR and throws
/// a `V4L2Error` that names the call and the device. Buffers are memory-mapped (at least 4), as UVC cameras need.
public final class V4L2Device {
    public let path: String
    private let sys: any V4L2Syscalls
    private var fd: Int32
    private var buffers: [(address: UnsafeMutableRawPointer, length: Int)] = []
    private var streaming = false

    public struct Capability: Sendable, Equatable {
        public var driver: String
        public var card: String
        public var busInfo: String
        public var capabilities: UInt32
        public var canCapture: Bool { capabilities & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0 }
        public var canStream: Bool { capabilities & UInt32(V4L2_CAP_STREAMING) != 0 }
    }

    public struct FormatDescription: Sendable, Equatable {
        public var fourcc: FourCC
        public var description: String
        public var sizes: [CameraProfile.Size]
        /// Frames per second offered at each size (discrete intervals; empty when the driver does not say).
        public var framesPerSecond: [CameraProfile.Size: [Double]] = [:]
    }

    /// A filled buffer taken from the driver; give it back with `requeue`.
    public struct Filled: Sendable, Equatable {
        public var index: Int
        public var bytesUsed: Int
        public var sequence: UInt32
        /// Seconds on CLOCK_MONOTONIC (UVC timestamps).
        public var timestamp: Double
    }

    public init(path: String, syscalls: any V4L2Syscalls = LibV4L2()) throws(V4L2Error) {
        self.path = path
        sys = syscalls
        fd = -1
        fd = try call("open") { sys.open(path, flags: O_RDWR | O_NONBLOCK) }
    }

    deinit { close() }

    /// Runs a call, retrying EINTR; a negative result is −errno.
    @discardableResult
    private func call(_ name: String, _ body: () -> Int32) throws(V4L2Error) -> Int32 {
        while true {
            let result = body()
            if result >= 0 { return result }
            if -result == EINTR { continue }
            throw V4L2Error(call: name, device: path, errno: -result)
        }
    }

    private func ioctl<T>(_ name: String, _ request: UInt, _ value: inout T) throws(V4L2Error) {
        let fd = self.fd
        try withUnsafeMutablePointer(to: &value) { (pointer) throws(V4L2Error) -> Void in
            try call(name) { sys.ioctl(fd, request, pointer) }
        }
    }

    public func capability() throws(V4L2Error) -> Capability {
        var cap = v4l2_capability()
        try ioctl("VIDIOC_QUERYCAP", CV4L2_VIDIOC_QUERYCAP, &cap)
        let caps = cap.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0 ? cap.device_caps : cap.capabilities
        return Capability(
            driver: Self.string(cap.driver), card: Self.string(cap.card), busInfo: Self.string(cap.bus_info), capabilities: caps)
    }

    /// Every pixel format the device offers, with its discrete frame sizes.
    public func formats() throws(V4L2Error) -> [FormatDescription] {
        var out: [FormatDescription] = []
        for index in 0..<64 {
            var desc = v4l2_fmtdesc()
            desc.index = UInt32(index)
            desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            do { try ioctl("VIDIOC_ENUM_FMT", CV4L2_VIDIOC_ENUM_FMT, &desc) } catch where error.errno == EINVAL { break }
            let fourcc = FourCC(code: desc.pixelformat)
            let sizes = try frameSizes(fourcc)
            var rates: [CameraProfile.Size: [Double]] = [:]
            for size in sizes { rates[size] = try framesPerSecond(fourcc, size) }
            out.append(FormatDescription(fourcc: fourcc, description: Self.string(desc.description), sizes: sizes, framesPerSecond: rates))
        }
        return out
    }

    public func frameSizes(_ fourcc: FourCC) throws(V4L2Error) -> [CameraProfile.Size] {
        var sizes: [CameraProfile.Size] = []
        for index in 0..<64 {
            var size = v4l2_frmsizeenum()
            size.index = UInt32(index)
            size.pixel_format = fourcc.code
            do { try ioctl("VIDIOC_ENUM_FRAMESIZES", CV4L2_VIDIOC_ENUM_FRAMESIZES, &size) } catch where error.errno == EINVAL || error.errno == ENOTTY { break }
            if size.type == V4L2_FRMSIZE_TYPE_DISCRETE.rawValue {
                sizes.append(.init(Int(size.discrete.width), Int(size.discrete.height)))
            } else {
                sizes.append(.init(Int(size.stepwise.max_width), Int(size.stepwise.max_height)))
                break
            }
        }
        return sizes
    }

    /// Discrete frame rates for a format and size (ENUM_FRAMEINTERVALS); empty when the driver does not list any.
    public func framesPerSecond(_ fourcc: FourCC, _ size: CameraProfile.Size) throws(V4L2Error) -> [Double] {
        var rates: [Double] = []
        for index in 0..<32 {
            var interval = v4l2_frmivalenum()
            interval.index = UInt32(index)
            interval.pixel_format = fourcc.code
            interval.width = UInt32(size.width)
            interval.height = UInt32(size.height)
            do { try ioctl("VIDIOC_ENUM_FRAMEINTERVALS", CV4L2_VIDIOC_ENUM_FRAMEINTERVALS, &interval) } catch where error.errno == EINVAL || error.errno == ENOTTY { break }
            guard interval.type == V4L2_FRMIVAL_TYPE_DISCRETE.rawValue, interval.discrete.numerator > 0 else { break }
            rates.append(Double(interval.discrete.denominator) / Double(interval.discrete.numerator))
        }
        return rates
    }

    /// Asks for a format and returns what the driver actually set (drivers may substitute another).
    public func setFormat(_ fourcc: FourCC, width: Int, height: Int) throws(V4L2Error) -> FrameDecoder.StreamFormat {
        var format = v4l2_format()
        format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        format.fmt.pix.width = UInt32(width)
        format.fmt.pix.height = UInt32(height)
        format.fmt.pix.pixelformat = fourcc.code
        format.fmt.pix.field = V4L2_FIELD_NONE.rawValue
        try ioctl("VIDIOC_S_FMT", CV4L2_VIDIOC_S_FMT, &format)
        let pix = format.fmt.pix
        return .init(
            fourcc: FourCC(code: pix.pixelformat), width: Int(pix.width), height: Int(pix.height),
            bytesPerLine: Int(pix.bytesperline == 0 ? pix.width * 2 : pix.bytesperline))
    }

    /// REQBUFS (mmap, at least 4), QUERYBUF + mmap each buffer, QBUF each, STREAMON.
    public func startStreaming(bufferCount: Int = 4) throws(V4L2Error) {
        var request = v4l2_requestbuffers()
        request.count = UInt32(bufferCount)
        request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        request.memory = V4L2_MEMORY_MMAP.rawValue
        try ioctl("VIDIOC_REQBUFS", CV4L2_VIDIOC_REQBUFS, &request)
        guard request.count >= 2 else { throw V4L2Error(call: "VIDIOC_REQBUFS", device: path, errno: ENOMEM) }
        for index in 0..<Int(request.count) {
            var buffer = Self.buffer(index: index)
            try ioctl("VIDIOC_QUERYBUF", CV4L2_VIDIOC_QUERYBUF, &buffer)
            guard let address = sys.mmap(length: Int(buffer.length), fd: fd, offset: Int64(buffer.m.offset)) else {
                throw V4L2Error(call: "mmap", device: path, errno: ENOMEM)
            }
            buffers.append((address, Int(buffer.length)))
        }
        for index in buffers.indices { try requeue(index) }
        var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        try ioctl("VIDIOC_STREAMON", CV4L2_VIDIOC_STREAMON, &type)
        streaming = true
    }

    /// Waits up to `timeoutMilliseconds` for a frame; nil on timeout.
    public func next(timeoutMilliseconds: Int32) throws(V4L2Error) -> Filled? {
        let fd = self.fd
        let ready = try call("poll") { sys.poll(fd, timeoutMilliseconds: timeoutMilliseconds) }
        guard ready > 0 else { return nil }
        var buffer = Self.buffer(index: 0)
        do { try ioctl("VIDIOC_DQBUF", CV4L2_VIDIOC_DQBUF, &buffer) } catch where error.errno == EAGAIN { return nil }
        guard Int(buffer.index) < buffers.count else { throw V4L2Error(call: "VIDIOC_DQBUF", device: path, errno: EINVAL) }
        let time = cv4l2_buffer_seconds(&buffer)
        return Filled(index: Int(buffer.index), bytesUsed: Int(buffer.bytesused), sequence: buffer.sequence, timestamp: time)
    }

    /// The bytes of a filled buffer, valid until it is requeued.
    public func withBytes<R>(of filled: Filled, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let mapped = buffers[filled.index]
        return try body(UnsafeRawBufferPointer(start: mapped.address, count: min(filled.bytesUsed, mapped.length)))
    }

    public func requeue(_ index: Int) throws(V4L2Error) {
        var buffer = Self.buffer(index: index)
        try ioctl("VIDIOC_QBUF", CV4L2_VIDIOC_QBUF, &buffer)
    }

    /// STREAMOFF and unmap; errors are ignored because the device may already be gone.
    public func stopStreaming() {
        if streaming {
            var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
            try? ioctl("VIDIOC_STREAMOFF", CV4L2_VIDIOC_STREAMOFF, &type)
            streaming = false
        }
        for mapped in buffers { _ = sys.munmap(mapped.address, length: mapped.length) }
        buffers.removeAll()
    }

    public func close() {
        stopStreaming()
        if fd >= 0 {
            _ = sys.close(fd)
            fd = -1
        }
    }

    private static func buffer(index: Int) -> v4l2_buffer {
        var buffer = v4l2_buffer()
        buffer.index = UInt32(index)
        buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        buffer.memory = V4L2_MEMORY_MMAP.rawValue
        return buffer
    }

    /// Fixed C char arrays import as tuples: read them as bytes up to the first NUL.
    static func string<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
