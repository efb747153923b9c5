/// The keyboard country a keyboard-wedge scanner is programmed for. The scanner "types" by key position (HID usage),
/// so the host must read those positions with the same layout, or `|` arrives as `~` and `z` as `y`.
/// Only Tab, Space, 0–9 and A–Z mean the same everywhere; anything else depends on this setting.
public enum KeyboardLayout: String, Sendable, CaseIterable {
    case us, uk, de, fr

    /// What one key produces: a character, a dead accent waiting for the next key, or nothing.
    public enum Output: Equatable, Sendable {
        case character(Unicode.Scalar)
        case deadKey(DeadAccent)
    }

    public enum DeadAccent: Sendable, Equatable {
        case acute, grave, circumflex, diaeresis, tilde

        /// The spacing character the accent stands for when nothing composes with it.
        public var spacing: Unicode.Scalar {
            switch self {
            case .acute: "\u{B4}"
            case .grave: "`"
            case .circumflex: "^"
            case .diaeresis: "\u{A8}"
            case .tilde: "~"
            }
        }

        /// The precomposed letter, or nil when this accent does not combine with `base`.
        public func compose(_ base: Unicode.Scalar) -> Unicode.Scalar? {
            let pairs: String
            switch self {
            case .acute: pairs = "aáeéiíoóuúyýAÁEÉIÍOÓUÚYÝ"
            case .grave: pairs = "aàeèiìoòuùAÀEÈIÌOÒUÙ"
            case .circumflex: pairs = "aâeêiîoôuûAÂEÊIÎOÔUÛ"
            case .diaeresis: pairs = "aäeëiïoöuüyÿAÄEËIÏOÖUÜ"
            case .tilde: pairs = "aãoõnñAÃOÕNÑ"
            }
            var scalars = pairs.unicodeScalars.makeIterator()
            while let plain = scalars.next(), let accented = scalars.next() {
                if plain == base { return accented }
            }
            return nil
        }
    }

    /// The output of key `usage` with the given modifiers, before Caps Lock (which `KeyboardWedgeDecoder` applies
    /// to letters). nil for keys that type nothing (function keys, arrows) or are handled elsewhere (Enter, keypad).
    @inline(__always)
    public func output(usage: UInt8, shift: Bool, altGr: Bool) -> Output? {
        let table = Self.compiled[ordinal]
        return altGr ? table.altGr[Int(usage)] : table.plain[Int(usage) &* 2 &+ (shift ? 1 : 0)]
    }

    /// Lookup tables built once from the readable tables below (a report is decoded without hashing).
    private struct KeyTable: Sendable {
        var plain: [Output?]
        var altGr: [Output?]
    }

    private static let compiled: [KeyTable] = allCases.map { layout in
        KeyTable(
            plain: (0..<512).map { layout.lookup(usage: UInt8($0 / 2), shift: $0 % 2 == 1, altGr: false) },
            altGr: (0..<256).map { layout.lookup(usage: UInt8($0), shift: false, altGr: true) })
    }

    private var ordinal: Int {
        switch self {
        case .us: 0
        case .uk: 1
        case .de: 2
        case .fr: 3
        }
    }

    private func lookup(usage: UInt8, shift: Bool, altGr: Bool) -> Output? {
        if altGr {
            guard let entry = altGrTable[usage] else { return nil }
            return entry
        }
        if usage >= 0x04 && usage <= 0x1D {
            let letter = Unicode.Scalar(UInt8(ascii: "a") + usage - 0x04)
            if let special = letterOverrides[letter] { return special.pick(shift) }
            return .character(shift ? Unicode.Scalar(UInt8(letter.value) - 32) : letter)
        }
        guard let pair = symbolTable[usage] else { return nil }
        return pair.pick(shift)
    }

    /// A key's unshifted and shifted outputs.
    struct Pair {
        var base: Output?
        var shifted: Output?
        func pick(_ shift: Bool) -> Output? { shift ? shifted : base }
        init(_ base: Unicode.Scalar?, _ shifted: Unicode.Scalar?) {
            self.base = base.map(Output.character)
            self.shifted = shifted.map(Output.character)
        }
        init(_ base: Output?, _ shifted: Output?) {
            self.base = base
            self.shifted = shifted
        }
    }

    /// Letters that sit elsewhere in this layout (QWERTZ swaps y/z, AZERTY moves a, q, w, z and m).
    private var letterOverrides: [Unicode.Scalar: Pair] {
        switch self {
        case .us, .uk: [:]
        case .de: ["y": Pair("z", "Z"), "z": Pair("y", "Y")]
        case .fr:
            ["a": Pair("q", "Q"), "q": Pair("a", "A"), "w": Pair("z", "Z"), "z": Pair("w", "W"), "m": Pair(",", "?")]
        }
    }

    private var symbolTable: [UInt8: Pair] {
        switch self {
        case .us: Self.usSymbols
        case .uk: Self.ukSymbols
        case .de: Self.deSymbols
        case .fr: Self.frSymbols
        }
    }

    private var altGrTable: [UInt8: Output] {
        switch self {
        case .us: [:]
        case .uk: [0x21: .character("€"), 0x35: .character("¦")]
        case .de:
            [
                0x14: .character("@"), 0x08: .character("€"), 0x10: .character("µ"), 0x1F: .character("²"),
                0x20: .character("³"), 0x24: .character("{"), 0x25: .character("["), 0x26: .character("]"),
                0x27: .character("}"), 0x2D: .character("\\"), 0x30: .character("~"), 0x64: .character("|"),
            ]
        case .fr:
            [
                0x1F: .character("~"), 0x20: .character("#"), 0x21: .character("{"), 0x22: .character("["),
                0x23: .character("|"), 0x24: .character("`"), 0x25: .character("\\"), 0x26: .character("^"),
                0x27: .character("@"), 0x2D: .character("]"), 0x2E: .character("}"), 0x30: .character("¤"),
                0x08: .character("€"),
            ]
        }
    }

    /// Digits and space, the same in US, UK and DE (FR types digits with Shift).
    private static let digits: [UInt8: Pair] = {
        var table: [UInt8: Pair] = [0x2C: Pair(" ", " ")]
        for (offset, digit) in "1234567890".unicodeScalars.enumerated() { table[0x1E + UInt8(offset)] = Pair(digit, nil) }
        return table
    }()

    private static func withDigits(shifted: String, _ rest: [UInt8: Pair]) -> [UInt8: Pair] {
        var table = digits
        for (offset, symbol) in shifted.unicodeScalars.enumerated() {
            let usage = 0x1E + UInt8(offset)
            table[usage] = Pair(table[usage]!.base, .character(symbol))
        }
        return table.merging(rest) { $1 }
    }

    static let usSymbols = withDigits(
        shifted: "!@#$%^&*()",
        [
            0x2D: Pair("-", "_"), 0x2E: Pair("=", "+"), 0x2F: Pair("[", "{"), 0x30: Pair("]", "}"),
            0x31: Pair("\\", "|"), 0x32: Pair("\\", "|"), 0x33: Pair(";", ":"), 0x34: Pair("'", "\""),
            0x35: Pair("`", "~"), 0x36: Pair(",", "<"), 0x37: Pair(".", ">"), 0x38: Pair("/", "?"),
            0x64: Pair("\\", "|"),
        ])

    static let ukSymbols = withDigits(
        shifted: "!\"£$%^&*()",
        [
            0x2D: Pair("-", "_"), 0x2E: Pair("=", "+"), 0x2F: Pair("[", "{"), 0x30: Pair("]", "}"),
            0x31: Pair("#", "~"), 0x32: Pair("#", "~"), 0x33: Pair(";", ":"), 0x34: Pair("'", "@"),
            0x35: Pair("`", "¬"), 0x36: Pair(",", "<"), 0x37: Pair(".", ">"), 0x38: Pair("/", "?"),
            0x64: Pair("\\", "|"),
        ])

    static let deSymbols = withDigits(
        shifted: "!\"§$%&/()=",
        [
            0x2D: Pair("ß", "?"), 0x2E: Pair(.deadKey(.acute), .deadKey(.grave)), 0x2F: Pair("ü", "Ü"),
            0x30: Pair("+", "*"), 0x31: Pair("#", "'"), 0x32: Pair("#", "'"), 0x33: Pair("ö", "Ö"),
            0x34: Pair("ä", "Ä"), 0x35: Pair(.deadKey(.circumflex), .character("°")), 0x36: Pair(",", ";"),
            0x37: Pair(".", ":"), 0x38: Pair("-", "_"), 0x64: Pair("<", ">"),
        ])

    static let frSymbols: [UInt8: Pair] = {
        var table: [UInt8: Pair] = [0x2C: Pair(" ", " ")]
        let base = "&é\"'(-è_çà".unicodeScalars.map { $0 }, shifted = "1234567890".unicodeScalars.map { $0 }
        for i in 0..<10 { table[0x1E + UInt8(i)] = Pair(base[i], shifted[i]) }
        let rest: [UInt8: Pair] = [
            0x2D: Pair(")", "°"), 0x2E: Pair("=", "+"), 0x2F: Pair(.deadKey(.circumflex), .deadKey(.diaeresis)),
            0x30: Pair("$", "£"), 0x31: Pair("*", "µ"), 0x32: Pair("*", "µ"), 0x33: Pair("m", "M"),
            0x34: Pair("ù", "%"), 0x35: Pair("²", nil), 0x36: Pair(";", "."), 0x37: Pair(":", "/"),
            0x38: Pair("!", "§"), 0x64: Pair("<", ">"),
        ]
        return table.merging(rest) { $1 }
    }()
}
