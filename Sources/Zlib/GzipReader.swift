import CZlib
import Glibc

/// A gzip (or zlib) stream inflated a piece at a time, from a file or from bytes in memory: a reader holds one
/// input chunk and what it inflated but did not hand out yet, never the whole inflated stream. A 1 MB recording
/// that inflates to 2 GB costs its reader about 300 KB, and stops with an error once `maxOutput` bytes came out.
///
/// Like `Gzip.gunzip`, a stream that ends early or is damaged part way is not an error: `read` returns what came
/// before, then nothing, and `ending` says why. Not Sendable: one reader, one task.
public final class GzipReader {
    /// Why the inflated stream ended: nil while reading and after a clean end.
    public private(set) var ending: String?
    /// Bytes inflated so far.
    public private(set) var inflated = 0
    public let maxOutput: Int

    private let stream: UnsafeMutablePointer<z_stream>  // zlib keeps a pointer back to it: it must not move
    private let fd: Int32?
    private var input: [UInt8]
    private var inputStart = 0
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var finished = false
    private var sawStreamEnd = false
    private static let chunk = 64 << 10

    /// Opens `path`; throws when it cannot be opened.
    public init(path: String, maxOutput: Int) throws(Gzip.Failure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Gzip.Failure(message: "cannot read the file (\(String(cString: strerror(errno))))") }
        self.fd = fd
        input = []
        self.maxOutput = maxOutput
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard czlib_inflate_init2(stream, 15 + 32) == Z_OK else {
            close(fd)
            stream.deallocate()
            throw Gzip.Failure(message: "zlib could not start inflating")
        }
    }

    /// Reads compressed bytes already in memory.
    public init(bytes: [UInt8], maxOutput: Int) throws(Gzip.Failure) {
        fd = nil
        input = bytes
        self.maxOutput = maxOutput
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard czlib_inflate_init2(stream, 15 + 32) == Z_OK else {
            stream.deallocate()
            throw Gzip.Failure(message: "zlib could not start inflating")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        if let fd { close(fd) }
    }

    /// Up to `count` inflated bytes: fewer only at the end of the stream (then `ending` says why, if it ended early).
    /// Throws when the stream inflates to more than `maxOutput` bytes, or the file cannot be read.
    public func read(_ count: Int) throws(Gzip.Failure) -> [UInt8] {
        while pending.count - pendingStart < count && !finished { try inflateMore() }
        let end = pendingStart + min(count, pending.count - pendingStart)
        let out = Array(pending[pendingStart..<end])
        pendingStart = end
        if pendingStart > (1 << 20) || pendingStart == pending.count {  // drop what was handed out
            pending.removeFirst(pendingStart)
            pendingStart = 0
        }
        return out
    }

    private func inflateMore() throws(Gzip.Failure) {
        if inputStart == input.count, let fd {
            var buffer = [UInt8](repeating: 0, count: Self.chunk)
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard n >= 0 else { throw Gzip.Failure(message: "cannot read the file (\(String(cString: strerror(errno))))") }
            input = Array(buffer.prefix(n))
            inputStart = 0
        }
        guard inputStart < input.count else {
            finished = true
            if !sawStreamEnd { ending = "the compressed file ends early" }
            return
        }
        var produced = [UInt8](repeating: 0, count: Self.chunk)
        var status: Int32 = Z_OK
        let used: Int = input.withUnsafeBufferPointer { src in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: src.baseAddress! + inputStart)
            stream.pointee.avail_in = uInt(src.count - inputStart)
            return produced.withUnsafeMutableBufferPointer { dst in
                stream.pointee.next_out = dst.baseAddress
                stream.pointee.avail_out = uInt(dst.count)
                status = inflate(stream, Z_NO_FLUSH)
                return (src.count - inputStart) - Int(stream.pointee.avail_in)
            }
        }
        inputStart += used
        let n = Self.chunk - Int(stream.pointee.avail_out)
        inflated += n
        guard inflated <= maxOutput else {
            throw Gzip.Failure(message: "it inflates to more than \(maxOutput) bytes, more than anything this lane reads (a compression bomb?)")
        }
        pending += produced.prefix(n)
        switch status {
        case Z_OK, Z_BUF_ERROR:
            sawStreamEnd = false
        case Z_STREAM_END:
            sawStreamEnd = true
            inflateReset(stream)  // another gzip member may follow (concatenated files are valid gzip)
        default:
            finished = true
            ending = "the compressed data is damaged (\(stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"))"
        }
    }
}
