/// Base45 (RFC 9285), the alphanumeric-QR-friendly encoding of the EU digital COVID certificate.
public enum Base45 {
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)
    static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public static func decode(_ text: some StringProtocol) throws(Failure) -> [UInt8] {
        let chars = Array(text.utf8)
        guard chars.count % 3 != 1 else { throw Failure(description: "Base45 text of \(chars.count) characters is cut short") }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 3 * 2 + 1)
        var i = 0
        while i < chars.count {
            let n = min(3, chars.count - i)
            var value = 0, factor = 1
            for j in 0..<n {
                let v = Int(values[Int(chars[i + j])])
                guard v >= 0 else { throw Failure(description: "'\(Character(Unicode.Scalar(chars[i + j])))' is not a Base45 character") }
                value += v * factor
                factor *= 45
            }
            if n == 3 {
                guard value <= 0xFFFF else { throw Failure(description: "Base45 group at \(i) is out of range") }
                out += [UInt8(value >> 8), UInt8(value & 0xFF)]
            } else {
                guard value <= 0xFF else { throw Failure(description: "Base45 group at \(i) is out of range") }
                out.append(UInt8(value))
            }
            i += n
        }
        return out
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if i + 1 < bytes.count {
                var v = Int(bytes[i]) << 8 | Int(bytes[i + 1])
                for _ in 0..<3 {
                    out.append(alphabet[v % 45])
                    v /= 45
                }
                i += 2
            } else {
                var v = Int(bytes[i])
                for _ in 0..<2 {
                    out.append(alphabet[v % 45])
                    v /= 45
                }
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
