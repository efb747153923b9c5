/// Writes the inside of a CPTV v2 file (gzip it to get the file): header, then frames, each packed against the
/// previous one exactly as go-cptv does, so re-encoding a recording reproduces its pixel blocks byte for byte.
public struct CPTVEncoder: Sendable {
    public let header: CPTVHeader
    public private(set) var bytes: [UInt8] = []
    private var previous: [UInt16]
    private let snake: [Int32]

    public init(header: CPTVHeader) {
        self.header = header
        previous = [UInt16](repeating: 0, count: header.width * header.height)
        snake = CPTVDecoder.snakeOrder(width: header.width, height: header.height)
        bytes += Array("CPTV".utf8)
        bytes.append(2)
        var fields: [(UInt8, [UInt8])] = []
        func add(_ code: Character, _ payload: [UInt8]) { fields.append((code.asciiValue!, payload)) }
        func string(_ s: String) -> [UInt8] { Array(s.utf8.prefix(255)) }
        // The order go-cptv and the TKO stations used.
        add("T", leBytes(header.timestampMicros))
        add("X", leBytes(UInt32(header.width)))
        add("Y", leBytes(UInt32(header.height)))
        add("C", [1])
        if let v = header.cameraSerial { add("N", leBytes(v)) }
        if let v = header.deviceName { add("D", string(v)) }
        if let v = header.firmware { add("V", string(v)) }
        if let v = header.model { add("E", string(v)) }
        if let v = header.brand { add("B", string(v)) }
        if let v = header.frameRate { add("Z", [v]) }
        if let v = header.deviceID { add("I", leBytes(v)) }
        if let v = header.previewSeconds { add("P", [v]) }
        if let v = header.motionConfig { add("M", string(v)) }
        if let v = header.altitude { add("A", leBytes(v.bitPattern)) }
        if let v = header.latitude { add("L", leBytes(v.bitPattern)) }
        if let v = header.longitude { add("O", leBytes(v.bitPattern)) }
        if let v = header.locationTimestampMicros { add("S", leBytes(v)) }
        if let v = header.accuracy { add("U", leBytes(v.bitPattern)) }
        for field in header.otherFields { fields.append((field.code, Array(field.payload.prefix(255)))) }
        Self.section(UInt8(ascii: "H"), fields.prefix(255), into: &bytes)
    }

    /// Appends one frame (pixels in the recording's unit, row-major, `width * height` values).
    public mutating func append(_ frame: CPTVFrame) {
        precondition(frame.pixels.count == previous.count, "frame size does not match the header")
        let (width, block) = Self.pack(frame.pixels, previous: previous, snake: snake)
        var fields: [(UInt8, [UInt8])] = []
        if let t = frame.time { fields.append((UInt8(ascii: "t"), leBytes(t))) }
        if let c = frame.lastFFC { fields.append((UInt8(ascii: "c"), leBytes(c))) }
        if let a = frame.fpaTemperatureC { fields.append((UInt8(ascii: "a"), leBytes(a.bitPattern))) }
        if let b = frame.fpaTemperatureAtFFCC { fields.append((UInt8(ascii: "b"), leBytes(b.bitPattern))) }
        if frame.isBackground { fields.append((UInt8(ascii: "g"), [1])) }
        fields.append((UInt8(ascii: "w"), [width]))
        fields.append((UInt8(ascii: "f"), leBytes(UInt32(block.count))))
        Self.section(UInt8(ascii: "F"), fields[...], into: &bytes)
        bytes += block
        previous = frame.pixels
    }

    /// §5: temporal difference, snake walk, second difference, smallest signed width, MSB-first packing.
    public static func pack(_ current: [UInt16], previous: [UInt16], snake: [Int32]) -> (bitWidth: UInt8, block: [UInt8]) {
        let n = current.count
        var deltas = [Int32](repeating: 0, count: n)
        var maxAbs: Int32 = 0
        current.withUnsafeBufferPointer { cur in
            previous.withUnsafeBufferPointer { prev in
                snake.withUnsafeBufferPointer { order in
                    var last: Int32 = 0
                    for k in 0..<n {
                        let p = Int(order[k])
                        let s = Int32(cur[p]) - Int32(prev[p])
                        deltas[k] = k == 0 ? s : s - last
                        if k > 0 { maxAbs = max(maxAbs, abs(deltas[k])) }
                        last = s
                    }
                }
            }
        }
        let width = maxAbs == 0 ? 1 : (32 - maxAbs.leadingZeroBitCount) + 1
        var block = leBytes(UInt32(bitPattern: deltas[0]))
        block.reserveCapacity(4 + ((n - 1) * width + 7) / 8)
        var bits: UInt64 = 0, count = 0
        let mask: UInt64 = (1 << UInt64(width)) - 1
        for k in 1..<n {
            bits = bits << UInt64(width) | (UInt64(bitPattern: Int64(deltas[k])) & mask)
            count += width
            while count >= 8 {
                count -= 8
                block.append(UInt8(truncatingIfNeeded: bits >> UInt64(count)))
            }
        }
        if count > 0 { block.append(UInt8(truncatingIfNeeded: bits << UInt64(8 - count))) }
        return (UInt8(width), block)
    }

    static func section(_ kind: UInt8, _ fields: ArraySlice<(UInt8, [UInt8])>, into out: inout [UInt8]) {
        out.append(kind)
        out.append(UInt8(fields.count))
        for (code, payload) in fields {
            out.append(UInt8(payload.count))
            out.append(code)
            out += payload
        }
    }
}

func leBytes<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
    (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
}
