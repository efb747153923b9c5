import CZlib

/// gzip and zlib streams through the system zlib, for CPTV recordings (one gzip stream; a recorder that was killed
/// leaves a stream that ends early, which `gunzip` reports instead of throwing away what it could decode) and for
/// EU digital COVID certificates (a zlib stream inside the QR code).
public enum Gzip {
    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Decompresses a gzip (or zlib) stream held in memory. `complete` is false when the input ended, or was
    /// damaged, before the stream did (what came before is kept). More than `maxOutput` bytes is an error (a small
    /// input that inflates without end is an attack, not data). The inflating is `GzipReader`'s.
    public static func gunzip(_ input: [UInt8], maxOutput: Int = .max) throws(Failure) -> (bytes: [UInt8], complete: Bool) {
        let reader = try GzipReader(bytes: input, maxOutput: maxOutput)
        let bytes = try reader.read(.max)
        if bytes.isEmpty, let ending = reader.ending, ending.contains("damaged") {
            throw Failure(message: "not a readable gzip stream: \(ending)")
        }
        return (bytes, reader.ending == nil)
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
