/// A CBOR data item (RFC 8949): what COSE and the certificate's claims are made of.
public indirect enum CBOR: Sendable, Equatable {
    case unsigned(UInt64)
    /// The value −1 − n.
    case negative(UInt64)
    case bytes([UInt8])
    case text(String)
    case array([CBOR])
    /// Key–value pairs in their order on the wire.
    case map([Pair])
    case tagged(UInt64, CBOR)
    case bool(Bool)
    case null
    case undefined
    case float(Double)

    public struct Pair: Sendable, Equatable {
        public var key: CBOR, value: CBOR
        public init(_ key: CBOR, _ value: CBOR) {
            self.key = key
            self.value = value
        }
    }

    public static func int(_ value: Int) -> CBOR { value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(-1 - value)) }

    /// The integer value, when it is one that fits an Int.
    public var int: Int? {
        switch self {
        case .unsigned(let n): n <= UInt64(Int.max) ? Int(n) : nil
        case .negative(let n): n <= UInt64(Int.max) ? -1 - Int(n) : nil
        default: nil
        }
    }

    public var text: String? { if case .text(let s) = self { s } else { nil } }
    public var bytes: [UInt8]? { if case .bytes(let b) = self { b } else { nil } }

    /// The value under `key` in a map.
    public subscript(key: CBOR) -> CBOR? {
        guard case .map(let pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    public subscript(key: String) -> CBOR? { self[.text(key)] }
    public subscript(key: Int) -> CBOR? { self[.int(key)] }
}

/// Decodes one CBOR item from untrusted bytes: every length is checked against what is left, nesting is limited,
/// and any malformation is a `CBORError`, never a crash.
public struct CBORDecoder {
    private let bytes: [UInt8]
    private var position = 0
    static let maxDepth = 24

    public static func decode(_ bytes: [UInt8]) throws(CBORError) -> CBOR {
        var decoder = CBORDecoder(bytes: bytes)
        let item = try decoder.item(depth: 0)
        guard decoder.position == bytes.count else { throw CBORError("\(bytes.count - decoder.position) bytes left after the item") }
        return item
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func byte() throws(CBORError) -> UInt8 {
        guard position < bytes.count else { throw CBORError("the data ends inside an item") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func take(_ count: UInt64) throws(CBORError) -> ArraySlice<UInt8> {
        guard count <= UInt64(bytes.count - position) else { throw CBORError("an item claims \(count) bytes, only \(bytes.count - position) are left") }
        defer { position += Int(count) }
        return bytes[position..<(position + Int(count))]
    }

    private mutating func argument(_ info: UInt8) throws(CBORError) -> UInt64 {
        switch info {
        case 0..<24: return UInt64(info)
        case 24...27:
            var value: UInt64 = 0
            for b in try take(1 << (info - 24)) { value = value << 8 | UInt64(b) }
            return value
        default: throw CBORError("reserved additional information \(info)")
        }
    }

    private mutating func item(depth: Int) throws(CBORError) -> CBOR {
        guard depth < Self.maxDepth else { throw CBORError("nested more than \(Self.maxDepth) deep") }
        let initial = try byte()
        let major = initial >> 5, info = initial & 0x1F
        if info == 31 { return try indefinite(major, depth: depth) }
        switch major {
        case 0: return .unsigned(try argument(info))
        case 1: return .negative(try argument(info))
        case 2: return .bytes(Array(try take(try argument(info))))
        case 3:
            guard let text = String(validating: try take(try argument(info)), as: UTF8.self) else { throw CBORError("a text string is not UTF-8") }
            return .text(text)
        case 4:
            let count = try argument(info)
            guard count <= UInt64(bytes.count - position) else { throw CBORError("an array claims \(count) items") }
            var items: [CBOR] = []
            for _ in 0..<count { items.append(try item(depth: depth + 1)) }
            return .array(items)
        case 5:
            let count = try argument(info)
            guard count <= UInt64(bytes.count - position) / 2 else { throw CBORError("a map claims \(count) pairs") }
            var pairs: [CBOR.Pair] = []
            for _ in 0..<count { pairs.append(CBOR.Pair(try item(depth: depth + 1), try item(depth: depth + 1))) }
            return .map(pairs)
        case 6: return .tagged(try argument(info), try item(depth: depth + 1))
        default: return try simple(info)
        }
    }

    private mutating func simple(_ info: UInt8) throws(CBORError) -> CBOR {
        switch info {
        case 20: return .bool(false)
        case 21: return .bool(true)
        case 22: return .null
        case 23: return .undefined
        case 25:
            let raw = try argument(25)
            return .float(Double(Float16Bits.value(UInt16(raw))))
        case 26: return .float(Double(Float(bitPattern: UInt32(try argument(26)))))
        case 27: return .float(Double(bitPattern: try argument(27)))
        default: throw CBORError("unsupported simple value \(info)")
        }
    }

    private mutating func indefinite(_ major: UInt8, depth: Int) throws(CBORError) -> CBOR {
        func atBreak() throws(CBORError) -> Bool {
            guard position < bytes.count else { throw CBORError("an indefinite item is not closed") }
            if bytes[position] == 0xFF {
                position += 1
                return true
            }
            return false
        }
        switch major {
        case 2, 3:
            var chunks: [UInt8] = []
            while try !atBreak() {
                switch (major, try item(depth: depth + 1)) {
                case (2, .bytes(let b)): chunks += b
                case (3, .text(let t)): chunks += Array(t.utf8)
                default: throw CBORError("an indefinite string has a chunk of another type")
                }
            }
            if major == 2 { return .bytes(chunks) }
            return .text(String(decoding: chunks, as: UTF8.self))
        case 4:
            var items: [CBOR] = []
            while try !atBreak() { items.append(try item(depth: depth + 1)) }
            return .array(items)
        case 5:
            var pairs: [CBOR.Pair] = []
            while try !atBreak() { pairs.append(CBOR.Pair(try item(depth: depth + 1), try item(depth: depth + 1))) }
            return .map(pairs)
        default: throw CBORError("major type \(major) cannot be indefinite")
        }
    }
}

public struct CBORError: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// IEEE 754 half precision, decoded by hand (Float16 is not available on every Linux target).
enum Float16Bits {
    static func value(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int(bits >> 10 & 0x1F), fraction = Float(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * Float(pow2: -24)
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Float(pow2: exponent - 15)
        }
    }
}

extension Float {
    init(pow2 n: Int) { self = Float(sign: .plus, exponent: n, significand: 1) }
}

/// Encodes CBOR canonically enough for COSE's Sig_structure (definite lengths, shortest arguments).
public enum CBOREncoder {
    public static func encode(_ item: CBOR) -> [UInt8] {
        var out: [UInt8] = []
        append(item, to: &out)
        return out
    }

    static func head(_ major: UInt8, _ value: UInt64, to out: inout [UInt8]) {
        let m = major << 5
        switch value {
        case 0..<24: out.append(m | UInt8(value))
        case 24...0xFF: out += [m | 24, UInt8(value)]
        case 0x100...0xFFFF: out += [m | 25, UInt8(value >> 8), UInt8(value & 0xFF)]
        case 0x10000...0xFFFF_FFFF: out += [m | 26] + (0..<4).reversed().map { UInt8(value >> (8 * UInt64($0)) & 0xFF) }
        default: out += [m | 27] + (0..<8).reversed().map { UInt8(value >> (8 * UInt64($0)) & 0xFF) }
        }
    }

    static func append(_ item: CBOR, to out: inout [UInt8]) {
        switch item {
        case .unsigned(let n): head(0, n, to: &out)
        case .negative(let n): head(1, n, to: &out)
        case .bytes(let b):
            head(2, UInt64(b.count), to: &out)
            out += b
        case .text(let s):
            head(3, UInt64(s.utf8.count), to: &out)
            out += Array(s.utf8)
        case .array(let items):
            head(4, UInt64(items.count), to: &out)
            for i in items { append(i, to: &out) }
        case .map(let pairs):
            head(5, UInt64(pairs.count), to: &out)
            for p in pairs {
                append(p.key, to: &out)
                append(p.value, to: &out)
            }
        case .tagged(let tag, let inner):
            head(6, tag, to: &out)
            append(inner, to: &out)
        case .bool(let b): out.append(b ? 0xF5 : 0xF4)
        case .null: out.append(0xF6)
        case .undefined: out.append(0xF7)
        case .float(let d):
            out.append(0xFB)
            out += (0..<8).reversed().map { UInt8(d.bitPattern >> (8 * UInt64($0)) & 0xFF) }
        }
    }
}
