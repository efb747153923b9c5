/// Decodes the inside of a CPTV file (after gunzip): the header, then frames one at a time.
///
/// Pixel blocks are snake-ordered second-order deltas against the previous frame, bit-packed MSB first
/// (research/cptv-format.md §5). A stream that stops in the middle of a frame yields every complete frame and
/// then `CPTVError.truncated`; other damage stops decoding with an error naming what is wrong.
public struct CPTVDecoder {
    public let header: CPTVHeader
    public let limits: CPTVLimits
    private var source: any CPTVByteSource
    /// Bytes of the CPTV stream consumed so far (for naming where damage is).
    private var offset: Int
    private var previous: [UInt16]
    private var snake: [Int32]
    public private(set) var framesRead = 0

    /// Decodes a CPTV stream already in memory.
    public init(bytes: [UInt8], limits: CPTVLimits = CPTVLimits()) throws(CPTVError) {
        try self.init(source: CPTVBytes(bytes), limits: limits)
    }

    /// Decodes a CPTV stream read from `source` a section at a time: the decoder holds one frame, never the stream.
    public init(source: any CPTVByteSource, limits: CPTVLimits = CPTVLimits()) throws(CPTVError) {
        self.source = source
        self.limits = limits
        offset = 0
        let magic = try Self.take(5, from: &self.source, offset: &offset)
        guard magic.count == 5, magic[0..<4].elementsEqual("CPTV".utf8) else { throw .notCPTV }
        var header = CPTVHeader()
        header.version = magic[4]
        guard header.version == 1 || header.version == 2 else { throw .unsupportedVersion(header.version) }
        let kind = try Self.take(1, from: &self.source, offset: &offset)
        guard kind == [UInt8(ascii: "H")] else { throw .badSection(offset: 5, kind: kind.first ?? 0) }
        guard let fields = try Self.fields(from: &self.source, offset: &offset) else { throw .truncated(afterFrames: 0) }
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
        guard (1...limits.maxSide).contains(header.width), (1...limits.maxSide).contains(header.height) else {
            throw .badDimensions(width: header.width, height: header.height)
        }
        // go-cptv writes 1; cptv-rs's encoder writes 0 with the same scheme. Anything else is unknown.
        guard header.compression <= 1 else { throw .unsupportedCompression(header.compression) }
        self.header = header
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
        let start = offset
        let kindBytes = try Self.take(1, from: &source, offset: &offset)
        guard let kind = kindBytes.first else { return nil }
        guard kind == UInt8(ascii: "F") else { throw .badSection(offset: start, kind: kind) }
        guard let fields = try Self.fields(from: &source, offset: &offset) else { throw .truncated(afterFrames: framesRead) }
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
        guard framesRead < limits.maxFrames else { throw .tooManyFrames(limit: limits.maxFrames) }
        guard (1...32).contains(frame.bitWidth) else { throw .badBitWidth(frame: index, width: frame.bitWidth) }
        let expected = 4 + ((n - 1) * Int(frame.bitWidth) + 7) / 8
        guard let size else { throw .missingField("frame size (f) in frame \(index)") }
        guard size == expected else { throw .badFrameSize(frame: index, expected: expected, stored: size) }
        frame.packed = try Self.take(size, from: &source, offset: &offset)
        guard frame.packed.count == size else { throw .truncated(afterFrames: framesRead) }
        frame.pixels = Self.unpack(frame.packed, bitWidth: Int(frame.bitWidth), previous: previous, snake: snake)
        previous = frame.pixels
        if !frame.isBackground { framesRead += 1 }
        return frame
    }

    static func take(_ count: Int, from source: inout any CPTVByteSource, offset: inout Int) throws(CPTVError) -> [UInt8] {
        let bytes = try source.read(count)
        offset += bytes.count
        return bytes
    }

    /// The fields of one section (`count × (length | code | payload)`), or nil when the stream ends inside it.
    static func fields(from source: inout any CPTVByteSource, offset: inout Int) throws(CPTVError) -> [(UInt8, [UInt8])]? {
        guard let count = try take(1, from: &source, offset: &offset).first else { return nil }
        var out: [(UInt8, [UInt8])] = []
        out.reserveCapacity(Int(count))
        for _ in 0..<count {
            let lengthAndCode = try take(2, from: &source, offset: &offset)
            guard lengthAndCode.count == 2 else { return nil }
            let payload = try take(Int(lengthAndCode[0]), from: &source, offset: &offset)
            guard payload.count == Int(lengthAndCode[0]) else { return nil }
            out.append((lengthAndCode[1], payload))
        }
        return out
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

/// Where a decoder takes the bytes of a CPTV stream from: memory (`CPTVBytes`), or a compressed file inflated a
/// piece at a time (in Devices, where files are opened).
public protocol CPTVByteSource {
    /// Up to `count` bytes: fewer only at the end of the stream. Throws when the bytes cannot be had at all.
    mutating func read(_ count: Int) throws(CPTVError) -> [UInt8]
}

/// A CPTV stream already in memory.
public struct CPTVBytes: CPTVByteSource, Sendable {
    let bytes: [UInt8]
    var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public mutating func read(_ count: Int) throws(CPTVError) -> [UInt8] {
        let end = min(bytes.count, position + count)
        defer { position = end }
        return Array(bytes[position..<end])
    }
}

/// What a recording may hold, so that a crafted file cannot take the lane's memory or time: thermal cores are at
/// most 640×512, and 100,000 frames are three hours at 9 Hz.
public struct CPTVLimits: Sendable {
    public var maxSide = 1024
    public var maxFrames = 100_000

    public init(maxSide: Int = 1024, maxFrames: Int = 100_000) {
        self.maxSide = maxSide
        self.maxFrames = maxFrames
    }
}

/// Little-endian integer from a field's payload (payload length already checked).
func le<T: FixedWidthInteger>(_ p: [UInt8]) -> T {
    var v: T = 0
    for (i, b) in p.prefix(MemoryLayout<T>.size).enumerated() { v |= T(b) << (8 * i) }
    return v
}
