/// A certificate's content as JSON (the vaccination, test and recovery entries are shown as they are written).
public indirect enum JSONValue: Sendable, Equatable, Codable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .number(let n):
            if n == n.rounded(), abs(n) < 1e15 { try c.encode(Int(n)) } else { try c.encode(n) }
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// CBOR as JSON: text keys only (others are written as text), byte strings as hex.
    init(_ cbor: CBOR) {
        switch cbor {
        case .unsigned, .negative: self = .number(Double(cbor.int ?? 0))
        case .bytes(let b): self = .string(b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
        case .text(let s): self = .string(s)
        case .array(let items): self = .array(items.map(JSONValue.init))
        case .map(let pairs):
            var object: [String: JSONValue] = [:]
            for pair in pairs { object[pair.key.text ?? pair.key.int.map(String.init) ?? "?"] = JSONValue(pair.value) }
            self = .object(object)
        case .tagged(_, let inner): self = JSONValue(inner)
        case .bool(let b): self = .bool(b)
        case .null, .undefined: self = .null
        case .float(let d): self = d.isFinite ? .number(d) : .null
        }
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public subscript(key: String) -> JSONValue? { if case .object(let o) = self { o[key] } else { nil } }
}
