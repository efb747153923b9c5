/// Decodes the inside of a CPTV file (after gunzip): the header, then frames one at a time.
///
/// Pixel blocks are snake-ordered second-order deltas against the previous frame, bit-packed MSB first
/// (research/cptv-format.md §5). A stream that stops in the middle of a frame yields every complete frame and
/// then `CPTVError.truncated`; other damage stops decoding with an error naming what is wrong.
public struct CPTVDecoder: Sendable {
    public let header: CPTVHeader
    private let bytes: [UInt8]
    private var offset: Int
    private var previous: [UInt16]
    private var snake: [Int32]
    public private(set) var framesRead = 0

    public init(bytes: [UInt8]) throws(CPTVError) {
        self.bytes = bytes
        guard bytes.count >= 5, bytes[0..<4].elementsEqual("CPTV".utf8) else { throw .notCPTV }
        var header = CPTVHeader()
        header.version = bytes[4]
        guard header.version == 1 || header.version == 2 else { throw .unsupportedVersion(header.version) }
        var reader = FieldReader(bytes: bytes, offset: 5)
        guard let kind = reader.byte(), kind == UInt8(ascii: "H") else { throw .badSection(offset: 5, kind: bytes.count > 5 ? bytes[5] : 0) }
        guard let fields = reader.fields() else { throw .truncated(afterFrames: 0) }
        var sawWidth = false, sawHeight = false
        for (code, p) in fields {
            switch (Character(UnicodeScalar(code)), p.count) {
            case ("T", 8): header.timestampMicros = le(p)
            case ("X", 4): header.width = Int(le(p) as UInt32); sawWidth = true
            case ("Y", 4): header.height = Int(le(p) as UInt32); sawHeight = true
            case ("C", 1): header.compression = p[0]
            case ("D", _): header.deviceName = String(decoding: p, as: UTF8.self)
            case ("I", 4): header.deviceID = le(p)
            case ("N", 4): header.cameraSerial = le(p)
            case ("V", _): header.firmware = String(decoding: p, as: UTF8.self)
            case ("E", _): header.model = String(decoding: p, as: UTF8.self)
            case ("B", _): header.brand = String(decoding: p, as: UTF8.self)
            case ("Z", 1): header.frameRate = p[0]
            case ("P", 1): header.previewSeconds = p[0]
            case ("M", _): header.motionConfig = String(decoding: p, as: UTF8.self)
            case ("L", 4): header.latitude = Float(bitPattern: le(p))
            case ("O", 4): header.longitude = Float(bitPattern: le(p))
            case ("S", 8): header.locationTimestampMicros = le(p)
            case ("A", 4): header.altitude = Float(bitPattern: le(p))
            case ("U", 4): header.accuracy = Float(bitPattern: le(p))
            case ("g", 1): header.backgroundFrames = p[0]
            default: header.otherFields.append((code, p))
            }
        }
        guard sawWidth else { throw .missingField("width (X)") }
        guard sawHeight else { throw .missingField("height (Y)") }
        guard (1...4096).contains(header.width), (1...4096).contains(header.height) else {
            throw .badDimensions(width: header.width, height: header.height)
        }
        // go-cptv writes 1; cptv-rs's encoder writes 0 with the same scheme. Anything else is unknown.
        guard header.compression <= 1 else { throw .unsupportedCompression(header.compression) }
        self.header = header
        offset = reader.offset
        previous = [UInt16](repeating: 0, count: header.width * header.height)
        snake = Self.snakeOrder(width: header.width, height: header.height)
    }

    /// Pixel index of each position along the snake walk: even rows left to right, odd rows right to left.
    static func snakeOrder(width: Int, height: Int) -> [Int32] {
        var order = [Int32](repeating: 0, count: width * height)
        for k in 0..<(width * height) {
            let y = k / width, j = k % width
            order[k] = Int32(y * width + (y % 2 == 0 ? j : width - 1 - j))
        }
        return order
    }

    /// The next frame, or nil at the end of the recording. Background frames are returned with `isBackground`.
    public mutating func next() throws(CPTVError) -> CPTVFrame? {
        guard offset < bytes.count else { return nil }
        var reader = FieldReader(bytes: bytes, offset: offset)
        guard let kind = reader.byte() else { return nil }
        guard kind == UInt8(ascii: "F") else { throw .badSection(offset: offset, kind: kind) }
        guard let fields = reader.fields() else { throw .truncated(afterFrames: framesRead) }
        var frame = CPTVFrame(pixels: [])
        var size: Int?
        for (code, p) in fields {
            switch (Character(UnicodeScalar(code)), p.count) {
            case ("t", 4): frame.time = le(p)
            case ("c", 4): frame.lastFFC = le(p)
            case ("a", 4): frame.fpaTemperatureC = Float(bitPattern: le(p))
            case ("b", 4): frame.fpaTemperatureAtFFCC = Float(bitPattern: le(p))
            case ("g", 1): frame.isBackground = p[0] != 0
            case ("w", 1): frame.bitWidth = p[0]
            case ("f", 4): size = Int(le(p) as UInt32)
            default: break
            }
        }
        let n = header.width * header.height
        let index = framesRead + 1
        guard (1...32).contains(frame.bitWidth) else { throw .badBitWidth(frame: index, width: frame.bitWidth) }
        let expected = 4 + ((n - 1) * Int(frame.bitWidth) + 7) / 8
        guard let size else { throw .missingField("frame size (f) in frame \(index)") }
        guard size == expected else { throw .badFrameSize(frame: index, expected: expected, stored: size) }
        guard reader.offset + size <= bytes.count else { throw .truncated(afterFrames: framesRead) }
        let start = reader.offset
        frame.packed = Array(bytes[start..<(start + size)])
        frame.pixels = Self.unpack(frame.packed, bitWidth: Int(frame.bitWidth), previous: previous, snake: snake)
        previous = frame.pixels
        offset = start + size
        if !frame.isBackground { framesRead += 1 }
        return frame
    }

    /// Reverses §5: seed, then `w`-bit signed second differences along the snake, added to the previous frame.
    static func unpack(_ block: [UInt8], bitWidth w: Int, previous: [UInt16], snake: [Int32]) -> [UInt16] {
        let n = previous.count
        var out = [UInt16](repeating: 0, count: n)
        block.withUnsafeBufferPointer { src in
            previous.withUnsafeBufferPointer { prev in
                snake.withUnsafeBufferPointer { order in
                    out.withUnsafeMutableBufferPointer { dst in
                        var v = Int32(bitPattern: UInt32(src[0]) | UInt32(src[1]) << 8 | UInt32(src[2]) << 16 | UInt32(src[3]) << 24)
                        var p = Int(order[0])
                        dst[p] = UInt16(truncatingIfNeeded: Int32(prev[p]) &+ v)
                        // A 64-bit reservoir refilled a byte at a time up to 56 bits, so most values need no refill;
                        // the sign is extended with an arithmetic shift instead of a branch.
                        var bits: UInt64 = 0, count = 0, byte = 4
                        let end = src.count
                        let mask: UInt64 = (1 << UInt64(w)) - 1
                        let signShift = UInt64(64 - w)
                        for k in 1..<n {
                            if count < w {
                                while count <= 56 && byte < end {
                                    bits = bits << 8 | UInt64(src[byte])
                                    byte += 1
                                    count += 8
                                }
                            }
                            count -= w
                            let raw = (bits >> UInt64(count)) & mask
                            let d = Int32(truncatingIfNeeded: Int64(bitPattern: raw << signShift) >> Int64(signShift))
                            v &+= d
                            p = Int(order[k])
                            dst[p] = UInt16(truncatingIfNeeded: Int32(prev[p]) &+ v)
                        }
                    }
                }
            }
        }
        return out
    }
}

/// Reads `kind | count | count × (length | code | payload)` sections.
struct FieldReader {
    let bytes: [UInt8]
    var offset: Int

    mutating func byte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// The fields of one section, or nil when the stream ends inside it.
    mutating func fields() -> [(UInt8, [UInt8])]? {
        guard let count = byte() else { return nil }
        var out: [(UInt8, [UInt8])] = []
        out.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let length = byte(), let code = byte(), offset + Int(length) <= bytes.count else { return nil }
            out.append((code, Array(bytes[offset..<(offset + Int(length))])))
            offset += Int(length)
        }
        return out
    }
}

/// Little-endian integer from a field's payload (payload length already checked).
func le<T: FixedWidthInteger>(_ p: [UInt8]) -> T {
    var v: T = 0
    for (i, b) in p.prefix(MemoryLayout<T>.size).enumerated() { v |= T(b) << (8 * i) }
    return v
}
