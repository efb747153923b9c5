import CZlib

/// gzip and zlib streams through the system zlib, for CPTV recordings (one gzip stream; a recorder that was killed
/// leaves a stream that ends early, which `gunzip` reports instead of throwing away what it could decode) and for
/// EU digital COVID certificates (a zlib stream inside the QR code).
public enum Gzip {
    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Decompresses a gzip (or zlib) stream. `complete` is false when the input ended before the stream did.
    /// More than `maxOutput` bytes is an error (a small input that inflates without end is an attack, not data).
    public static func gunzip(_ input: [UInt8], maxOutput: Int = .max) throws(Failure) -> (bytes: [UInt8], complete: Bool) {
        var stream = z_stream()
        guard czlib_inflate_init2(&stream, 15 + 32) == Z_OK else { throw Failure(message: "zlib could not start inflating") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(input.count * 4, maxOutput))
        var chunk = [UInt8](repeating: 0, count: min(1 << 18, max(maxOutput, 1 << 12)))
        var status: Int32 = Z_OK
        var failure: String?
        input.withUnsafeBufferPointer { src in
            stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
            stream.avail_in = uInt(src.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { dst in
                    stream.next_out = dst.baseAddress
                    stream.avail_out = uInt(dst.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    output += dst[0..<(dst.count - Int(stream.avail_out))]
                }
                if output.count > maxOutput {
                    failure = "it inflates to more than \(maxOutput) bytes"
                    break
                }
                if status == Z_DATA_ERROR || status == Z_MEM_ERROR || status == Z_STREAM_ERROR {
                    failure = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    break
                }
                // Another gzip member may follow the first (concatenated files are valid gzip).
                if status == Z_STREAM_END && stream.avail_in > 0 {
                    inflateReset(&stream)
                    status = Z_OK
                }
            } while status == Z_OK && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        if let failure, output.count > maxOutput { throw Failure(message: "not a readable stream: \(failure)") }
        if let failure {
            // Damaged compressed data: keep what was inflated before the damage, like a truncated stream.
            if output.isEmpty { throw Failure(message: "not a readable gzip stream: \(failure)") }
            return (output, false)
        }
        return (output, status == Z_STREAM_END)
    }

    /// Compresses into a single gzip member (default level, as go-cptv writes).
    public static func gzip(_ input: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) throws(Failure) -> [UInt8] {
        try deflate(input, level: level, windowBits: 15 + 16)
    }

    /// Compresses into a zlib stream (RFC 1950), as EU digital COVID certificates carry their content.
    public static func zlib(_ input: [UInt8], level: Int32 = 9) throws(Failure) -> [UInt8] {
        try deflate(input, level: level, windowBits: 15)
    }

    static func deflate(_ input: [UInt8], level: Int32, windowBits: Int32) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard czlib_deflate_init2(&stream, level, windowBits) == Z_OK else { throw Failure(message: "zlib could not start deflating") }
        defer { deflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var status: Int32 = Z_OK
        input.withUnsafeBufferPointer { src in
            stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
            stream.avail_in = uInt(src.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { dst in
                    stream.next_out = dst.baseAddress
                    stream.avail_out = uInt(dst.count)
                    status = CZlib.deflate(&stream, Z_FINISH)
                    output += dst[0..<(dst.count - Int(stream.avail_out))]
                }
            } while status == Z_OK
        }
        guard status == Z_STREAM_END else { throw Failure(message: "zlib deflate failed (\(status))") }
        return output
    }
}
