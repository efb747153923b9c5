import CV4L2
import Devices
import Foundation
import Thermal

/// A scripted kernel for `V4L2Device`: answers each call as a UVC camera would, records the call sequence, and
/// injects failures (a busy device, a camera unplugged mid-stream, a driver that substitutes another format).
final class ScriptedV4L2: V4L2Syscalls, @unchecked Sendable {
    var calls: [String] = []
    var offered: [(FourCC, [CameraProfile.Size])] = [(.y16, [.init(160, 120), .init(160, 122)])]
    var substituteFormat: FourCC?
    var openError: Int32?
    var failDequeueAt: Int?
    var onFailure: (@Sendable () -> Void)?
    /// Told the node path of each open.
    var onOpen: (@Sendable (String) -> Void)?
    /// The bytes of frame n; by default a uniform frame of the negotiated size.
    var frameBytes: ((Int) -> [UInt8])?
    private var memory: [UnsafeMutableRawPointer] = []
    private var queued: [UInt32] = []
    private var dequeues = 0
    private var format = (fourcc: FourCC.y16, width: 160, height: 120)
    let bufferLength = 160 * 122 * 2

    deinit { for m in memory { m.deallocate() } }

    func open(_ path: String, flags: Int32) -> Int32 {
        calls.append("open")
        onOpen?(path)
        if let openError { return -openError }
        return 7
    }

    func close(_ fd: Int32) -> Int32 {
        calls.append("close")
        return 0
    }

    func ioctl(_ fd: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer) -> Int32 {
        switch request {
        case CV4L2_VIDIOC_QUERYCAP:
            calls.append("QUERYCAP")
            let cap = argument.assumingMemoryBound(to: v4l2_capability.self)
            withUnsafeMutableBytes(of: &cap.pointee.driver) { copy("uvcvideo", into: $0) }
            withUnsafeMutableBytes(of: &cap.pointee.card) { copy("PureThermal (fw:v1.3.0)", into: $0) }
            withUnsafeMutableBytes(of: &cap.pointee.bus_info) { copy("usb-0000:00:14.0-2", into: $0) }
            cap.pointee.capabilities = UInt32(V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING)
        case CV4L2_VIDIOC_ENUM_FMT:
            let desc = argument.assumingMemoryBound(to: v4l2_fmtdesc.self)
            guard Int(desc.pointee.index) < offered.count else { return -EINVAL }
            calls.append("ENUM_FMT")
            desc.pointee.pixelformat = offered[Int(desc.pointee.index)].0.code
        case CV4L2_VIDIOC_ENUM_FRAMESIZES:
            let size = argument.assumingMemoryBound(to: v4l2_frmsizeenum.self)
            guard let sizes = offered.first(where: { $0.0.code == size.pointee.pixel_format })?.1, Int(size.pointee.index) < sizes.count else { return -EINVAL }
            size.pointee.type = V4L2_FRMSIZE_TYPE_DISCRETE.rawValue
            size.pointee.discrete.width = UInt32(sizes[Int(size.pointee.index)].width)
            size.pointee.discrete.height = UInt32(sizes[Int(size.pointee.index)].height)
        case CV4L2_VIDIOC_ENUM_FRAMEINTERVALS:
            // 8.7 fps (a Lepton's 115 ms frame interval), one entry per size.
            let interval = argument.assumingMemoryBound(to: v4l2_frmivalenum.self)
            guard interval.pointee.index == 0 else { return -EINVAL }
            interval.pointee.type = V4L2_FRMIVAL_TYPE_DISCRETE.rawValue
            interval.pointee.discrete.numerator = 1000
            interval.pointee.discrete.denominator = 8700
        case CV4L2_VIDIOC_S_FMT:
            calls.append("S_FMT")
            let f = argument.assumingMemoryBound(to: v4l2_format.self)
            if let substituteFormat { f.pointee.fmt.pix.pixelformat = substituteFormat.code }
            f.pointee.fmt.pix.bytesperline = f.pointee.fmt.pix.width * 2
            format = (FourCC(code: f.pointee.fmt.pix.pixelformat), Int(f.pointee.fmt.pix.width), Int(f.pointee.fmt.pix.height))
        case CV4L2_VIDIOC_REQBUFS:
            calls.append("REQBUFS")
            let r = argument.assumingMemoryBound(to: v4l2_requestbuffers.self)
            expectMMAPHelper(r.pointee.memory)
            r.pointee.count = max(r.pointee.count, 4)
        case CV4L2_VIDIOC_QUERYBUF:
            calls.append("QUERYBUF")
            let b = argument.assumingMemoryBound(to: v4l2_buffer.self)
            b.pointee.length = UInt32(bufferLength)
            b.pointee.m.offset = b.pointee.index * 4096
        case CV4L2_VIDIOC_QBUF:
            calls.append("QBUF")
            queued.append(argument.assumingMemoryBound(to: v4l2_buffer.self).pointee.index)
        case CV4L2_VIDIOC_DQBUF:
            calls.append("DQBUF")
            dequeues += 1
            if let failDequeueAt, dequeues >= failDequeueAt {
                onFailure?()
                return -ENODEV
            }
            guard !queued.isEmpty else { return -EAGAIN }
            let b = argument.assumingMemoryBound(to: v4l2_buffer.self)
            let index = queued.removeFirst()
            let bytes = frameBytes?(dequeues) ?? [UInt8](repeating: 0x30, count: format.width * format.height * 2)
            memory[Int(index)].copyMemory(from: bytes, byteCount: min(bytes.count, bufferLength))
            b.pointee.index = index
            b.pointee.bytesused = UInt32(bytes.count)
            b.pointee.sequence = UInt32(dequeues - 1)
            cv4l2_set_buffer_time(b, 100, Int(dequeues) * 114_000)
        case CV4L2_VIDIOC_STREAMON: calls.append("STREAMON")
        case CV4L2_VIDIOC_STREAMOFF: calls.append("STREAMOFF")
        default:
            calls.append("ioctl?\(request)")
            return -ENOTTY
        }
        return 0
    }

    func mmap(length: Int, fd: Int32, offset: Int64) -> UnsafeMutableRawPointer? {
        calls.append("mmap")
        let m = UnsafeMutableRawPointer.allocate(byteCount: length, alignment: 16)
        memory.append(m)
        return m
    }

    func munmap(_ address: UnsafeMutableRawPointer, length: Int) -> Int32 {
        calls.append("munmap")
        return 0
    }

    func poll(_ fd: Int32, timeoutMilliseconds: Int32) -> Int32 {
        calls.append("poll")
        return 1
    }

    private func copy(_ s: String, into raw: UnsafeMutableRawBufferPointer) {
        for (i, b) in s.utf8.prefix(raw.count - 1).enumerated() { raw[i] = b }
    }

    private func expectMMAPHelper(_ memory: UInt32) { precondition(memory == V4L2_MEMORY_MMAP.rawValue, "buffers must be memory-mapped") }
}
